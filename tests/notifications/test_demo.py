"""The issue's "done when": in the demo, the scan queues what the demo calls for, a second run queues
none, and `member` sees the reminders in the notification centre — on any day the demo is built."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Notification, ReminderDelivery
from notifications.services import reminders_due

from .conftest import SHANGHAI

# Days spread over the year; ten in the morning keeps email out of quiet hours.
DAYS = [dt.date(2026, 12, 6), dt.date(2027, 1, 20), dt.date(2027, 6, 24)]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_demo_reminders_reach_the_member_once(day, db, scan, clock, login):
    morning = dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)
    clock.set(morning)
    call_command("seed_demo", stdout=io.StringIO())
    expected = {due.key for due in reminders_due(now=morning)}
    first = scan(morning)
    assert first.queued == len(expected) > 0
    assert {(d.recipient_id, d.subject_type_id, d.subject_id, d.kind, d.due_date) for d in first.recorded} == expected
    assert scan(morning + dt.timedelta(minutes=15)).queued == 0

    member_reminders = ReminderDelivery.objects.filter(recipient__username="member")
    assert member_reminders.exists() and set(member_reminders.values_list("status", flat=True)) == {"sent"}
    page = login("member").get(reverse("notifications:list")).content.decode()
    for title in member_reminders.values_list("title", flat=True):
        assert title in page
    assert Notification.objects.filter(recipient__username="member").count() == member_reminders.count()
