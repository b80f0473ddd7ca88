"""Issue 20 in the browser: 杨丽 sees on her phone that a problem came back and what became of the earlier
item; the secretary sees it on the problem list, corrects a theme and opens the branch's recurring page
(with names); the county opens the recurring page from the dashboard and sees counts, not names."""

from django.urls import reverse
from playwright.sync_api import expect

from meetings.models import Meeting
from organizations.models import Member
from rectification.models import Problem


def test_a_problem_that_came_back_from_the_phone_to_the_county(journey):
    yang = Member.objects.get(user__username="member")
    last_year = (
        Meeting.objects.filter(branch=yang.branch, problems__isnull=False).distinct().order_by("-year").first()
    )

    j = journey("recurring-member", phone=True)
    j.login("member")
    j.goto("/rectification/my/")
    note = j.page.get_by_test_id("came-back").first
    expect(note).to_contain_text("屡改屡在")
    expect(note).to_contain_text("回头看发现反弹")
    overflow = j.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1  # nothing wider than the phone
    j.screenshot("my-items")

    s = journey("recurring-secretary")
    s.login("secretary")
    s.goto(f"/rectification/meeting/{last_year.pk}/problems/")
    row = s.page.locator(f"#problem-{Problem.objects.get(meeting=last_year, member=yang, recurs_of__isnull=False).pk}")
    expect(row.get_by_test_id("came-back")).to_contain_text("理论学习列入周计划")
    row.get_by_label("主题").select_option("discipline")
    row.get_by_role("button", name="改", exact=True).click()
    expect(s.page.get_by_role("alert").filter(has_text="已修改主题：政治纪律")).to_be_visible()
    expect(s.page.locator(f"#problem-{row.get_attribute('id').split('-')[1]}")).to_contain_text("书记已修正")
    s.screenshot("problem-list")
    s.check_accessibility()
    s.goto(reverse("organizations:branch_detail", args=[yang.branch_id]))
    s.page.get_by_role("link", name="屡改屡在问题").click()
    s.page.get_by_label("年度", exact=True).select_option(str(last_year.year))
    s.page.get_by_role("button", name="查看", exact=True).click()
    expect(s.page.get_by_test_id("recurring-member").filter(has_text="杨丽")).to_be_visible()
    expect(s.page.get_by_test_id("not-fixed").first).to_be_visible()
    expect(s.page.locator("#chart-recurring svg")).to_be_visible()
    s.screenshot("recurring-branch")
    s.check_accessibility()

    c = journey("recurring-county")
    c.login("county")
    c.goto("/dashboard/")
    c.page.get_by_role("link", name="屡改屡在问题").click()
    expect(c.page.get_by_role("heading", level=1)).to_contain_text("屡改屡在")
    c.page.get_by_label("年度", exact=True).select_option(str(last_year.year))
    c.page.get_by_role("button", name="查看", exact=True).click()
    expect(c.page.get_by_test_id("recurring-member").first).to_contain_text("不显示姓名")
    assert "杨丽" not in c.page.content()
    c.screenshot("recurring-county")
