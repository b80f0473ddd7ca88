import datetime as dt

import pytest

from evaluations.models import Grade
from evaluations.policy import (
    Quota,
    correction_deadline_error,
    default_correction_until,
    disclosure_risks,
    excellent_quota,
    suggest_grades,
)

E, Q, B, U = Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED


@pytest.mark.parametrize(
    ("percent", "candidates", "quota"),
    [
        ("30%", 8, 2),
        ("30%", 28, 8),
        ("29%", 100, 29),  # a float would give int(0.29 * 100) == 28
        ("33.33%", 9, 2),
        ("100%", 5, 5),
        ("0%", 5, 0),
        ("", 8, None),
    ],
)
def test_it_computes_the_quota_exactly(percent, candidates, quota):
    assert excellent_quota(quota=Quota.parse(percent), candidates=candidates) == quota


def test_it_suggests_the_plurality_grade_with_ties_going_to_qualified():
    counts = {1: {E: 5, Q: 3}, 2: {Q: 4, B: 4}, 3: {B: 5, Q: 1}, 4: {}}
    assert suggest_grades(counts, quota=None) == {1: E, 2: Q, 3: B}


def test_it_keeps_only_the_quota_of_excellent_suggestions_by_votes():
    counts = {1: {E: 7, Q: 1}, 2: {E: 6, Q: 2}, 3: {E: 5, Q: 3}}
    assert suggest_grades(counts, quota=2) == {1: E, 2: E, 3: Q}


def test_it_drops_a_tie_at_the_quota_boundary_to_qualified():
    counts = {1: {E: 7, Q: 1}, 2: {E: 5, Q: 3}, 3: {E: 5, Q: 3}}
    assert suggest_grades(counts, quota=2) == {1: E, 2: Q, 3: Q}


def test_it_warns_about_unanimous_and_lone_votes_and_tiny_counts():
    risks = disclosure_risks(valid=8, rows=[("甲", {Q: 8}), ("乙", {Q: 7, U: 1}), ("丙", {E: 4, Q: 4})], committee={"good": 8})
    text = " ".join(risks)
    assert "甲" in text and "乙" in text and "丙" not in text
    assert "班子测评" in text
    assert disclosure_risks(valid=2, rows=[("甲", {Q: 1, E: 1})], committee={})
    assert disclosure_risks(valid=8, rows=[("丙", {E: 4, Q: 4})], committee={"good": 5, "fair": 3}) == []


def test_it_limits_a_correction_period_to_one_year():
    decided = dt.date(2026, 8, 31)
    assert default_correction_until(decided) == dt.date(2027, 2, 28)
    assert correction_deadline_error(outcome="correction", decided_on=decided, correction_until=None)
    assert correction_deadline_error(outcome="correction", decided_on=decided, correction_until=dt.date(2027, 9, 1))
    assert correction_deadline_error(outcome="correction", decided_on=decided, correction_until=dt.date(2026, 8, 30))
    assert correction_deadline_error(outcome="correction", decided_on=decided, correction_until=dt.date(2027, 8, 31)) is None
    assert correction_deadline_error(outcome="remove", decided_on=decided, correction_until=None) is None
