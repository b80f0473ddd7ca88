"""Issue 16: notices for events, through in-app, email, SMS and the branch's work-chat robots.

The SMS gateway and the robots are fake servers on 127.0.0.1 (tests/notifications/fakes.py); email is
Django's test outbox. Planning a meeting through the secretary's page is followed by a scan, as beat
would run it."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, SelfReview
from notifications.models import (
    BranchChannels,
    Kind,
    Notification,
    NotificationPreference,
    ReminderDelivery,
    RobotPost,
)
from notifications.services import reminder_deliver

from .conftest import at
from .fakes import FakeServer, robot_ok, sms_ok

pytestmark = pytest.mark.django_db
MEETING_DAY = dt.date(2026, 12, 20)


@pytest.fixture
def sms(settings):
    server = FakeServer(sms_ok).start()
    settings.SMS_BACKEND = "generic"
    settings.SMS_URL = f"{server.url}/sms"
    settings.SMS_KEY = "test-key"
    settings.SMS_TEMPLATE_ID = "T1"
    yield server
    server.stop()


@pytest.fixture
def robots(office):
    wecom, dingtalk = FakeServer(robot_ok).start(), FakeServer(robot_ok).start()
    BranchChannels.objects.create(
        branch=office,
        wecom_webhook=f"{wecom.url}/cgi-bin/webhook/send?key=k1",
        dingtalk_webhook=f"{dingtalk.url}/robot/send?access_token=t1",
        dingtalk_secret="SECtest",
    )
    yield wecom, dingtalk
    wecom.stop()
    dingtalk.stop()


@pytest.fixture
def accounts(people):
    """Four of the office's members can log in (the demo gives two); the rest work on paper."""
    User = get_user_model()
    for name in ("刘芳", "何平"):
        member = people[name]
        member.user = User.objects.create_user(username=f"u{member.pk}", email=f"m{member.pk}@example.org")
        member.save(update_fields=["user"])
    people["杨丽"].user.email = "yangli@example.org"
    people["杨丽"].user.save(update_fields=["email"])
    return [m for m in people.values() if m.user_id]


