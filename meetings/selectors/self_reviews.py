"""Reads of 对照检查材料: lists, neighbours, what is missing, the quality hints."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef

from organizations.models import Member

from .. import quality
from ..models import Criticism, Meeting, SelfReview, SelfReviewProblem
from .plan import meeting_members, member_order


def self_review_rows(*, meeting: Meeting, members: list[Member] | None = None, status: str = "", search: str = ""):
    """One row per member on the roll: (member, review or None), filtered by status ("missing" = none yet)."""
    members = members if members is not None else meeting_members(meeting=meeting)
    reviews = {
        r.member_id: r
        for r in SelfReview.objects.filter(meeting=meeting, kind=SelfReview.Kind.MEMBER).annotate(n_problems=Count("problems"))
    }
    rows = [(m, reviews.get(m.pk)) for m in members]
    if search:
        rows = [(m, r) for m, r in rows if search in m.name]
    if status == "missing":
        rows = [(m, r) for m, r in rows if r is None or r.status not in SelfReview.DONE_STATUSES]
    elif status:
        rows = [(m, r) for m, r in rows if r is not None and r.status == status]
    return rows


@dataclass(frozen=True)
class ReviewNeighbours:
    previous: SelfReview | None
    next: SelfReview | None
    next_waiting: SelfReview | None  # the next one (after this, wrapping round) submitted and not yet decided


def self_review_neighbours(*, review: SelfReview) -> ReviewNeighbours:
    """The reviews before and after this one in the list's order (the roll's), so the secretary goes from one
    to the next without the list (issue 24 item 15); two queries."""
    rows = [(m, r) for m, r in self_review_rows(meeting=review.meeting) if r is not None]
    ids = [r.pk for _m, r in rows]
    if review.pk not in ids:
        return ReviewNeighbours(None, None, None)
    i = ids.index(review.pk)
    later = [r for _m, r in rows[i + 1:] + rows[:i]]
    return ReviewNeighbours(
        previous=rows[i - 1][1] if i > 0 else None,
        next=rows[i + 1][1] if i + 1 < len(rows) else None,
        next_waiting=next((r for r in later if r.status == SelfReview.Status.SUBMITTED), None),
    )


def self_reviews_missing(*, meeting: Meeting) -> list[Member]:
    """Members on the roll whose self-review is not submitted (none, draft, or returned for changes)."""
    done = SelfReview.objects.filter(
        meeting=meeting, member_id=OuterRef("pk"), status__in=SelfReview.DONE_STATUSES
    )
    qs = Member.objects.filter(branch_id=meeting.branch_id, is_active=True).exclude(Exists(done))
    return sorted(qs, key=member_order)


def committee_review(*, meeting: Meeting) -> SelfReview | None:
    return SelfReview.objects.filter(meeting=meeting, kind=SelfReview.Kind.COMMITTEE).first()


def earlier_texts(*, member: Member, before_year: int) -> list[quality.Earlier]:
    """What this member found (and, from issue 5 on, received as criticism) in earlier years."""
    rows = SelfReviewProblem.objects.filter(
        review__member=member, review__meeting__year__lt=before_year
    ).values_list("review__meeting__year", "text")
    earlier = [quality.Earlier(year, text) for year, text in rows]
    earlier += earlier_criticisms(member=member, before_year=before_year)
    return earlier


def earlier_criticisms(*, member: Member, before_year: int) -> list[quality.Earlier]:
    rows = Criticism.objects.filter(receiver=member, meeting__year__lt=before_year).values_list("meeting__year", "text")
    return [quality.Earlier(year, text) for year, text in rows]


@dataclass
class ReviewHints:
    problems: dict[int, list[quality.Hint]] = field(default_factory=dict)  # by position
    measures: list[quality.Hint] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(h) for h in self.problems.values()) + len(self.measures)

    def as_dict(self) -> dict:
        return {
            "problems": {str(k): [h.as_dict() for h in v] for k, v in self.problems.items()},
            "measures": [h.as_dict() for h in self.measures],
            "count": self.count,
        }


def review_hints(*, meeting: Meeting, member: Member | None, problems: list[tuple[str, str]], measures: str) -> ReviewHints:
    """Hints for a self-review being written: `problems` is [(text, measure)] in order."""
    earlier = earlier_texts(member=member, before_year=meeting.year) if member else []
    hints = ReviewHints(measures=quality.measure_hints(measures))
    for i, (text, measure) in enumerate(problems):
        found = quality.problem_hints(text, earlier) + quality.measure_hints(measure)
        if found:
            hints.problems[i] = found
    return hints


def self_review_hints(*, review: SelfReview) -> ReviewHints:
    problems = [(p.text, p.measure) for p in review.problems.all()]
    return review_hints(meeting=review.meeting, member=review.member, problems=problems, measures=review.measures)
