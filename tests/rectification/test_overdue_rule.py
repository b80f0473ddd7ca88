"""Issue 21: one overdue rule. overdue_q (SQL) and item_is_overdue (one loaded item) say the same for
every status and deadline; the past-day form (closed_by, for the quarter ranking) agrees on today."""

import datetime as dt

import pytest
from django.utils import timezone

from dashboard.quarter_ranking import overdue_on
from rectification.models import RectificationItem
from rectification.selectors import item_is_overdue, ledger_counts, overdue_q, with_overdue

from .factories import ItemFactory

Status = RectificationItem.Status


@pytest.fixture
def grid(yang):
    today = timezone.localdate()
    items = []
    for status in Status.values:
        for offset in (-5, -1, 0, 1):
            closed_at = timezone.now() if status == Status.CLOSED else None
            items.append(ItemFactory(responsible=yang, deadline=today + dt.timedelta(days=offset), status=status, closed_at=closed_at))
    return items


def test_it_agrees_between_sql_and_python(grid):
    today = timezone.localdate()
    in_sql = set(RectificationItem.objects.filter(overdue_q(today)).values_list("pk", flat=True))
    fresh = RectificationItem.objects.filter(pk__in=[i.pk for i in grid])  # no annotation: the Python twin decides
    in_python = {i.pk for i in fresh if item_is_overdue(i, on=today)}
    annotated = {i.pk for i in with_overdue(RectificationItem.objects.all(), on=today) if i.is_overdue}
    assert in_sql == in_python == annotated
    # past the deadline and not closed: 未开始, 进行中 and 待核验 at -5 and -1 days
    assert len(in_sql) == 6
    assert not RectificationItem.objects.filter(overdue_q(today), status=Status.CLOSED).exists()


def test_it_counts_the_ledger_by_the_same_rule(grid, office):
    assert ledger_counts(branch=office)["overdue"] == 6


def test_it_judges_today_the_same_with_closed_by(grid):
    today = timezone.localdate()
    now = set(RectificationItem.objects.filter(overdue_q(today)).values_list("pk", flat=True))
    as_of_today = set(RectificationItem.objects.filter(overdue_on(today, today)).values_list("pk", flat=True))
    assert now == as_of_today
    # judged as of yesterday an item closed today was still open then
    yesterday = today - dt.timedelta(days=1)
    closed_late = RectificationItem.objects.filter(status=Status.CLOSED, deadline=today - dt.timedelta(days=5))
    assert set(closed_late.filter(overdue_q(yesterday, closed_by=yesterday)).values_list("pk", flat=True)) == {closed_late.get().pk}
