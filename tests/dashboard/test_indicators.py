"""Each indicator's arithmetic on the small known county of conftest.py."""

from decimal import Decimal

from dashboard import selectors
from dashboard.scoring import FLAGS

from .conftest import YEAR


def compute(known, node=None):
    return selectors.compute_dashboard(node=node or known.county, season=selectors.Season(YEAR))


def test_it_counts_meetings_supervisors_and_attendance(known):
    data = compute(known)
    b1, b2, b3 = (data.row(b.pk) for b in (known.b1, known.b2, known.b3))
    assert (b1.meetings, b1.dated, b1.held, b1.supervised, b1.supervisors_present) == (1, 1, 1, 1, 1)
    assert (b2.meetings, b2.dated, b2.held, b2.supervised) == (1, 1, 0, 0)
    assert b3.meetings == 0  # last year's meeting is another season
    assert (b1.members, b1.committee) == (6, 3)  # the inactive member is not counted
    assert b1.present == 5 and b2.present is None
    assert (data.totals.meetings, data.totals.held, data.totals.branches_with_meeting) == (2, 1, 2)


def test_it_counts_opinions_once_each_without_merged_duplicates(known):
    b1 = compute(known).row(known.b1.pk)
    assert (b1.opinions, b1.opinions_open, b1.opinions_answered, b1.opinions_resolved) == (4, 1, 1, 2)
    assert (b1.opinions_done, b1.opinions_claimed, b1.opinions_forum) == (3, 1, 2)


def test_it_counts_required_talks_by_the_meetings_rules(known):
    data = compute(known)
    b1, b2 = data.row(known.b1.pk), data.row(known.b2.pk)
    # 三个必谈 over 3 committee + 3 ordinary members: 3 + 3 + 3 required; 1 + 1 + 2 done.
    assert (b1.talks_done, b1.talks_required) == (4, 9)
    assert b1.talks_percent == Decimal("44.4")
    # 1 committee member, 3 ordinary: 0 committee pairs + 3 + 3 required, none done.
    assert (b2.talks_done, b2.talks_required) == (0, 6)


def test_it_counts_self_reviews_submitted_or_approved(known):
    b1 = compute(known).row(known.b1.pk)
    assert (b1.reviews_done, b1.reviews_required, b1.reviews_returned, b1.committee_reviews_done) == (4, 6, 1, 1)
    assert b1.reviews_percent == Decimal("66.7")


def test_it_counts_final_grades_turnout_and_the_quota(known):
    data = compute(known)
    b1 = data.row(known.b1.pk)
    assert b1.grades == {"excellent": 1, "qualified": 4, "basic": 1, "unqualified": 0}
    assert (b1.evaluations, b1.evaluations_determined, b1.candidates, b1.over_quota) == (1, 1, 6, 0)
    assert (b1.voters, b1.voted) == (6, 5)
    shares = {g: share for g, _n, share in data.totals.grade_shares}
    assert shares == {"excellent": Decimal("16.7"), "qualified": Decimal("66.7"), "basic": Decimal("16.7"),
                      "unqualified": Decimal("0.0")}


def test_it_flags_a_quota_exceeded(known):
    from evaluations.models import Candidate

    Candidate.objects.filter(member=known.m1["支委乙"]).update(final_grade="excellent")  # 2 > 30% of 6
    b1 = compute(known).row(known.b1.pk)
    assert b1.over_quota == 1 and "quota_exceeded" in b1.flags


def test_it_counts_rectification_items_by_status_and_deadline(known):
    b1 = compute(known).row(known.b1.pk)
    assert b1.items == 4
    assert b1.items_by_status == {"not_started": 0, "in_progress": 1, "pending": 1, "closed": 2}
    assert (b1.items_overdue, b1.items_closed_on_time, b1.items_rebound) == (1, 1, 1)
    assert b1.closing_percent == Decimal("50.0")


def test_it_explains_why_each_branch_is_behind(known):
    data = compute(known)
    assert data.row(known.b1.pk).flags == ["opinions_unanswered", "talks_late", "self_reviews_late", "items_overdue"]
    assert data.row(known.b2.pk).flags == ["no_supervisor"]
    assert data.row(known.b3.pk).flags == ["no_meeting"]
    assert data.totals.behind == 3
    assert {k: n for k, n in data.totals.flag_counts.items() if n} == {
        "no_meeting": 1, "no_supervisor": 1, "opinions_unanswered": 1, "talks_late": 1, "self_reviews_late": 1,
        "items_overdue": 1,
    }
    assert set(data.totals.flag_counts) == set(FLAGS)


def test_it_scores_and_ranks_by_the_work_done(known):
    data = compute(known)
    b1 = data.row(known.b1.pk)
    # 10 + (5 + 3/4×5) + 4/9×10 + 4/6×10 + 10 + 10 + 2/4×20 + (1−1)/4×20 = 59.86…
    assert b1.parts["opinions"] == Decimal("8.75")
    assert b1.parts["quality"] == 0
    assert b1.score == Decimal("59.9")
    assert data.row(known.b2.pk).score == Decimal("5.0")  # a date but no supervisor
    assert [(r.name, r.rank) for r in data.rows] == [("一支部", 1), ("二支部", 2), ("三支部", 3)]


def test_it_sums_each_child_for_the_drill_down(known):
    data = compute(known)
    (t1, first), (t2, second) = [(c.node.name, c.totals) for c in data.children]
    assert (t1, first.branches, first.members, first.meetings, first.items_overdue) == ("第一镇", 2, 10, 2, 1)
    assert (t2, second.branches, second.members, second.meetings) == ("第二镇", 1, 5, 0)
    assert first.average_score == Decimal("32.5")  # (59.9 + 5.0) / 2, rounded half up
    assert data.totals.members == 15 and data.totals.branches == 3


def test_it_computes_a_township_or_a_branch_alone(known):
    town = compute(known, known.towns[0])
    assert [r.name for r in town.rows] == ["一支部", "二支部"]
    assert [c.node.name for c in town.children] == ["一支部", "二支部"]
    branch = compute(known, known.b1)
    assert [r.name for r in branch.rows] == ["一支部"] and branch.children == []
    assert branch.totals.items == 4


def test_it_lists_the_branches_behind_an_indicator(known):
    data = compute(known)
    assert [r.name for r in selectors.branch_rows(data=data, flag="talks_late")] == ["一支部"]
    assert [r.name for r in selectors.branch_rows(data=data, flag="behind", sort="-rank")] == ["三支部", "二支部", "一支部"]
    assert [r.name for r in selectors.branch_rows(data=data, search="二")] == ["二支部"]


def test_it_lists_overdue_items_under_a_node(known):
    items = selectors.item_list(node=known.county, season=selectors.Season(YEAR), state="overdue")
    assert [i.title for i in items] == ["逾期未完成"]
    assert selectors.item_list(node=known.towns[1], season=selectors.Season(YEAR)).count() == 0
