"""The scoring module's arithmetic, without a database."""

import datetime as dt
from decimal import Decimal

from dashboard.scoring import (
    SCORE_PARTS,
    BranchRow,
    MeetingFacts,
    TalkCounts,
    finish,
    is_over_quota,
    meeting_flags,
    percent,
    rank,
    share,
    talk_requirements,
)
from evaluations.policy import Quota

TODAY = dt.date(2026, 11, 25)


def test_it_divides_exactly_and_never_by_zero():
    assert share(1, 3, 30) == Decimal(10)
    assert share(5, 0, 10) == 0
    assert percent(1, 3) == Decimal("33.3") and percent(2, 3) == Decimal("66.7")
    assert percent(0, 0) is None


def test_the_score_is_out_of_one_hundred_with_forty_for_rectification():
    assert sum(points for _k, _l, points in SCORE_PARTS) == 100
    assert sum(points for k, _l, points in SCORE_PARTS if k in ("closing", "quality")) == 40


def test_it_counts_required_talks_rule_by_rule():
    counts = TalkCounts(has_secretary=True, committee_pairs_done=2, ordinary_with_committee=3, ordinary_with_ordinary=1,
                        secretary_partners=4, secretary_leader=True, secretary_recipient=False)
    three = ["committee_each_other", "committee_with_members", "members_each_other"]
    four = ["committee_each_other", "leader_with_secretary", "members_each_other", "secretary_with_recipients"]
    assert talk_requirements(rules=three, members=6, committee=3, counts=counts) == (6, 9)
    assert talk_requirements(rules=four, members=6, committee=3, counts=counts) == (4, 8)
    assert talk_requirements(rules=["secretary_with_each"], members=6, committee=3, counts=counts) == (4, 5)
    # A lone ordinary member has nobody to talk with as "党员之间"; without a secretary no secretary rules.
    assert talk_requirements(rules=["members_each_other"], members=4, committee=3, counts=counts) == (0, 0)
    assert talk_requirements(rules=four, members=6, committee=3, counts=TalkCounts()) == (0, 6)


def test_it_checks_the_quota_in_exact_arithmetic():
    assert is_over_quota(quota=Quota.parse("30%"), candidates=8, excellent=3)  # 30% of 8 = 2.4 → 2
    assert not is_over_quota(quota=Quota.parse("30%"), candidates=8, excellent=2)
    assert not is_over_quota(quota=None, candidates=8, excellent=8)  # no cap set
    assert not is_over_quota(quota=Quota.parse("1/3"), candidates=30, excellent=10)  # 33.33% would allow 9


def test_it_flags_only_what_is_past_its_deadline():
    meeting = MeetingFacts(id=1, branch_id=1, held_on=TODAY + dt.timedelta(days=5), supervisors=1,
                           opinions_close_on=TODAY - dt.timedelta(days=1), talks_due_on=TODAY + dt.timedelta(days=1),
                           self_reviews_due_on=TODAY - dt.timedelta(days=1))
    flags = meeting_flags(meeting=meeting, today=TODAY, opinions=3, opinions_open=1, talks_done=0, talks_required=5,
                          reviews_missing=2, determined=False, items=0, over_quota=False)
    assert flags == {"opinions_unanswered", "self_reviews_late"}  # talks are not due yet


def test_it_flags_a_held_meeting_that_is_not_followed_up():
    meeting = MeetingFacts(id=1, branch_id=1, held_on=TODAY - dt.timedelta(days=20), closed=True, supervisors=1,
                           rectification_plans_due_on=TODAY - dt.timedelta(days=2))
    flags = meeting_flags(meeting=meeting, today=TODAY, opinions=2, opinions_open=0, talks_done=5, talks_required=5,
                          reviews_missing=0, determined=False, items=0, over_quota=False, members=10, present=7)
    assert flags == {"not_evaluated", "plans_late", "attendance_low"}  # 7 of 10 is below 80%


def test_it_scores_a_branch_from_its_counts():
    row = BranchRow(id=1, name="支部", path="0001", members=10, meetings=1, dated=1, supervised=0, held=1,
                    opinions=4, opinions_answered=2, talks_done=3, talks_required=6, reviews_done=10,
                    reviews_required=10, evaluations=1, evaluations_determined=1, over_quota=1, items=5,
                    items_by_status={"closed": 4}, items_closed_on_time=3, items_rebound=1)
    finish(row)
    assert row.parts == {
        "plan": Decimal(5), "opinions": Decimal("7.5"), "talks": Decimal(5), "self_reviews": Decimal(10),
        "meeting": Decimal(10), "evaluation": Decimal(5), "closing": Decimal(16), "quality": Decimal(8),
    }
    assert row.score == Decimal("66.5")


def test_a_branch_without_a_meeting_scores_zero_and_says_why():
    row = finish(BranchRow(id=1, name="支部", path="0001", members=10))
    assert row.score == 0 and row.flags == ["no_meeting"]


def test_it_ranks_equal_scores_equally():
    rows = [BranchRow(id=i, name=str(i), path=f"000{i}", score=Decimal(s)) for i, s in enumerate([50, 70, 50, 10])]
    assert [(r.id, r.rank) for r in rank(rows)] == [(1, 1), (0, 2), (2, 2), (3, 4)]
