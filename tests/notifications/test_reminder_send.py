"""The send: re-checks the state, each channel at most once, quiet hours, preferences, retries."""

import datetime as dt

import pytest
from django.core import mail

from notifications import services
from notifications.models import (
    Kind,
    Notification,
    NotificationPreference,
    ReminderDelivery,
    ReminderDispatch,
)
from notifications.services import ReminderSendError, reminder_deliver
from notifications.tasks import reminder_send
from tests.notifications.conftest import NOW, TODAY, at
from tests.notifications.factories import MeetingFactory


@pytest.fixture(autouse=True)
def _deadline_rules(deadline_rules_only):
    """Every test here counts deadline reminders only."""


HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def ballot(demo_orgs):
    """杨丽 (with an email address) has not voted; the ballot closes this evening."""
    from evaluations.models import Evaluation, Voter

    user = demo_orgs.users["member"]
    user.email = "yangli@example.org"
    user.save()
    meeting = MeetingFactory(branch=demo_orgs.orgs["office"])
    evaluation = Evaluation.objects.create(meeting=meeting, opens_at=NOW - HOUR, closes_at=at(21, 0) + DAY)
    voter = Voter.objects.create(evaluation=evaluation, member=demo_orgs.members["office"]["杨丽"])
    return user, voter


def record(now):
    """What the scan does before queueing: insert the rows, here without sending them."""
    result = services.reminders_scan(now=now)
    return result.recorded


def test_it_sends_in_app_and_email_once(ballot):
    user, voter = ballot
    (delivery,) = record(NOW)
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW) == "sent"
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW) == "sent"  # a retried or duplicated message
    note = Notification.objects.get(recipient=user)
    assert note.kind == Kind.BALLOT_CLOSING and note.delivery_id == delivery.pk and note.url
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["yangli@example.org"]
    assert "投票" in mail.outbox[0].subject and "http://" in mail.outbox[0].body
    assert set(ReminderDispatch.objects.values_list("channel", "status")) == {
        ("in_app", "sent"),
        ("email", "sent"),
        ("sms", "skipped"),  # no SMS platform in this deployment
        ("robot", "skipped"),  # a personal reminder never goes to the group
    }


def test_a_member_who_voted_a_minute_ago_is_not_asked_to_vote(ballot):
    user, voter = ballot
    (delivery,) = record(NOW)
    voter.channel = "online"
    voter.save()
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW + dt.timedelta(minutes=1)) == "cancelled"
    assert Notification.objects.count() == 0 and mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.status == "cancelled"


def test_a_member_who_turned_email_off_gets_only_the_in_app_message(ballot):
    user, voter = ballot
    NotificationPreference.objects.create(user=user, email_enabled=False)
    (delivery,) = record(NOW)
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW) == "sent"
    assert Notification.objects.filter(recipient=user).count() == 1 and mail.outbox == []
    assert ReminderDispatch.objects.get(channel="email").status == "skipped"


def test_no_email_address_means_in_app_only(ballot):
    user, voter = ballot
    user.email = ""
    user.save()
    (delivery,) = record(NOW)
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW) == "sent"
    assert Notification.objects.count() == 1 and mail.outbox == []


def test_at_night_the_email_waits_for_the_morning_scan(ballot, scan):
    user, voter = ballot
    night = at(23, 10)
    result = scan(night)
    assert result.queued == 1
    delivery = ReminderDelivery.objects.get()
    # In-app goes out at once; the email is held with a not-before time of 07:00.
    assert Notification.objects.filter(recipient=user).count() == 1 and mail.outbox == []
    assert delivery.status == "pending" and delivery.not_before == at(7, 0, day=TODAY + DAY)

    assert scan(at(6, 45, day=TODAY + DAY)).queued == 0
    assert mail.outbox == []
    assert scan(at(7, 0, day=TODAY + DAY)).queued == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert scan(at(7, 15, day=TODAY + DAY)).queued == 0 and len(mail.outbox) == 1


def test_the_morning_email_is_dropped_if_the_member_voted_overnight(ballot, scan):
    user, voter = ballot
    scan(at(23, 10))
    voter.channel = "paper"
    voter.save()
    scan(at(7, 0, day=TODAY + DAY))
    assert mail.outbox == []
    assert ReminderDelivery.objects.get().status == "cancelled"


def test_a_failing_email_is_retried_and_then_sent_once(ballot, monkeypatch):
    user, voter = ballot
    (delivery,) = record(NOW)
    from notifications.channels import EmailChannel

    original = EmailChannel.send

    def smtp_down(self, delivery):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailChannel, "send", smtp_down)
    with pytest.raises(ReminderSendError):
        reminder_deliver(delivery_id=delivery.pk, now=NOW)
    email = ReminderDispatch.objects.get(channel="email")
    assert (email.status, email.attempts) == ("failed", 1) and "SMTP down" in email.error
    assert Notification.objects.count() == 1  # in-app already delivered, and not again below

    monkeypatch.setattr(EmailChannel, "send", original)
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW + HOUR) == "sent"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_it_gives_up_a_channel_after_the_maximum_attempts(ballot, settings, monkeypatch):
    settings.REMINDER_MAX_ATTEMPTS = 2
    (delivery,) = record(NOW)
    from notifications.channels import EmailChannel

    monkeypatch.setattr(EmailChannel, "send", lambda self, d: (_ for _ in ()).throw(OSError("no route")))
    for _ in range(2):
        with pytest.raises(ReminderSendError):
            reminder_deliver(delivery_id=delivery.pk, now=NOW)
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW) == "sent"
    delivery.refresh_from_db()
    assert delivery.note == "部分渠道发送失败" and ReminderDispatch.objects.get(channel="email").attempts == 2


def test_a_channel_claimed_by_a_worker_that_died_is_not_sent_again(ballot):
    (delivery,) = record(NOW)
    ReminderDispatch.objects.create(delivery=delivery, channel="email", status="sending", attempts=1, updated_at=NOW)
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW + dt.timedelta(minutes=1)) == "busy"
    assert reminder_deliver(delivery_id=delivery.pk, now=NOW + dt.timedelta(minutes=11)) == "sent"
    assert mail.outbox == [] and Notification.objects.count() == 1
    assert ReminderDispatch.objects.get(channel="email").status == "failed"


def test_a_notification_exists_at_most_once_per_reminder(ballot):
    (delivery,) = record(NOW)
    reminder_deliver(delivery_id=delivery.pk, now=NOW)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        services.notification_create(recipient=delivery.recipient, title="again", delivery=delivery)


def test_the_task_takes_an_id_and_tolerates_a_missing_row(ballot, clock):
    assert reminder_send.apply(args=[987654]).get() == "missing"
    (delivery,) = record(NOW)
    assert reminder_send.apply(args=[delivery.pk]).get() == "sent"
    options = reminder_send
    assert options.soft_time_limit and options.time_limit and options.autoretry_for and options.retry_backoff


def test_quiet_hours_are_22_to_7_shanghai_time():
    assert services.in_quiet_hours(at(22, 0)) and services.in_quiet_hours(at(6, 59))
    assert not services.in_quiet_hours(at(7, 0)) and not services.in_quiet_hours(at(21, 59))
    # 14:30 UTC is 22:30 in Shanghai.
    assert services.in_quiet_hours(dt.datetime(2026, 11, 25, 14, 30, tzinfo=dt.UTC))
    assert services.quiet_hours_end(at(23, 0)) == at(7, 0, day=TODAY + DAY)
    assert services.quiet_hours_end(at(3, 0)) == at(7, 0)
