"""The issue's "done when": in the demo, the scan queues what the demo calls for, a second run queues
none, and `member` sees the reminders in the notification centre."""

import datetime as dt

from django.urls import reverse

from notifications.models import Notification, ReminderDelivery
from notifications.services import reminders_due


def test_the_demo_reminders_reach_the_member_once(demo, scan, clock, login):
    # The demo's dates follow the real calendar; ten in the morning keeps email out of quiet hours.
    from django.utils import timezone

    real = timezone.localtime(dt.datetime.now(dt.UTC)).replace(hour=10, minute=0, second=0, microsecond=0)
    clock.set(real)
    expected = {due.key for due in reminders_due(now=real)}
    first = scan(real)
    assert first.queued == len(expected) > 0
    assert {(d.recipient_id, d.subject_type_id, d.subject_id, d.kind, d.due_date) for d in first.recorded} == expected
    assert scan(real + dt.timedelta(minutes=15)).queued == 0

    member_reminders = ReminderDelivery.objects.filter(recipient__username="member")
    assert member_reminders.exists() and set(member_reminders.values_list("status", flat=True)) == {"sent"}
    page = login("member").get(reverse("notifications:list")).content.decode()
    for title in member_reminders.values_list("title", flat=True):
        assert title in page
    assert Notification.objects.filter(recipient__username="member").count() == member_reminders.count()
