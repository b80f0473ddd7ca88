"""Problems that come back (issue 20 item 3): "屡改屡在" for a member.

A problem *came back* when the same member had the same problem — by `meetings.quality`'s matcher, word for
word or said differently — at an earlier meeting of the same branch, in an earlier year. The link is
computed once, when a problem list is built (`link_meeting`), and stored on the later problem
(`Problem.recurs_of`, with `streak`: how many years running it has been found), because a county reads it
across tens of thousands of problems and the matcher runs jieba: a page must only count stored links.

`recurrences_of(problems)` then tells, for any number of problems in four queries, the earlier problem,
the item that rectified it, when it was closed, and whether 回头看 found a rebound.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max
from rapidfuzz import fuzz

from meetings import quality

# The matcher's concepts, memoized per text: a branch's list compares each problem with every earlier one
# of the same member, and scale data repeats texts. The comparison below is quality.is_same_problem's,
# term for term (tests/rectification/test_recurrence.py checks both agree on the labelled pairs).
_concepts = functools.lru_cache(maxsize=20_000)(quality.concepts)


@functools.lru_cache(maxsize=50_000)
def same_problem(a: str, b: str) -> bool:
    """quality.is_same_problem with the concepts memoized."""
    if quality.is_repeat(a, b):
        return True
    ca, cb = _concepts(a), _concepts(b)
    if not ca or not cb:
        return False
    return fuzz.token_set_ratio(" ".join(sorted(ca)), " ".join(sorted(cb))) >= quality.SAME_PROBLEM_THRESHOLD


@dataclass(frozen=True)
class Row:
    """What linking needs of a problem: plain values, so that the data migration can use it too."""

    id: int
    member_id: int
    branch_id: int
    year: int
    text: str
    streak: int = 1


def best_match(row: Row, earlier: Iterable[Row]) -> Row | None:
    """The earlier problem `row` repeats: of the latest earlier year that has one, a word-for-word repeat
    before a rewording, then the first on the list."""
    candidates = sorted(
        (e for e in earlier if e.member_id == row.member_id and e.branch_id == row.branch_id and e.year < row.year),
        key=lambda e: (-e.year, e.id),
    )
    found: list[Row] = []
    for e in candidates:
        if found and e.year < found[0].year:
            break
        if same_problem(row.text, e.text):
            found.append(e)
    if not found:
        return None
    return sorted(found, key=lambda e: not quality.is_repeat(row.text, e.text))[0]


def link(rows: list[Row], earlier: list[Row]) -> dict[int, tuple[int | None, int]]:
    """{row id: (earlier id or None, streak)} for `rows` (one year) against `earlier` (their stored streaks)."""
    by_member: dict[tuple[int, int], list[Row]] = {}
    for e in earlier:
        by_member.setdefault((e.member_id, e.branch_id), []).append(e)
    result = {}
    for row in rows:
        match = best_match(row, by_member.get((row.member_id, row.branch_id), ()))
        if match is None:
            result[row.id] = (None, 1)
        else:
            result[row.id] = (match.id, match.streak + 1 if match.year == row.year - 1 else 1)
    return result


def link_meeting(*, meeting) -> int:
    """Link each member's problems of `meeting` to the earlier year's matching problem; returns how many came
    back. Two reads (this list, the members' earlier lists in the branch) and one bulk write."""
    from .models import Problem

    mine = list(
        Problem.objects.filter(meeting=meeting, member__isnull=False, merged_into__isnull=True).only(
            "id", "member_id", "text", "recurs_of_id", "streak"
        )
    )
    if not mine:
        return 0
    earlier = [
        Row(p.id, p.member_id, meeting.branch_id, p.meeting.year, p.text, p.streak)
        for p in Problem.objects.filter(
            meeting__branch_id=meeting.branch_id,
            meeting__year__lt=meeting.year,
            member_id__in={p.member_id for p in mine},
            merged_into__isnull=True,
        ).select_related("meeting").only("id", "member_id", "text", "streak", "meeting__year")
    ]
    links = link([Row(p.id, p.member_id, meeting.branch_id, meeting.year, p.text) for p in mine], earlier)
    changed = []
    for p in mine:
        recurs_of_id, streak = links[p.id]
        if (p.recurs_of_id, p.streak) != (recurs_of_id, streak):
            p.recurs_of_id, p.streak = recurs_of_id, streak
            changed.append(p)
    Problem.objects.bulk_update(changed, ["recurs_of", "streak"])
    return sum(1 for recurs_of_id, _s in links.values() if recurs_of_id)


# ---------------------------------------------------------------- reading: "this came back"
@dataclass
class Recurrence:
    """The earlier problem a later one repeats, and what became of its rectification."""

    problem_id: int
    earlier_id: int
    earlier_text: str
    earlier_year: int
    streak: int
    item_id: int | None = None
    item_title: str = ""
    item_status: str = ""
    item_status_display: str = ""
    closed_at: dt.datetime | None = None
    follow_up_on: dt.date | None = None
    rebound: bool | None = None  # None: no 回头看 recorded

    @property
    def was_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def not_fixed(self) -> bool:
        """整改不到位: the earlier item was closed (销号) — it still is, or 回头看 (only done on a closed item)
        reopened it — and the problem came back all the same. dashboard.recurring counts the same in SQL."""
        return self.item_status == "closed" or self.follow_up_on is not None


def recurrences_of(problems: Iterable) -> dict[int, Recurrence]:
    """{problem id: Recurrence} for the problems (Problem rows) that came back. Whatever their number: one
    query each for the earlier problems, their items, when those were closed and their 回头看 — none if
    nothing recurs.

    The item shown is the one that rectified the earlier problem: a closed one first, else the latest."""
    from .models import FollowUpReview, ItemHistory, Problem, RectificationItem

    later = {p.pk: p for p in problems if p.recurs_of_id}
    if not later:
        return {}
    earlier = {
        e.pk: e
        for e in Problem.objects.filter(pk__in={p.recurs_of_id for p in later.values()})
        .select_related("meeting")
        .only("id", "text", "meeting__year")
    }
    links = list(
        Problem.items.through.objects.filter(problem_id__in=earlier)
        .select_related("rectificationitem")
        .only("problem_id", "rectificationitem__id", "rectificationitem__title", "rectificationitem__status",
              "rectificationitem__closed_at")
    )
    item_of: dict[int, RectificationItem] = {}
    for link_row in links:
        item, current = link_row.rectificationitem, item_of.get(link_row.problem_id)
        if current is None or _rank(item) > _rank(current):
            item_of[link_row.problem_id] = item
    # When it was closed: a rebound at 回头看 reopens the item (closed_at empties), so the history says it.
    closed_on = dict(
        ItemHistory.objects.filter(item_id__in={i.pk for i in item_of.values()}, action=ItemHistory.Action.CLOSED)
        .values("item_id")
        .annotate(last=Max("at"))
        .values_list("item_id", "last")
    ) if item_of else {}
    reviews: dict[int, FollowUpReview] = {}
    for review in FollowUpReview.objects.filter(item_id__in={i.pk for i in item_of.values()}).order_by(
        "reviewed_on", "id"
    ):
        reviews[review.item_id] = review  # the latest 回头看 says how it stands
    result = {}
    for pk, p in later.items():
        e = earlier.get(p.recurs_of_id)
        if e is None:
            continue
        r = Recurrence(pk, e.pk, e.text, e.meeting.year, p.streak)
        item = item_of.get(e.pk)
        if item is not None:
            r.item_id, r.item_title, r.item_status = item.pk, item.title, item.status
            r.item_status_display = item.get_status_display()
            r.closed_at = item.closed_at or closed_on.get(item.pk)
            review = reviews.get(item.pk)
            if review is not None:
                r.follow_up_on = review.reviewed_on
                r.rebound = review.result == FollowUpReview.Result.REBOUND
        result[pk] = r
    return result


def _rank(item) -> tuple:
    return (item.status == item.Status.CLOSED, item.pk)
