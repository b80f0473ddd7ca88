"""Accounts from the roster on phones (issue 15): the secretary opens accounts and downloads the slips,
a member activates with the code printed on hers, logs in by phone number and lands on 我的待办; the
code does not work twice."""

import re

from playwright.sync_api import expect

from organizations.models import Member, Organization
from tests.browser.conftest import pdf_text

PASSWORD = "红旗渠-精神-1960"


def test_a_secretary_opens_accounts_and_a_member_activates_from_the_slip(journey):
    office = Organization.objects.get(name="水阜镇机关党支部")
    waiting = list(Member.objects.filter(branch=office, user=None, is_active=True).order_by("name", "pk")[:2])
    assert len(waiting) == 2

    sec = journey("secretary", phone=True)
    sec.login("secretary")
    page = sec.goto(f"/branches/{office.pk}/accounts/")
    expect(page.get_by_role("heading", name="党员账号")).to_be_visible()
    for member in waiting:
        page.get_by_label(f"选择{member.name}").check()
    sec.screenshot("accounts")
    sec.check_accessibility()
    page.get_by_role("button", name="为所选党员开通账号").click()
    expect(page.get_by_role("heading", name="已为 2 人生成激活码")).to_be_visible()
    sec.screenshot("codes")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("下载激活码纸条")).click()
    text = pdf_text(download.value.path())
    # pdftotext runs the two columns of slips together: the codes are found by their shape.
    codes = re.findall(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", text)
    assert len(codes) == 2
    for member in waiting:
        assert member.name in text
    code = codes[0]

    phone = journey("first-activation", phone=True)
    page = phone.goto("/accounts/login/")
    page.get_by_role("link", name="首次使用：输入激活码").click()
    page.get_by_label("激活码").fill(code.lower().replace("-", ""))
    page.get_by_role("button", name="下一步").click()
    whoami = page.get_by_test_id("whoami")
    expect(whoami).to_contain_text("水阜镇机关党支部")
    first = next(m for m in waiting if m.name in whoami.inner_text())
    phone.check_accessibility()
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再输入一次").fill(PASSWORD + "!")
    page.get_by_role("button", name=re.compile("设置密码并登录")).click()
    expect(page.get_by_text("两次输入的密码不一致")).to_be_visible()
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再输入一次").fill(PASSWORD)
    phone.screenshot("activate")
    page.get_by_role("button", name=re.compile("设置密码并登录")).click()
    expect(page.get_by_role("heading", name=re.compile("我的待办"))).to_be_visible()
    phone.screenshot("landed")

    again = journey("login-by-phone", phone=True)
    page = again.goto("/accounts/login/")
    page.get_by_label("用户名或手机号").fill(first.phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("我的待办"))).to_be_visible()
    page = again.goto(f"/accounts/activate/?code={code}")
    expect(page.get_by_text("这个激活码已经用过")).to_be_visible()
    again.screenshot("code-used")
