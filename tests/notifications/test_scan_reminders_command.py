import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from notifications.models import Notification, ReminderDelivery
from tests.notifications.conftest import TODAY
from tests.notifications.factories import MeetingFactory


@pytest.fixture
def due(demo_orgs):
    return MeetingFactory(branch=demo_orgs.orgs["office"], self_reviews_due_on=TODAY + dt.timedelta(days=1))


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("scan_reminders", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_it_prints_how_many_it_queued_and_nothing_the_second_time(due, eager, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = run()
    assert first.startswith("2 reminders queued (2 new")
    assert Notification.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        second = run()
    assert second.startswith("0 reminders queued")
    assert ReminderDelivery.objects.count() == 2 and Notification.objects.count() == 2


def test_the_dry_run_lists_the_reminders_and_records_nothing(due, clock):
    out = run("--dry-run")
    assert out.count("self_review_due") == 2 and "对照检查材料" in out
    assert "2 reminders would be queued" in out
    assert not ReminderDelivery.objects.exists()


def test_it_can_pretend_another_time(due):
    assert "0 reminders would be queued" in run("--dry-run", "--now", "2026-12-20T09:00")
    assert "2 reminders would be queued" in run("--dry-run", "--now", f"{TODAY}T09:00")
    with pytest.raises(CommandError):
        run("--now", "tomorrow")


@pytest.fixture
def due_committed(transactional_db):
    from organizations.demo import seed

    ctx = seed()
    return MeetingFactory(branch=ctx.orgs["office"], self_reviews_due_on=TODAY + dt.timedelta(days=1))


def test_it_says_so_when_the_broker_is_down(due_committed, clock, monkeypatch):
    # Autocommit, as from the shell: the publish happens inside the command and fails.
    monkeypatch.setattr("notifications.services.enqueue", lambda task, *a, **k: False)
    out = run()
    assert out.startswith("0 reminders queued (2 new")
    assert "2 reminders are recorded but the broker is unavailable" in out
    assert ReminderDelivery.objects.filter(queued_at__isnull=True).count() == 2


@pytest.mark.django_db(transaction=True)
def test_sync_sends_in_this_process_and_leaves_the_app_as_it_was(due, clock):
    """Called in-process (a test, a shell), --sync must not leave every later task eager. (Committed
    for real, as on the command line: the sends are queued on commit, inside the command.)"""
    from branchlife.celery import app

    assert app.conf.task_always_eager is False
    assert run("--sync").startswith("2 reminders queued")
    assert Notification.objects.count() == 2  # sent here, without a worker
    assert app.conf.task_always_eager is False
