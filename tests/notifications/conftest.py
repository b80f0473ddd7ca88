import datetime as dt

import pytest

# A Wednesday morning in Asia/Shanghai: inside sending hours (the tests' one calendar, tests/clock.py).
from tests.clock import NOW, SHANGHAI, TODAY


def at(hour: int, minute: int = 0, *, day: dt.date = TODAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock(time_machine):
    """clock.set(moment) stops the whole process's clock at that moment (time-machine): timezone.now(),
    date.today() and time.time() alike, so the send task's own re-check at send time reads it too and a
    `monkeypatch.undo()` cannot hand the test back to the real date."""

    class Clock:
        moment = NOW

        def set(self, moment):
            self.moment = moment
            time_machine.move_to(moment, tick=False)

    c = Clock()
    c.set(NOW)
    return c


@pytest.fixture
def scan(eager, clock, django_capture_on_commit_callbacks):
    """Runs the scan at `now` the way the worker does (sends queued after commit), eagerly."""
    from notifications.services import reminders_scan

    def _scan(now=None, *, dry_run=False):
        now = now or clock.moment
        clock.set(now)
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_scan(now=now, dry_run=dry_run)

    return _scan


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """demo_orgs sets five passwords; the default PBKDF2 cost is most of this app's test time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def deadline_rules_only(monkeypatch):
    """The deadline reminders' tests (issue 8) count what their fixtures call for; the notices of events
    (issue 16: a meeting notice for the same meeting, a voting-open notice for the same ballot) are tested
    on their own, in test_notices.py. On the test's own `monkeypatch`, so that one undo stack restores
    everything in order; a test that calls `monkeypatch.undo()` halfway calls the returned function again."""
    from notifications import rules, services

    def apply():
        monkeypatch.setattr(services, "RULES", rules.DEADLINE_RULES)
        monkeypatch.setattr(rules, "RULES", rules.DEADLINE_RULES)

    apply()
    return apply
