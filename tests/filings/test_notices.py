"""The upward review's notices go through the reminder scan: the reviewers hear of a submission, the branch's
secretary of a return (with the reason) or an approval; each step once; a step already answered is not news."""

import pytest
from django.utils import timezone

from filings import services
from filings.models import Filing
from notifications.models import Kind, Notification
from notifications.rules.filings import FilingEventRule


@pytest.fixture
def scan(django_capture_on_commit_callbacks, time_machine):
    from branchlife.celery import app
    from notifications.services import reminders_scan

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True

    def _scan():
        now = timezone.now()  # the clock stops here (inside sending hours: the tests start at tests.clock.NOW)
        time_machine.move_to(now, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_scan(now=now)

    yield _scan
    app.conf.task_always_eager = old


def notices(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_it_tells_the_township_of_a_submission_and_the_secretary_of_the_return(tree, scan):
    users = tree.users
    filing = services.filing_submit(meeting=tree.meeting, kind="plan", user=users["sec1"])
    scan()
    [told] = notices(users["town1"], Kind.FILING_SUBMITTED)
    assert "一支部报送了方案报备" in told.title
    assert not notices(users["town2"], Kind.FILING_SUBMITTED)  # another township is not told
    assert not notices(users["county_officer"], Kind.FILING_SUBMITTED)  # the reviewing node's officers only

    services.filing_review(filing=filing, user=users["town1"], approve=False, reason="请补充会前学习安排。")
    scan()
    [returned] = notices(users["sec1"], Kind.FILING_RETURNED)
    assert "请补充会前学习安排。" in returned.body
    assert not notices(users["mem1"], Kind.FILING_RETURNED)

    scan()  # a second scan sends nothing again
    assert len(notices(users["sec1"], Kind.FILING_RETURNED)) == 1
    assert len(notices(users["town1"], Kind.FILING_SUBMITTED)) == 1


def test_it_tells_the_secretary_of_an_approval(tree, scan):
    users = tree.users
    filing = services.filing_submit(meeting=tree.meeting, kind="plan", user=users["sec1"])
    services.filing_review(filing=filing, user=users["town1"], approve=True, reason="")
    scan()
    assert len(notices(users["sec1"], Kind.FILING_APPROVED)) == 1
    # The submission was reviewed before the scan: it is no longer news for the reviewer.
    assert not notices(users["town1"], Kind.FILING_SUBMITTED)


def test_a_township_without_an_officer_goes_to_the_county(tree, scan):
    from organizations.models import Officer

    Officer.objects.filter(organization=tree.town1).delete()
    services.filing_submit(meeting=tree.meeting, kind="plan", user=tree.users["sec1"])
    scan()
    assert len(notices(tree.users["county_officer"], Kind.FILING_SUBMITTED)) == 1


def test_the_send_time_check_drops_a_return_already_answered(tree):
    users = tree.users
    filing = services.filing_submit(meeting=tree.meeting, kind="plan", user=users["sec1"])
    services.filing_review(filing=filing, user=users["town1"], approve=False, reason="缺议程。")
    returned = Filing.objects.get().events.get(action="return")
    rule = FilingEventRule()
    assert [d.kind for d in rule.run(now=timezone.now(), subject=returned)] == [Kind.FILING_RETURNED]
    services.filing_submit(meeting=tree.meeting, kind="plan", user=users["sec1"])
    assert rule.run(now=timezone.now(), subject=returned) == []
