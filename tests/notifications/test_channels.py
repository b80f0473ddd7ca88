"""Issue 16 item 3: SMS within the branch's monthly budget, failures with their reasons, the robots'
retries, and the secretary's channel settings page. Fake gateways on 127.0.0.1 (fakes.py)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from meetings.models import Meeting
from notifications.models import (
    BranchChannels,
    Kind,
    Notification,
    ReminderDelivery,
    ReminderDispatch,
    RobotPost,
    SmsMonth,
)
from notifications.services import reminder_deliver

from .conftest import at
from .fakes import FakeServer, robot_ok, sms_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(people):
    User = get_user_model()
    for name in ("刘芳", "何平", "吴敏"):
        member = people[name]
        member.user = User.objects.create_user(username=f"u{member.pk}")
        member.save(update_fields=["user"])
    return [m for m in people.values() if m.user_id]


@pytest.fixture
def gateway(settings):
    server = FakeServer(sms_ok).start()
    settings.SMS_BACKEND, settings.SMS_URL, settings.SMS_KEY = "generic", f"{server.url}/sms", "k"
    yield server
    server.stop()


def a_meeting(office):
    return Meeting.objects.create(branch=office, year=2026, kind="annual", held_on=dt.date(2026, 12, 20))


def sms_dispatches():
    return ReminderDispatch.objects.filter(channel="sms", delivery__kind=Kind.MEETING_NOTICE)


def test_sms_stops_when_the_budget_is_spent_and_the_secretary_is_told_once(office, people, accounts, gateway, scan):
    BranchChannels.objects.create(branch=office, sms_monthly_budget=2)
    a_meeting(office)
    scan(at(10))
    assert len(gateway.received) == 2
    skipped = sms_dispatches().filter(status="skipped")
    assert skipped.count() == len(accounts) - 2
    assert {d.error for d in skipped} == {"本支部本月短信额度已用完。"}
    assert SmsMonth.objects.get(branch=office).sent == 2
    told = Notification.objects.filter(recipient=people["李建国"].user, title="本月短信额度已用完")
    assert told.count() == 1 and "电话或当面通知" in told.get().body
    # next month the budget is back
    Meeting.objects.create(branch=office, year=2027, kind="annual", held_on=dt.date(2027, 1, 20))
    scan(at(10, day=dt.date(2026, 12, 1)))
    assert len(gateway.received) == 4


def test_a_landline_on_the_roll_is_skipped_with_the_reason(office, people, accounts, gateway, scan):
    people["刘芳"].phone = "0931-8123456"
    people["刘芳"].save(update_fields=["phone"])
    a_meeting(office)
    scan(at(10))
    mine = sms_dispatches().get(delivery__recipient=people["刘芳"].user)
    assert (mine.status, mine.error) == ("skipped", "名册中没有手机号码。")


def test_a_number_the_gateway_rejects_is_given_up_at_once_and_the_budget_given_back(office, people, accounts, gateway, scan):
    def reject_one(received):
        if received.json["phone"] == people["何平"].phone:
            return 400, {"ok": False, "error": "number not in service"}
        return sms_ok(received)

    gateway.answer = reject_one
    a_meeting(office)
    scan(at(10))
    failed = sms_dispatches().get(delivery__recipient=people["何平"].user)
    assert failed.status == "failed" and "number not in service" in failed.error
    assert ReminderDelivery.objects.get(pk=failed.delivery_id).status == "sent"  # the other channels did their part
    assert len([r for r in gateway.received if r.json["phone"] == people["何平"].phone]) == 1  # not retried
    assert SmsMonth.objects.get(branch=office).sent == len(accounts) - 1


def test_a_gateway_down_is_retried_and_each_message_goes_out_once(office, people, accounts, gateway, scan):
    calls = {"n": 0}

    def down_first(received):
        calls["n"] += 1
        return (503, {"ok": False}) if calls["n"] == 1 else sms_ok(received)

    gateway.answer = down_first
    a_meeting(office)
    scan(at(10))
    failed = sms_dispatches().get(status="failed")
    assert failed.attempts == 1 and "503" in failed.error or "短信平台" in failed.error
    assert ReminderDelivery.objects.get(pk=failed.delivery_id).status == "pending"  # the task retries it
    # the worker's retry, after its backoff: only the failed channel is tried again
    assert reminder_deliver(delivery_id=failed.delivery_id, now=at(10, 1)) == "sent"
    delivered = [r.json["phone"] for r in gateway.received[1:]]
    assert sorted(delivered) == sorted(m.phone for m in accounts)
    assert set(sms_dispatches().values_list("status", flat=True)) == {"sent"}
    assert SmsMonth.objects.get(branch=office).sent == len(accounts)  # the failed try was given back


def test_a_robot_answering_500_is_retried_after_a_pause_and_the_group_hears_it_once(office, people, accounts, scan, clock):
    answers = iter([(500, {})])
    robot = FakeServer(lambda r: next(answers, robot_ok(r))).start()
    try:
        BranchChannels.objects.create(branch=office, wecom_webhook=f"{robot.url}/send?key=k")
        a_meeting(office)
        scan(at(10))
        post = RobotPost.objects.get(kind=Kind.MEETING_NOTICE)
        # the other members' deliveries passed by within the pause and left it for the retry
        assert (post.status, post.attempts, len(robot.received)) == ("failed", 1, 1)
        owner = ReminderDispatch.objects.get(channel="robot", status="failed", delivery__kind=Kind.MEETING_NOTICE)
        clock.set(at(10, 1))
        assert reminder_deliver(delivery_id=owner.delivery_id, now=at(10, 1)) == "sent"
        post.refresh_from_db()
        assert (post.status, post.attempts, len(robot.received)) == ("sent", 2, 2)
        scan(at(10, 15))
        assert len(robot.received) == 2
    finally:
        robot.stop()


def test_personal_notices_never_reach_the_group(office, people, scan):
    from django.utils import timezone

    from meetings.models import SelfReview

    robot = FakeServer(robot_ok).start()
    try:
        BranchChannels.objects.create(branch=office, wecom_webhook=f"{robot.url}/send?key=k")
        meeting = Meeting.objects.create(branch=office, year=2026, kind="annual")
        SelfReview.objects.create(
            meeting=meeting, member=people["杨丽"], status="returned", secretary_comment="请补充", reviewed_at=timezone.now()
        )
        scan(at(10))
        assert ReminderDelivery.objects.filter(kind=Kind.SELF_REVIEW_RETURNED).count() == 1
        assert robot.received == []
        assert ReminderDispatch.objects.get(channel="robot").error == "个人通知不发到工作群。"
    finally:
        robot.stop()


# ---------------------------------------------------------------- the settings page
def test_the_secretary_sets_the_robots_but_not_the_budget(office, login):
    client = login("secretary")
    url = reverse("notifications:branch_channels", args=[office.pk])
    page = client.get(url).content.decode()
    assert "企业微信群机器人地址" in page and "每月短信额度" not in page
    response = client.post(url, {"wecom_webhook": "http://qyapi.example/send?key=1", "dingtalk_webhook": "", "dingtalk_secret": "SEC1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写以 https:// 开头的企业微信机器人地址。" in page
    assert "填写了加签密钥，请同时填写钉钉机器人地址。" in page
    assert "http://qyapi.example/send?key=1" in page  # what was typed stays
    response = client.post(url, {"wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "sms_monthly_budget": "999"})
    assert response.status_code == 302
    saved = BranchChannels.objects.get(branch=office)
    assert saved.wecom_webhook.endswith("key=1") and saved.sms_monthly_budget is None


def test_the_county_sets_the_budget(office, login):
    url = reverse("notifications:branch_channels", args=[office.pk])
    response = login("county").post(url, {"wecom_webhook": "", "sms_monthly_budget": "0"})
    assert response.status_code == 302
    assert BranchChannels.objects.get(branch=office).budget == 0


def test_a_member_or_another_branch_cannot_open_the_settings(office, demo_orgs, login):
    url = reverse("notifications:branch_channels", args=[office.pk])
    assert login("member").get(url).status_code == 403
    assert login("anyue").get(url).status_code == 403


def test_the_test_message_reports_what_the_robot_said(office, login):
    robot = FakeServer(lambda r: (200, {"errcode": 93000, "errmsg": "invalid webhook url"})).start()
    try:
        BranchChannels.objects.create(branch=office, wecom_webhook=f"{robot.url}/send?key=k")
        response = login("secretary").post(reverse("notifications:branch_channels", args=[office.pk]), {"test": "1"}, follow=True)
        page = response.content.decode()
        assert "企业微信群：测试消息发送失败。" in page
        assert len(robot.received) == 1 and "测试消息" in robot.received[0].json["text"]["content"]
    finally:
        robot.stop()


def test_the_admin_shows_the_channels_budgets_and_group_posts_read_only(office, client, scan):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    robot = FakeServer(robot_ok).start()
    try:
        BranchChannels.objects.create(branch=office, wecom_webhook=f"{robot.url}/send?key=k")
        a_meeting(office)
        scan(at(10))
    finally:
        robot.stop()
    for name in ("branchchannels", "smsmonth", "robotpost"):
        assert client.get(reverse(f"admin:notifications_{name}_changelist")).status_code == 200
    assert "水阜镇机关党支部" in client.get(reverse("admin:notifications_robotpost_changelist")).content.decode()
    assert client.get(reverse("admin:notifications_smsmonth_add")).status_code == 403
