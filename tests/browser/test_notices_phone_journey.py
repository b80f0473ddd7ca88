"""Issue 16 on a phone: after the secretary returns 杨丽's self-review with a reason and the vote opens,
the next scan puts both in her notification centre, the bell on the phone's top bar counts them, and
"去处理" takes her to the ballot."""

import io
import re

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services as meeting_services
from meetings.models import SelfReview
from notifications.models import Kind, Notification
from organizations.models import Member
from tests.season import office_vote_opens_today

REASON = "问题查摆还不够具体，请结合窗口服务补充两条。"


def test_member_sees_what_happened_on_her_phone(journey):
    season, evaluation = office_vote_opens_today()
    yang = Member.objects.get(user__username="member")
    review = meeting_services.self_reviews.self_review_get_or_create(meeting=evaluation.meeting, member=yang)
    SelfReview.objects.filter(pk=review.pk).update(status=SelfReview.Status.SUBMITTED, submitted_at=timezone.now())
    meeting_services.self_reviews.self_review_return(review=SelfReview.objects.get(pk=review.pk), comment=REASON)
    Notification.objects.filter(recipient=yang.user).update(read_at=timezone.now())  # the demo's older ones
    call_command("scan_reminders", "--sync", stdout=io.StringIO())
    unread = Notification.objects.filter(recipient=yang.user, read_at__isnull=True)
    assert {Kind.SELF_REVIEW_RETURNED, Kind.VOTING_OPEN} <= set(unread.values_list("kind", flat=True))

    j = journey("member-notices", phone=True)
    j.login("member")
    page = j.page
    bell = page.get_by_role("link", name=re.compile("条未读通知"))
    expect(bell).to_be_visible()
    expect(bell).to_contain_text(str(unread.count()))
    bell.click()
    returned = page.locator("[id^=notification-]").filter(has_text="您的对照检查材料被退回修改")
    expect(returned).to_contain_text(REASON)
    vote = page.locator("[id^=notification-]").filter(has_text="民主测评已开始投票")
    expect(vote).to_be_visible()
    j.screenshot("notices")
    j.check_accessibility()
    vote.get_by_role("button", name="去处理").click()
    expect(page).to_have_url(re.compile(rf"/evaluations/{evaluation.pk}/vote/"))
    assert Notification.objects.get(recipient=yang.user, kind=Kind.VOTING_OPEN).read_at is not None
