"""The scan: derives what is due, records each reminder once, queues it, and re-queues what got stuck."""

import datetime as dt

import pytest
from django.core import mail

from notifications import services
from notifications.models import Kind, Notification, ReminderDelivery
from notifications.rules.base import Rule
from tests.notifications.conftest import NOW, TODAY
from tests.notifications.factories import MeetingFactory, make_item


@pytest.fixture(autouse=True)
def _deadline_rules(deadline_rules_only):
    """Every test here counts deadline reminders only."""


DAY = dt.timedelta(days=1)


@pytest.fixture
def due_stuff(demo_orgs):
    """Opinions close in two days (2 reminders) and one of 杨丽's items is overdue (2 reminders)."""
    demo_orgs.users["member"].email = "yangli@example.org"
    demo_orgs.users["member"].save()
    meeting = MeetingFactory(branch=demo_orgs.orgs["office"], opinions_close_on=TODAY + 2 * DAY)
    item = make_item(branch=demo_orgs.orgs["office"], responsible=demo_orgs.members["office"]["杨丽"], deadline=TODAY - DAY)
    return meeting, item


def test_it_queues_each_due_reminder_and_sends_it(due_stuff, demo_orgs, scan):
    result = scan(NOW)
    assert result.queued == 4 and len(result.recorded) == 4 and result.unpublished == 0
    member = demo_orgs.users["member"]
    assert set(Notification.objects.filter(recipient=member).values_list("kind", flat=True)) == {
        Kind.OPINIONS_CLOSE,
        Kind.ITEM_OVERDUE,
    }
    assert ReminderDelivery.objects.filter(status="sent").count() == 4
    # Only 杨丽 has an email address.
    assert sorted(m.to[0] for m in mail.outbox) == ["yangli@example.org", "yangli@example.org"]


def test_it_queues_nothing_the_second_time(due_stuff, scan):
    assert scan(NOW).queued == 4
    second = scan(NOW + dt.timedelta(minutes=15))
    assert second.queued == 0 and second.recorded == [] and second.requeued == []
    assert Notification.objects.count() == 4
    assert len(mail.outbox) == 2


def test_a_dry_run_lists_and_writes_nothing(due_stuff, scan):
    result = scan(NOW, dry_run=True)
    assert result.queued == 4
    assert {d.kind for d in result.planned} == {Kind.OPINIONS_CLOSE, Kind.ITEM_OVERDUE, Kind.ITEM_OVERDUE_SECRETARY}
    assert ReminderDelivery.objects.count() == 0 and Notification.objects.count() == 0


def test_a_reminder_recorded_by_a_concurrent_scan_is_not_recorded_again(due_stuff, demo_orgs):
    dues = [d for d in services.reminders_due(now=NOW) if d.kind == Kind.ITEM_OVERDUE]
    assert len(services._record_all(dues, now=NOW)) == 1
    # The other scan looked before the insert and tries too: the unique constraint turns it away.
    assert services._record_all(dues, now=NOW) == []
    assert ReminderDelivery.objects.filter(kind=Kind.ITEM_OVERDUE).count() == 1


def test_a_new_due_date_is_a_new_reminder(due_stuff, scan):
    meeting, item = due_stuff
    scan(NOW)
    item.deadline = TODAY - 2 * DAY  # the deadline was corrected: a different (item, due date)
    item.save()
    assert scan(NOW + dt.timedelta(minutes=15)).queued == 2


def test_it_keeps_the_reminders_when_the_broker_is_down_and_queues_them_later(
    due_stuff, scan, monkeypatch, deadline_rules_only
):
    calls = []

    def broker_down(task, *args, **kwargs):
        calls.append(args)
        return False

    monkeypatch.setattr(services, "enqueue", broker_down)
    monkeypatch.setattr("notifications.tasks.reminder_send.app.conf.task_always_eager", False)
    result = scan(NOW)
    assert len(result.recorded) == 4 and result.unpublished == 4 and result.queued == 0
    assert len(calls) == 1  # it stops knocking after the first refusal
    assert ReminderDelivery.objects.filter(queued_at__isnull=True, status="pending").count() == 4
    assert Notification.objects.count() == 0

    monkeypatch.undo()
    deadline_rules_only()
    from branchlife.celery import app

    app.conf.task_always_eager = True
    later = scan(NOW + dt.timedelta(minutes=15))
    assert later.queued == 4 and len(later.requeued) == 4 and later.recorded == []
    assert Notification.objects.count() == 4
    assert scan(NOW + dt.timedelta(minutes=30)).queued == 0


def test_it_hands_over_again_a_message_lost_by_the_broker(due_stuff, scan, settings, monkeypatch, deadline_rules_only):
    settings.REMINDER_REQUEUE_AFTER_MINUTES = 60
    monkeypatch.setattr(services, "enqueue", lambda task, *a, **k: True)  # accepted, then lost
    scan(NOW)
    monkeypatch.undo()
    deadline_rules_only()
    assert scan(NOW + dt.timedelta(minutes=59)).queued == 0
    assert scan(NOW + dt.timedelta(minutes=61)).queued == 4
    assert Notification.objects.count() == 4


def test_a_failing_rule_does_not_stop_the_others(due_stuff, scan, monkeypatch):
    class BrokenRule(Rule):
        name = "broken"
        kinds = ("broken",)

        def collect(self, **kwargs):
            raise RuntimeError("boom")

    from notifications import rules

    monkeypatch.setattr(services, "RULES", [BrokenRule(), *rules.RULES])
    result = scan(NOW)
    assert result.failed_rules == ["broken"] and result.queued == 4
