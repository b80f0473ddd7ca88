"""The rhythm reminder (issue 18 item 2): in the last days of a period the branch secretary is told which
三会一课 / 主题党日 requirement is not recorded yet, once per period, through the scan and its channels.

The tree is tests/activities' `build()`: 一支部 (groups 一组, 二组; users secretary, committee, member),
二支部 (group 乙组; its secretary `other`), 三支部 (nobody with a login). The clock is set by each test.
Without RhythmRules: 党员大会 and 党课 quarterly, 支委会, 党小组会 (per group) and 主题党日 monthly.
"""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from activities.models import Activity, Kind, RhythmRule
from notifications.models import Notification, ReminderDelivery
from notifications.rules.rhythm import KIND, RhythmDueRule
from tests.activities.conftest import build
from tests.notifications.conftest import at

D = dt.date
NOV_28 = at(10, day=D(2026, 11, 28))  # two days before November ends, inside Q4
DEC_29 = at(10, day=D(2026, 12, 29))  # two days before December, the quarter and the year end


@pytest.fixture(autouse=True)
def _deadline_rules(deadline_rules_only):
    """Only the deadline rules (the meeting notices are tested elsewhere)."""


@pytest.fixture
def tree(db):
    return build()


def held(branch, kind, day, group=None):
    return Activity.objects.create(branch=branch, kind=kind, held_on=day, topic="记录", party_group=group)


def by_user(dues):
    return {d.recipient_id: d for d in dues}


def test_it_tells_the_secretaries_what_this_month_has_not_recorded(tree, clock):
    clock.set(NOV_28)
    held(tree.branch, Kind.THEME_DAY, D(2026, 11, 5))
    held(tree.branch, Kind.GROUP, D(2026, 11, 6), group=tree.groups[0])
    dues = by_user(RhythmDueRule().run(now=NOV_28))
    # Each branch's secretary, nobody else (the committee member and the member are not told).
    assert set(dues) == {tree.users["secretary"].pk, tree.users["other"].pk}
    mine = dues[tree.users["secretary"].pk]
    assert (mine.kind, mine.subject, mine.due_date) == (KIND, tree.branch, D(2026, 11, 30))
    assert mine.title == "本月支委会、本月党小组会尚未记录"
    assert "本月支委会尚未记录，请在月底前开展并记录。" in mine.body
    assert "二组" in mine.body and "一组" not in mine.body.replace("二组", "")
    assert "主题党日" not in mine.body
    assert mine.url == reverse("activities:create", args=[tree.branch.pk]) + "?kind=committee"
    other = dues[tree.users["other"].pk]
    assert other.subject == tree.branch2 and other.title == "本月支委会、本月党小组会、本月主题党日尚未记录"


def test_it_waits_for_the_last_days_of_the_period(tree, clock, settings):
    five_days_before = at(10, day=D(2026, 11, 25))
    clock.set(five_days_before)
    assert RhythmDueRule().run(now=five_days_before) == []  # REMINDER_DUE_SOON_DAYS: 3
    settings.REMINDER_RHYTHM_DAYS = 5
    assert len(RhythmDueRule().run(now=five_days_before)) == 2
    settings.REMINDER_RHYTHM_DAYS = 4
    assert RhythmDueRule().run(now=five_days_before) == []


def test_it_says_nothing_once_everything_is_recorded(tree, clock):
    clock.set(NOV_28)
    for kind in (Kind.COMMITTEE, Kind.THEME_DAY):
        held(tree.branch, kind, D(2026, 11, 3))
    for group in tree.groups:
        held(tree.branch, Kind.GROUP, D(2026, 11, 4), group=group)
    assert tree.users["secretary"].pk not in by_user(RhythmDueRule().run(now=NOV_28))


def test_at_the_quarters_end_it_adds_the_quarterly_requirements(tree, clock):
    clock.set(DEC_29)
    held(tree.branch, Kind.LECTURE, D(2026, 10, 20))
    for kind in (Kind.COMMITTEE, Kind.THEME_DAY):
        held(tree.branch, kind, D(2026, 12, 3))
    for group in tree.groups:
        held(tree.branch, Kind.GROUP, D(2026, 12, 4), group=group)
    mine = by_user(RhythmDueRule().run(now=DEC_29))[tree.users["secretary"].pk]
    assert mine.due_date == D(2026, 12, 31)
    assert mine.title == "本季度支部党员大会尚未记录"
    assert mine.body == "本季度支部党员大会尚未记录，请在季度末前开展并记录。"
    assert mine.url.endswith("?kind=assembly")


def test_it_follows_the_countys_rule_and_counts_what_was_held(tree, clock):
    clock.set(NOV_28)
    RhythmRule.objects.create(organization=tree.county, kind=Kind.COMMITTEE, period="month", times=2)
    RhythmRule.objects.create(organization=tree.county, kind=Kind.THEME_DAY, period="month", times=0)
    RhythmRule.objects.create(organization=tree.county, kind=Kind.GROUP, period="quarter", times=1)
    held(tree.branch, Kind.COMMITTEE, D(2026, 11, 2))
    mine = by_user(RhythmDueRule().run(now=NOV_28))[tree.users["secretary"].pk]
    assert mine.title == "本月支委会尚未记录"
    assert mine.body == "本月支委会应开展 2 次，已记录 1 次，请在月底前开展并记录。"


def test_the_scan_tells_each_secretary_once_per_period(tree, scan):
    first = scan(NOV_28)
    assert first.queued == 2
    secretary = tree.users["secretary"]
    note = Notification.objects.get(recipient=secretary)
    assert note.url == reverse("activities:create", args=[tree.branch.pk]) + "?kind=committee"
    assert "本月支委会尚未记录" in note.body
    assert scan(NOV_28 + dt.timedelta(hours=1)).queued == 0
    assert scan(at(10, day=D(2026, 11, 30))).queued == 0  # the same period: no second reminder
    assert Notification.objects.filter(recipient=secretary).count() == 1
    assert scan(DEC_29).queued == 2  # December is a new period
    assert Notification.objects.filter(recipient=secretary).count() == 2


def test_it_tells_the_centre_at_night_and_cancels_the_email_once_recorded(tree, scan, clock):
    from notifications.services import reminder_deliver

    secretary = tree.users["secretary"]
    secretary.email = "shuji@example.org"
    secretary.save()
    night = at(23, day=D(2026, 11, 28))
    scan(night)
    delivery = ReminderDelivery.objects.get(recipient=secretary)
    # The notification centre speaks at night; email waits for the morning.
    assert Notification.objects.filter(recipient=secretary).exists() and mail.outbox == []
    assert delivery.status == "pending" and delivery.not_before == at(7, day=D(2026, 11, 29))
    for kind in (Kind.COMMITTEE, Kind.THEME_DAY):
        held(tree.branch, kind, D(2026, 11, 28))
    for group in tree.groups:
        held(tree.branch, Kind.GROUP, D(2026, 11, 28), group=group)
    morning = at(7, 30, day=D(2026, 11, 29))
    clock.set(morning)
    assert reminder_deliver(delivery_id=delivery.pk, now=morning) == "cancelled"
    assert mail.outbox == []


def test_a_branch_without_a_secretary_with_a_login_is_not_reminded(tree, clock):
    clock.set(NOV_28)
    assert {d.subject for d in RhythmDueRule().run(now=NOV_28)} == {tree.branch, tree.branch2}
