"""A member of the public (no account, on a phone) gives an opinion through the meeting's public link;
the secretary sees it arrive, with no author."""

import re
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Opinion
from organizations.demo import Season

TEXT = "村口的路灯坏了两个多月，希望支部督促尽快修好。"


def test_public_opinion_arrives_without_author(journey):
    secretary = journey("public-secretary")
    secretary.login("secretary")
    page = secretary.page
    # The secretary finds the link printed on the QR poster of the season's meeting.
    year = Season(anchor=timezone.localdate()).year
    page.get_by_role("navigation").get_by_role("link", name="组织生活会").click()
    page.get_by_role("row", name=re.compile("水阜镇机关党支部")).filter(has_text=f"{year}年度").get_by_role("link").first.click()
    page.get_by_role("link", name="征求意见").click()
    page.get_by_role("link", name="群众意见二维码").click()
    expect(page.get_by_role("img", name="征求意见二维码")).to_be_visible()
    secretary.screenshot("qr-poster")
    secretary.check_accessibility()
    public_url = page.locator(".bl-poster .text-break").inner_text().strip()
    public_path = urlsplit(public_url).path
    assert re.fullmatch(r"/meetings/o/[^/]+/", public_path), public_url

    public = journey("public", phone=True)
    page = public.goto(public_path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("水阜镇机关党支部")
    assert page.get_by_role("link", name="我的待办").count() == 0, "the public page must not show member navigation"
    public.screenshot("public-form")
    public.check_accessibility()

    # Too short first: refused with a Chinese message, the other fields kept.
    page.get_by_label("您的意见建议").fill("路灯")
    page.get_by_label("针对的党员或班子（可不填）").fill("支部班子")
    page.get_by_role("button", name="提交意见建议").click()
    expect(page.locator(".invalid-feedback, .errorlist").first).to_contain_text("5")
    expect(page.get_by_label("针对的党员或班子（可不填）")).to_have_value("支部班子")
    public.screenshot("public-form-refused")

    page.get_by_label("您的意见建议").fill(TEXT)
    page.get_by_role("button", name="提交意见建议").click()
    expect(page.get_by_role("status")).to_contain_text("已收到您的意见建议")
    public.screenshot("public-sent")
    public.check_accessibility()

    opinion = Opinion.objects.get(text=TEXT)
    assert opinion.channel == Opinion.Channel.PUBLIC_LINK
    assert opinion.is_anonymous and opinion.author_member_id is None and opinion.author_label == ""
    assert opinion.target_text == "支部班子"

    # The secretary's list shows it, marked 匿名, with no name on it.
    page = secretary.page
    page.get_by_role("link", name="征求意见").click()
    page.get_by_label("搜索").fill("路灯")
    page.get_by_role("button", name="筛选").click()
    card = page.locator("li.bl-card", has_text=TEXT)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("群众扫码/链接")
    expect(card).to_contain_text("匿名")
    secretary.screenshot("opinion-arrived")
    secretary.check_accessibility()