def plan(client, office, **overrides):
    data = {
        "branch": office.pk, "kind": "special", "theme": "以学铸魂", "year": "2026", "held_on": MEETING_DAY.isoformat(),
        "starts_at": "09:00", "place": "镇政府三楼会议室", "basis": "", "excellent_quota": "30%",
        "opinions_close_on": "2026-12-05", "talks_due_on": "2026-12-10", "self_reviews_due_on": "2026-12-15",
        "ballot_closes_at": "2026-12-20T17:00", "rectification_plans_due_on": "2027-01-20", "talk_rule_set": "three",
        "claim_target_member": "3", "claim_target_committee": "5", "review_aspects_text": "理想信念方面",
    }
    data.update(overrides)
    response = client.post(reverse("meetings:meeting_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Meeting.objects.get(branch=office, kind="special", theme="以学铸魂")


def notices(kind):
    return ReminderDelivery.objects.filter(kind=kind)


def test_planning_a_meeting_tells_everyone_once_through_every_channel(office, people, accounts, sms, robots, scan, login, clock):
    wecom, dingtalk = robots
    NotificationPreference.objects.create(user=people["何平"].user, sms_enabled=False)
    meeting = plan(login("secretary"), office)
    scan(at(10))

    told = notices(Kind.MEETING_NOTICE)
    assert {d.recipient_id for d in told} == {m.user_id for m in accounts}
    assert all(d.status == "sent" for d in told)
    notice = Notification.objects.get(recipient=people["杨丽"].user, kind=Kind.MEETING_NOTICE)
    assert "2026年12月20日" in notice.title and "09:00" in notice.body and "镇政府三楼会议室" in notice.body
    # email: one each, with the calendar attached
    emails = [m for m in mail.outbox if "会议通知" in m.subject]
    assert sorted(m.to[0] for m in emails) == sorted(m.user.email for m in accounts if m.user.email)
    assert all(any(a[0].endswith(".ics") for a in m.attachments) for m in emails)
    # SMS: one per member with a mobile number on the roll, except the one who turned SMS off
    texts = [r.json for r in sms.received if "会议通知" in r.json["text"]]
    assert sorted(t["phone"] for t in texts) == sorted(m.phone for m in accounts if m.name != "何平")
    assert all("Authorization" in r.headers and r.headers["Authorization"] == "Bearer test-key" for r in sms.received)
    # each group hears it once, however many members' deliveries passed by
    assert len([r for r in wecom.received if "会议通知" in r.json["text"]["content"]]) == 1
    assert len([r for r in dingtalk.received if "会议通知" in r.json["text"]["content"]]) == 1
    assert set(RobotPost.objects.filter(kind=Kind.MEETING_NOTICE).values_list("channel", "status")) == {
        ("wecom", "sent"),
        ("dingtalk", "sent"),
    }

    before = (len(mail.outbox), len(sms.received), len(wecom.received), len(dingtalk.received))
    again = scan(at(10, 15))
    assert again.queued == 0
    assert (len(mail.outbox), len(sms.received), len(wecom.received), len(dingtalk.received)) == before

    # moved: announced again, as a change of date
    Meeting.objects.filter(pk=meeting.pk).update(held_on=MEETING_DAY + dt.timedelta(days=2))
    scan(at(10, 30))
    moved = Notification.objects.get(recipient=people["杨丽"].user, kind=Kind.MEETING_NOTICE, title__contains="改期")
    assert "2026年12月22日" in moved.title


def test_no_email_sms_or_robot_at_night_the_in_app_notice_at_once(office, people, accounts, sms, robots, scan, login):
    plan(login("secretary"), office)
    scan(at(23))
    assert Notification.objects.filter(kind=Kind.MEETING_NOTICE).count() == len(accounts)
    assert not [m for m in mail.outbox if "会议通知" in m.subject]
    assert not sms.received and not robots[0].received
    scan(at(7, 15, day=dt.date(2026, 11, 26)))
    assert len([r for r in sms.received if "会议通知" in r.json["text"]]) == len(accounts)
    assert len([r for r in robots[0].received if "会议通知" in r.json["text"]["content"]]) == 1


def test_the_day_before_the_meeting_a_reminder(office, people, accounts, scan, login):
    meeting = plan(login("secretary"), office)
    scan(at(10, day=MEETING_DAY - dt.timedelta(days=1)))
    assert {d.recipient_id for d in notices(Kind.MEETING_TOMORROW)} == {m.user_id for m in accounts}
    assert notices(Kind.MEETING_TOMORROW).first().subject_id == meeting.pk


def test_a_returned_self_review_tells_its_author_the_reason(office, people, scan, clock):
    from meetings.models import Meeting as M

    meeting = M.objects.create(branch=office, year=2026, kind="annual", held_on=MEETING_DAY)
    review = SelfReview.objects.create(
        meeting=meeting, member=people["杨丽"], status=SelfReview.Status.RETURNED,
        secretary_comment="问题查摆不够具体，请结合岗位补充。", reviewed_at=timezone.now(),
    )
    scan(at(10, 5))
    notice = Notification.objects.get(recipient=people["杨丽"].user, kind=Kind.SELF_REVIEW_RETURNED)
    assert "问题查摆不够具体" in notice.body
    # approved later: a second notice; an event older than the lookback is history, not news
    SelfReview.objects.filter(pk=review.pk).update(status=SelfReview.Status.APPROVED, reviewed_at=timezone.now())
    scan(at(10, 20))
    assert Notification.objects.filter(recipient=people["杨丽"].user, kind=Kind.SELF_REVIEW_APPROVED).count() == 1
    SelfReview.objects.filter(pk=review.pk).update(reviewed_at=timezone.now() - dt.timedelta(days=30))
    ReminderDelivery.objects.filter(kind=Kind.SELF_REVIEW_APPROVED).delete()
    assert scan(at(10, 40)).queued == 0


def test_a_resubmitted_review_is_no_longer_announced_as_returned(office, people, eager, clock):
    from notifications.services import reminders_scan

    meeting = Meeting.objects.create(branch=office, year=2026, kind="annual", held_on=MEETING_DAY)
    review = SelfReview.objects.create(
        meeting=meeting, member=people["杨丽"], status=SelfReview.Status.RETURNED, reviewed_at=timezone.now()
    )
    clock.set(at(22, 30))  # queued but not sent yet: the send re-checks
    reminders_scan(now=at(22, 30), dry_run=False)
    delivery = notices(Kind.SELF_REVIEW_RETURNED).get()
    SelfReview.objects.filter(pk=review.pk).update(status=SelfReview.Status.SUBMITTED)
    assert reminder_deliver(delivery_id=delivery.pk, now=at(22, 31)) == "cancelled"


def test_voting_opened_and_results_published_reach_the_member(office, people, scan, clock):
    from evaluations.models import Candidate, Evaluation, Voter

    yang = people["杨丽"]
    meeting = Meeting.objects.create(branch=office, year=2026, kind="annual", held_on=dt.date(2026, 11, 25))
    evaluation = Evaluation.objects.create(meeting=meeting, opens_at=at(9), closes_at=at(17))
    Voter.objects.create(evaluation=evaluation, member=yang)
    Voter.objects.create(evaluation=evaluation, member=people["李建国"], channel="online")  # voted already
    scan(at(10))
    opened = Notification.objects.filter(kind=Kind.VOTING_OPEN)
    assert [n.recipient_id for n in opened] == [yang.user_id]
    assert "17:00" in opened.get().title

    Candidate.objects.create(evaluation=evaluation, member=yang, final_grade="good")
    Candidate.objects.create(evaluation=evaluation, member=people["李建国"], final_grade="excellent", acknowledged_at=at(18))
    Evaluation.objects.filter(pk=evaluation.pk).update(published_at=at(18))
    scan(at(18, 5))
    published = Notification.objects.get(kind=Kind.RESULTS_PUBLISHED)
    assert published.recipient_id == yang.user_id and published.url.endswith(f"/{evaluation.pk}/mine/")
    assert "good" not in published.body and "良好" not in published.body  # the grade stays on the page


def test_a_talk_recorded_by_one_side_asks_the_other_to_confirm(office, people, scan, clock):
    from meetings.models import Talk

    meeting = Meeting.objects.create(branch=office, year=2026, kind="annual", held_on=MEETING_DAY)
    yang, li = people["杨丽"], people["李建国"]
    talk = Talk.objects.create(
        meeting=meeting, member_a=yang, member_b=li, held_on=dt.date(2026, 11, 24), topics="窗口服务", recorded_by=yang.user
    )
    Talk.objects.create(  # recorded by the secretary for two others: nobody to ask
        meeting=meeting, member_a=people["刘芳"], member_b=people["何平"], held_on=dt.date(2026, 11, 24), topics="x", recorded_by=li.user
    )
    scan(at(10))
    asked = Notification.objects.get(kind=Kind.TALK_TO_CONFIRM)
    assert asked.recipient_id == li.user_id and "杨丽" in asked.title and asked.url.endswith(f"#todo-confirm-{meeting.pk}")
    Talk.objects.filter(pk=talk.pk).update(confirmed_at=timezone.now())
    assert scan(at(10, 15)).queued == 0


def test_an_answer_to_a_signed_opinion_reaches_its_author_never_an_anonymous_one(office, people, scan, clock):
    from meetings.models import Opinion

    meeting = Meeting.objects.create(branch=office, year=2026, kind="annual", held_on=MEETING_DAY)
    yang = people["杨丽"]
    common = {"meeting": meeting, "received_on": dt.date(2026, 11, 20), "answer": "已在本周整改。", "answered_on": dt.date(2026, 11, 25)}
    Opinion.objects.create(channel=Opinion.Channel.MEMBER_ONLINE, text="建议公开办事流程。", author_member=yang, **common)
    Opinion.objects.create(channel=Opinion.Channel.PUBLIC_LINK, text="匿名的意见内容。", is_anonymous=True, **common)
    scan(at(10))
    answered = Notification.objects.get(kind=Kind.OPINION_ANSWERED)
    assert answered.recipient_id == yang.user_id and "1 条" in answered.title
    assert "建议公开办事流程" in answered.body and "匿名的意见内容" not in answered.body


def test_an_item_assigned_verified_and_sent_back_tells_the_member_responsible(office, people, scan, clock, login):
    from rectification import services as rect
    from rectification.models import RectificationItem

    from .factories import make_item

    yang = people["杨丽"]
    secretary = people["李建国"].user
    item = make_item(branch=office, responsible=yang, deadline=dt.date(2026, 12, 31), status="pending")
    rect.history_append(item=item, actor=secretary, action="created")
    scan(at(10))
    assert Notification.objects.filter(recipient=yang.user, kind=Kind.ITEM_ASSIGNED).count() == 1
    rect.rectification_item_close(item=item, actor=secretary, note="材料齐全")
    item = RectificationItem.objects.get(pk=item.pk)
    rect.item_reopen(item=item, actor=secretary, reason="回头看发现反弹")
    scan(at(10, 15))
    assert Notification.objects.filter(recipient=yang.user, kind=Kind.ITEM_VERIFIED).count() == 1
    back = Notification.objects.get(recipient=yang.user, kind=Kind.ITEM_SENT_BACK)
    assert "回头看发现反弹" in back.body


def test_the_meeting_notice_rule_reads_the_same_queries_for_more_meetings(office, demo_orgs, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.rules import MeetingNoticeRule

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            MeetingNoticeRule().run(now=at(10))
        return len(captured)

    Meeting.objects.create(branch=office, year=2026, kind="annual", held_on=MEETING_DAY)
    queries()  # the content types are cached from then on
    one = queries()
    for i, branch in enumerate(("palace", "yanerping", "shagang1", "shagang2")):
        Meeting.objects.create(branch=demo_orgs.orgs[branch], year=2026, kind="annual", held_on=MEETING_DAY + dt.timedelta(days=i))
    assert queries() == one
