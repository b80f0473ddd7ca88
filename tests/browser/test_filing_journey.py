"""Issue 19 item 1 on a laptop: 水阜镇机关党支部's secretary sends the meeting plan up from the meeting page; the
township's officer returns it (a return without a reason is refused), the secretary sees the reason on the
meeting page and resubmits, the officer approves, and the township's dashboard shows the branch's plan approved."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from filings.models import Filing, FilingEvent
from meetings.models import Meeting
from organizations.demo import DEMO_PASSWORD
from organizations.models import Member, Officer, Organization

REASON = "议程缺少书记讲评环节，请补充后重新报送。"


def test_township_returns_secretary_resubmits_township_approves(journey):
    office = Member.objects.get(user__username="secretary").branch
    township = Organization.objects.get(name="中共水阜镇委员会")
    meeting = Meeting.objects.get(branch=office, kind="annual", closed_at__isnull=True)
    Filing.objects.filter(meeting=meeting).delete()  # the demo's returned plan: start from 未报
    user = get_user_model().objects.create_user("shuifu", password=DEMO_PASSWORD)
    Officer.objects.create(user=user, organization=township, name="孙审核", title="水阜镇党委组织委员")

    secretary = journey("filing-secretary")
    secretary.login("secretary")
    page = secretary.page
    secretary.goto(reverse("meetings:meeting_detail", args=[meeting.pk]))
    card = page.get_by_test_id("filing-card")
    expect(card.locator('[data-kind="plan"] [data-filing-state]')).to_have_text("未报")
    card.locator('[data-kind="plan"]').get_by_role("link", name="报送", exact=True).click()
    secretary.check_accessibility()
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="已报送方案报备")).to_be_visible()
    expect(page.get_by_test_id("filing-state")).to_have_text("待审")
    secretary.screenshot("submitted")

    officer = journey("filing-township")
    officer.login("shuifu")
    review = officer.page
    officer.goto(reverse("filings:inbox"))
    review.get_by_role("link", name=f"{meeting} · 方案报备").click()
    expect(review.get_by_test_id("filing-content")).to_contain_text(meeting.place)
    review.get_by_label("退回修改").check()
    review.get_by_role("button", name="提交审核结果").click()
    expect(review.get_by_text("退回时请填写驳回原因。")).to_be_visible()  # refused, nothing changed
    assert Filing.objects.get(meeting=meeting).state == "pending"
    officer.screenshot("return-without-reason")
    review.get_by_label("退回修改").check()
    review.get_by_label("驳回原因或审核意见").fill(REASON)
    officer.check_accessibility()
    review.get_by_role("button", name="提交审核结果").click()
    expect(review.get_by_test_id("filing-state")).to_have_text("退回")
    expect(review.get_by_test_id("return-reason")).to_contain_text(REASON)
    officer.screenshot("returned")

    secretary.goto(reverse("meetings:meeting_detail", args=[meeting.pk]))
    expect(card.get_by_test_id("filing-reason-plan")).to_contain_text(REASON)
    secretary.screenshot("meeting-page-reason")
    card.get_by_role("link", name="修改后重新报送").click()
    page.get_by_label("报送说明（可选）").fill("已在议程中补充书记讲评环节。")
    page.get_by_role("button", name="重新报送").click()
    expect(page.get_by_test_id("filing-state")).to_have_text("待审")

    review.reload()
    review.get_by_label("审核通过").check()
    review.get_by_role("button", name="提交审核结果").click()
    expect(review.get_by_test_id("filing-state")).to_have_text("已通过")
    expect(review.get_by_test_id("filing-history")).to_contain_text("已在议程中补充书记讲评环节。")
    officer.screenshot("approved")

    officer.goto(f"{reverse('dashboard:filings')}?org={township.pk}&year={meeting.year}")
    row = review.locator(f'tr[data-branch="{office.name}"]')
    expect(row.locator('[data-kind="plan"]')).to_have_attribute("data-state", "approved")
    officer.check_accessibility()
    officer.screenshot("dashboard")

    filing = Filing.objects.get(meeting=meeting, kind="plan")
    assert (filing.state, filing.submissions) == ("approved", 2)
    assert list(FilingEvent.objects.filter(filing=filing).values_list("action", flat=True)) == [
        "submit", "return", "resubmit", "approve"]
