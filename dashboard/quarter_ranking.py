"""The township's quarterly work ranking of its branches (issue 18 item 5; seed 004: "每季度有工作排位").

The annual score (dashboard.scoring, /dashboard/ranking/) judges one meeting season; this ranks the
branches under a node quarter by quarter, by the work recorded — never by clicks, log-ins or time online
(the 2023 rules against "指尖上的形式主义"). Score 0–100, three parts, each shown beside the total:

  三会一课和主题党日   50  units met / units ended × 50 (activities.rhythm: a unit is one period's
                          requirement of one kind, per party group for 党小组会; the periods that end in
                          the quarter; a period still running counts once it is met). Nothing due: 50.
  年度组织生活会进度   25  the annual meeting's steps done by the quarter's last day (or today):
                          意见已征求 5 (an opinion received), 会议已召开 10 (meeting closed),
                          组织评定已完成 5, 整改台账已建立 5 (an item of the meeting created).
                          Q4 of year Y counts the meeting of year Y; Q1–Q3 of Y+1 count that same meeting
                          (it is normally held in Q4, late ones by February, its rectification runs on).
  整改落实             25  按期销号 15: items whose deadline fell in the quarter (up to today in the
                          current quarter) closed by their deadline / those items × 15 (none due: 15);
                          无逾期 10: no item of the branch overdue at the quarter's end (0 otherwise).

Every part is computed from dated facts (an activity's day, a meeting's closing time, a determination
time, an item's deadline and closing time), so a past quarter is recomputed as it stood at its end; the
movement compares with the previous quarter computed the same way over the same branches. Equal scores
share a rank (1, 2, 2, 4), ties listed in tree order. Decimal arithmetic, one decimal, half-up.

Queries: six whatever the number of branches (the tree, activities.rhythm's three, the meetings' steps,
the items), for both quarters at once. Publishing (`ranking_publish`) freezes the rows into
activities.RankingPublication, which the township's branches read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Kind, RankingPublication
from activities.rhythm import KINDS, Quarter, State, branch_rhythms
from meetings.models import Meeting, Opinion
from organizations.models import Organization
from rectification.models import RectificationItem
from rectification.selectors import overdue_q

from .scoring import rank

BRANCH = Organization.Level.BRANCH
GROUP = Organization.Level.GROUP
TOWNSHIP = Organization.Level.TOWNSHIP
ZERO = Decimal(0)
TENTH = Decimal("0.1")

PARTS: list[tuple[str, str, int]] = [
    ("rhythm", _("三会一课和主题党日"), 50),
    ("meeting", _("年度组织生活会进度"), 25),
    ("rectification", _("整改落实"), 25),
]
RHYTHM_POINTS = 50
MEETING_STEPS: list[tuple[str, str, int]] = [
    ("opinions", _("已征求意见"), 5),
    ("held", _("会议已召开"), 10),
    ("determined", _("已完成组织评定"), 5),
    ("ledger", _("已建立整改台账"), 5),
]
ON_TIME_POINTS = 15
NONE_OVERDUE_POINTS = 10


# ---------------------------------------------------------------- the quarter
def season_year(q: Quarter) -> int:
    """The year of the annual meeting a quarter counts (see the module docstring)."""
    return q.year if q.quarter == 4 else q.year - 1


def judged_on(q: Quarter, today: dt.date) -> dt.date:
    """The day on which rectification's overdue rule is applied: the day after the quarter's end, or
    today while it runs (an item due today is not yet late)."""
    return q.end + dt.timedelta(days=1) if q.ended(today) else today


def last_ended_quarter(today: dt.date) -> Quarter:
    return Quarter.of(today).previous


# ---------------------------------------------------------------- one branch's quarter
@dataclass
class QuarterRow:
    id: int
    name: str
    path: str
    parent_names: list[str] = field(default_factory=list)
    # 三会一课 and 主题党日: units met / missing / still running, and the kinds with a unit missing
    rhythm_met: int = 0
    rhythm_missing: int = 0
    rhythm_pending: int = 0
    missing_kinds: list[str] = field(default_factory=list)
    # the annual meeting counted this quarter: whether the branch has one, and each step done by then
    has_meeting: bool = False
    steps: dict[str, bool] = field(default_factory=dict)
    # rectification items due in the quarter (so far), closed by their deadline, overdue at its end
    items_due: int = 0
    items_on_time: int = 0
    items_overdue: int = 0
    # derived
    parts: dict[str, Decimal] = field(default_factory=dict)
    score: Decimal = ZERO
    rank: int = 0
    previous_rank: int | None = None
    previous_score: Decimal | None = None

    @property
    def movement(self) -> int | None:
        """Places gained since the previous quarter (negative: lost); None without a previous rank."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def places(self) -> int:
        """The movement's size, for "▲ 3" / "▼ 3"."""
        return abs(self.movement or 0)

    @property
    def rhythm_ended(self) -> int:
        return self.rhythm_met + self.rhythm_missing

    @property
    def part_values(self) -> list[Decimal]:
        return [self.parts.get(key, ZERO) for key, _label, _points in PARTS]

    @property
    def part_table(self) -> list[tuple[str, Decimal, int]]:
        return [(str(label), self.parts.get(key, ZERO), points) for key, label, points in PARTS]

    @property
    def missing_kind_labels(self) -> list[str]:
        return [str(Kind(k).label) for k in self.missing_kinds if k in Kind.values]

    @property
    def step_labels(self) -> list[tuple[str, bool]]:
        return [(str(label), bool(self.steps.get(key))) for key, label, _points in MEETING_STEPS]

    def to_json(self) -> dict:
        """The row as frozen in a RankingPublication (Decimals as text)."""
        return {
            "branch": self.id, "name": self.name, "parent_names": self.parent_names, "rank": self.rank,
            "score": str(self.score), "parts": {k: str(v) for k, v in self.parts.items()},
            "previous_rank": self.previous_rank,
            "previous_score": None if self.previous_score is None else str(self.previous_score),
            "facts": {
                "rhythm_met": self.rhythm_met, "rhythm_missing": self.rhythm_missing,
                "rhythm_pending": self.rhythm_pending, "missing_kinds": self.missing_kinds,
                "has_meeting": self.has_meeting, "steps": self.steps, "items_due": self.items_due,
                "items_on_time": self.items_on_time, "items_overdue": self.items_overdue,
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> QuarterRow:
        facts = data.get("facts", {})
        previous = data.get("previous_score")
        return cls(
            id=data["branch"], name=data["name"], path="", parent_names=data.get("parent_names", []),
            rank=data["rank"], score=Decimal(data["score"]),
            parts={k: Decimal(v) for k, v in data.get("parts", {}).items()},
            previous_rank=data.get("previous_rank"), previous_score=None if previous is None else Decimal(previous),
            **{k: facts[k] for k in ("rhythm_met", "rhythm_missing", "rhythm_pending", "missing_kinds", "has_meeting",
                                     "steps", "items_due", "items_on_time", "items_overdue") if k in facts},
        )


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def score_parts(row: QuarterRow) -> dict[str, Decimal]:
    """The three parts of the module docstring (pure: tested on known numbers)."""
    ended = row.rhythm_ended
    rhythm = Decimal(row.rhythm_met * RHYTHM_POINTS) / ended if ended else Decimal(RHYTHM_POINTS)
    meeting = sum((Decimal(points) for key, _label, points in MEETING_STEPS if row.steps.get(key)), ZERO)
    on_time = Decimal(row.items_on_time * ON_TIME_POINTS) / row.items_due if row.items_due else Decimal(ON_TIME_POINTS)
    rectification = on_time + (Decimal(NONE_OVERDUE_POINTS) if not row.items_overdue else ZERO)
    return {"rhythm": _tenth(rhythm), "meeting": _tenth(meeting), "rectification": _tenth(rectification)}


def finish(row: QuarterRow) -> QuarterRow:
    row.parts = score_parts(row)
    row.score = _tenth(sum(row.parts.values(), ZERO))
    return row


# ---------------------------------------------------------------- the grouped reads
def _tree(node: Organization) -> tuple[list[Organization], dict[str, str]]:
    """The branches under the node (tree order) and every node's name by path (one query)."""
    nodes = list(
        Organization.objects.filter(path__startswith=node.path).exclude(level=GROUP).order_by("path")
        .only("pk", "name", "path", "depth", "level")
    )
    return [n for n in nodes if n.level == BRANCH], {n.path: n.name for n in nodes}


def _meeting_steps(node: Organization, quarters: list[Quarter], today: dt.date) -> dict[tuple[int, int], dict]:
    """(branch, season year) → the dates of the annual meeting's steps (one query)."""
    first_opinion = Opinion.objects.filter(meeting=OuterRef("pk")).order_by("received_on").values("received_on")[:1]
    first_item = RectificationItem.objects.filter(meeting=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    rows = (
        Meeting.objects.filter(branch__path__startswith=node.path, kind=Meeting.Kind.ANNUAL,
                               year__in={season_year(q) for q in quarters})
        .order_by()
        .annotate(first_opinion=Subquery(first_opinion), first_item=Subquery(first_item))
        .values_list("branch_id", "year", "first_opinion", "closed_at", "evaluation__determined_at", "first_item")
    )

    def day(value):
        return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value

    return {
        (branch_id, year): {"opinions": opinion, "held": day(closed), "determined": day(determined), "ledger": day(item)}
        for branch_id, year, opinion, closed, determined, item in rows
    }


def overdue_on(day: dt.date, last_day: dt.date) -> Q:
    """Rectification's overdue rule (rectification.selectors.with_overdue: past the deadline and not
    closed) as it stood on `day`: closed means closed by `last_day`. With day == last_day == today it is
    exactly that rule (a test compares them). Written once, in rectification (issue 21)."""
    return overdue_q(day, closed_by=last_day)


def _item_counts(node: Organization, quarters: list[Quarter], today: dt.date) -> dict[int, list[tuple[int, int, int]]]:
    """branch → per quarter (due so far, closed by the deadline, overdue at its end), one grouped query."""
    annotations = {}
    for i, q in enumerate(quarters):
        day, last = judged_on(q, today), q.last_day(today)
        due = Q(deadline__gte=q.start, deadline__lt=day)
        annotations[f"due{i}"] = Count("pk", filter=due)
        annotations[f"on_time{i}"] = Count("pk", filter=due & Q(closed_at__date__lte=F("deadline")))
        annotations[f"overdue{i}"] = Count("pk", filter=overdue_on(day, last))
    earliest = min(q.start for q in quarters)
    # Items closed before the earliest quarter began count in neither quarter: leave them unread.
    relevant = Q(deadline__gte=earliest) | Q(closed_at__isnull=True) | Q(closed_at__date__gte=earliest)
    rows = (
        RectificationItem.objects.filter(relevant, branch__path__startswith=node.path,
                                         deadline__lt=max(judged_on(q, today) for q in quarters))
        .order_by().values("branch_id").annotate(**annotations)
    )
    return {
        r["branch_id"]: [(r[f"due{i}"], r[f"on_time{i}"], r[f"overdue{i}"]) for i in range(len(quarters))]
        for r in rows
    }


# ---------------------------------------------------------------- the ranking
def quarter_ranking(*, node: Organization, year: int, quarter: int, today: dt.date) -> list[QuarterRow]:
    """Every branch under `node` for the quarter, ranked best first, with its parts and its movement since
    the previous quarter (module docstring). Six queries whatever the number of branches."""
    current = Quarter(year, quarter)
    if current.start > today:
        raise ValueError(f"{current} has not begun on {today}")
    quarters = [current, current.previous]
    branches, names = _tree(node)
    if not branches:
        return []
    rhythms = branch_rhythms(branches=branches, start=quarters[1].start, end=current.end, today=today)
    steps = _meeting_steps(node, quarters, today)
    items = _item_counts(node, quarters, today)
    width = len(node.path) + Organization.steplen
    ranked: list[list[QuarterRow]] = []
    for i, q in enumerate(quarters):
        rows = []
        for b in branches:
            row = QuarterRow(
                id=b.pk, name=b.name, path=b.path,
                parent_names=[names[b.path[:n]] for n in range(width, len(b.path), Organization.steplen) if b.path[:n] in names],
            )
            _fold_rhythm(row, rhythms.get(b.pk), q)
            _fold_steps(row, steps.get((b.pk, season_year(q))), q.last_day(today))
            row.items_due, row.items_on_time, row.items_overdue = items.get(b.pk, [(0, 0, 0)] * len(quarters))[i]
            rows.append(finish(row))
        ranked.append(rank(rows))
    now_rows, before = ranked
    previous = {r.id: r for r in before}
    for row in now_rows:
        row.previous_rank, row.previous_score = previous[row.id].rank, previous[row.id].score
    return now_rows


def _fold_rhythm(row: QuarterRow, rhythm, q: Quarter) -> None:
    if rhythm is None:
        return
    missing = set()
    start, end = q.start, q.end
    for p in rhythm.periods:
        if not start <= p.end <= end:
            continue
        if p.state == State.MET:
            row.rhythm_met += 1
        elif p.state == State.MISSING:
            row.rhythm_missing += 1
            missing.add(p.kind)
        else:
            row.rhythm_pending += 1
    row.missing_kinds = [k for k in KINDS if k in missing]


def _fold_steps(row: QuarterRow, dates: dict | None, last_day: dt.date) -> None:
    row.has_meeting = dates is not None
    row.steps = {key: bool(dates and dates[key] and dates[key] <= last_day) for key, _label, _points in MEETING_STEPS}


# ---------------------------------------------------------------- the lists behind the page
FILTERS: dict[str, Callable[[QuarterRow], bool]] = {
    "up": lambda r: (r.movement or 0) > 0,
    "down": lambda r: (r.movement or 0) < 0,
    "rhythm_missing": lambda r: r.rhythm_missing > 0,
    "not_held": lambda r: not r.steps.get("held"),
    "overdue": lambda r: r.items_overdue > 0,
}
SORTS: dict[str, Callable[[QuarterRow], tuple]] = {
    "rank": lambda r: (r.rank, r.path),
    "-rank": lambda r: (-r.rank, r.path),
    "name": lambda r: (r.path,),
    "up": lambda r: (-(r.movement or 0), r.rank, r.path),
    "down": lambda r: (r.movement or 0, r.rank, r.path),
    "rhythm": lambda r: (r.parts.get("rhythm", ZERO), r.path),
}


def quarter_rows(*, rows: list[QuarterRow], show: str = "", search: str = "", sort: str = "rank") -> list[QuarterRow]:
    """The ranking filtered (a key of FILTERS), searched by branch name and sorted (a key of SORTS)."""
    if show in FILTERS:
        rows = [r for r in rows if FILTERS[show](r)]
    if search:
        rows = [r for r in rows if search in r.name]
    return sorted(rows, key=SORTS.get(sort, SORTS["rank"]))


# ---------------------------------------------------------------- publication
def township_of(branch: Organization) -> Organization | None:
    """The township (乡镇党委) above a branch, whose published rankings the branch reads (one query)."""
    step = Organization.steplen
    return (
        Organization.objects.filter(path__in=[branch.path[:n] for n in range(step, len(branch.path), step)], level=TOWNSHIP)
        .order_by("-depth").first()
    )


def ranking_publish(*, node: Organization, year: int, quarter: int, user, today: dt.date) -> RankingPublication:
    """Freeze the quarter's ranking of a township for its branches; publishing again replaces it. Only a
    township's, and only once the quarter has ended."""
    q = Quarter(year, quarter)
    if node.level != TOWNSHIP:
        raise ValidationError(_("只有乡镇（街道）党委可以向所属支部发布季度工作排位。"))
    if not q.ended(today):
        raise ValidationError(_("季度结束后才能发布该季度的工作排位。"))
    rows = [r.to_json() for r in quarter_ranking(node=node, year=year, quarter=quarter, today=today)]
    if not rows:
        raise ValidationError(_("该乡镇（街道）党委下还没有支部。"))
    with transaction.atomic():
        publication = (
            RankingPublication.objects.select_for_update().filter(organization=node, year=year, quarter=quarter).first()
            or RankingPublication(organization=node, year=year, quarter=quarter)
        )
        publication.rows, publication.published_by, publication.published_at = rows, user, timezone.now()
        publication.full_clean()
        publication.save()
    return publication


def published_rows(publication: RankingPublication) -> list[QuarterRow]:
    return [QuarterRow.from_json(r) for r in publication.rows]
