"""What is due and what was held: the rhythm of 三会一课 and 主题党日 (issue 18 item 2).

A rule says how often a kind is due (`RhythmRule`, the nearest one on a branch's path, else
DEFAULT_RULES). Time is cut into the rule's periods (month, quarter, half-year, year); a period belongs to
the quarter in which it ends. A 党小组会 is due per party group: a branch with three groups owes three a
month, and a branch without groups owes none.

A period's state: `met` once enough were held in it; `missing` when it ended without them; `pending`
while it runs. The whole computation for the branches under a node takes four queries whatever their
number (the dashboards' quarter view and ranking rely on it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization

from .models import Activity, Kind, Period, RhythmRule

# 《中国共产党支部工作条例(试行)》: 党员大会 usually quarterly, 支委会 and 党小组会 usually monthly, a
# fixed monthly 主题党日; 党课 "per the local rule" — quarterly here unless a county says otherwise.
DEFAULT_RULES: dict[str, tuple[str, int]] = {
    Kind.ASSEMBLY: (Period.QUARTER, 1),
    Kind.COMMITTEE: (Period.MONTH, 1),
    Kind.GROUP: (Period.MONTH, 1),
    Kind.LECTURE: (Period.QUARTER, 1),
    Kind.THEME_DAY: (Period.MONTH, 1),
}
KINDS: tuple[str, ...] = tuple(Kind.values)  # in order; Kind.values builds a new list at every call
MONTHS_IN = {Period.MONTH: 1, Period.QUARTER: 3, Period.HALF_YEAR: 6, Period.YEAR: 12}


class State:
    MET = "met"
    MISSING = "missing"
    PENDING = "pending"


STATE_LABELS = {State.MET: _("已开展"), State.MISSING: _("未开展"), State.PENDING: _("本期待开展")}


@dataclass(frozen=True)
class Rule:
    kind: str
    period: str
    times: int
    source: str = ""  # the organization whose rule it is ("" for the default)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def text(self) -> str:
        if not self.times:
            return str(_("不作要求"))
        return str(_("%(period)s至少 %(n)s 次")) % {"period": Period(self.period).label, "n": self.times}


@dataclass(frozen=True)
class PeriodStatus:
    kind: str
    start: dt.date
    end: dt.date  # last day
    held: int
    required: int
    state: str
    group_id: int | None = None  # a 党小组会 period is one group's

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass
class KindTally:
    """One kind over a window: events held, and units due / met / missing / pending (a unit is one
    period's requirement, per group for 党小组会)."""

    held: int = 0
    due: int = 0
    met: int = 0
    missing: int = 0
    pending: int = 0

    @property
    def ended_due(self) -> int:
        return self.due - self.pending

    def add(self, other: KindTally) -> None:
        for f in ("held", "due", "met", "missing", "pending"):
            setattr(self, f, getattr(self, f) + getattr(other, f))


@dataclass
class BranchRhythm:
    branch_id: int
    rules: dict[str, Rule]
    periods: list[PeriodStatus] = field(default_factory=list)
    kinds: dict[str, KindTally] = field(default_factory=lambda: {k: KindTally() for k in KINDS})

    @property
    def missing_kinds(self) -> list[str]:
        return [k for k in KINDS if self.kinds[k].missing]

    @property
    def missing(self) -> int:
        return sum(t.missing for t in self.kinds.values())

    @property
    def ended_due(self) -> int:
        return sum(t.ended_due for t in self.kinds.values())

    @property
    def kept_percent(self) -> int | None:
        """Share of the units due in ended periods that were met (None when nothing has ended yet)."""
        due = self.ended_due
        return None if not due else round(100 * (due - self.missing) / due)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


QUARTER_LABELS = {1: _("第一季度"), 2: _("第二季度"), 3: _("第三季度"), 4: _("第四季度")}


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: the unit of the rhythm's dashboards, the duty lists' assessment and the ranking."""

    year: int
    quarter: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(*quarter_of(day))

    @property
    def value(self) -> str:
        """As the pages' ?quarter= writes it: 2026Q4."""
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return str(_("%(year)s年%(quarter)s")) % {"year": self.year, "quarter": QUARTER_LABELS[self.quarter]}

    @property
    def start(self) -> dt.date:
        return quarter_bounds(self.year, self.quarter)[0]

    @property
    def end(self) -> dt.date:
        return quarter_bounds(self.year, self.quarter)[1]

    @property
    def previous(self) -> Quarter:
        return Quarter(*previous_quarter(self.year, self.quarter))

    def ended(self, today: dt.date) -> bool:
        return self.end < today

    def last_day(self, today: dt.date) -> dt.date:
        """The last day whose facts count: the quarter's end, or today while it runs."""
        return min(self.end, today)

    def __str__(self) -> str:
        return self.label


def periods_ending_in(window_start: dt.date, window_end: dt.date, period: str) -> list[tuple[dt.date, dt.date]]:
    """The periods of this length that end inside [window_start, window_end] (windows are whole months)."""
    months = MONTHS_IN[period]
    out = []
    cursor = dt.date(window_start.year, 1, 1)
    while cursor <= window_end:
        end = add_months(cursor, months) - dt.timedelta(days=1)
        if window_start <= end <= window_end:
            out.append((cursor, end))
        cursor = add_months(cursor, months)
    return out


def rules_for(branches: list[Organization]) -> dict[int, dict[str, Rule]]:
    """Each branch's rules: per kind, the rule of the nearest organization on its path (one query)."""
    steplen = Organization.steplen
    paths = {b.path[:end] for b in branches for end in range(steplen, len(b.path) + 1, steplen)}
    found: dict[str, dict[str, Rule]] = defaultdict(dict)
    for path, name, kind, period, times in RhythmRule.objects.filter(organization__path__in=paths).values_list(
        "organization__path", "organization__name", "kind", "period", "times"
    ):
        found[path][kind] = Rule(kind=kind, period=period, times=times, source=name)
    out = {}
    for b in branches:
        rules = {k: Rule(kind=k, period=p, times=n) for k, (p, n) in DEFAULT_RULES.items()}
        for end in range(steplen, len(b.path) + 1, steplen):  # from the root down: the nearest wins
            rules.update(found.get(b.path[:end], {}))
        out[b.pk] = rules
    return out


def rules_above(org: Organization) -> dict[str, Rule]:
    """What a node's branches would follow without the node's own rules: its parent's, else the default."""
    parent = org.get_parent()
    if parent is None:
        return {k: Rule(kind=k, period=p, times=n) for k, (p, n) in DEFAULT_RULES.items()}
    return rules_for([parent])[parent.pk]


def branch_rhythms(*, branches: list[Organization], start: dt.date, end: dt.date, today: dt.date) -> dict[int, BranchRhythm]:
    """Per branch, every period that ends in [start, end] (whole months) with its state, and the tallies.

    Four queries in all: the rules, the party groups, the activities counted per month, and (by the
    caller) the branches."""
    if not branches:
        return {}
    rules = rules_for(branches)
    earliest = dt.date(start.year, 1, 1)  # periods are cut from January 1st: none that ends here began earlier
    by_path = {b.path: b.pk for b in branches}
    steplen = Organization.steplen
    prefixes = _common_prefixes(branches)
    groups: dict[int, list[int]] = defaultdict(list)
    group_filter = Q()
    for prefix in prefixes:
        group_filter |= Q(path__startswith=prefix)
    for pk, path in Organization.objects.filter(group_filter, level=Organization.Level.GROUP).values_list("pk", "path"):
        branch_id = by_path.get(path[:-steplen])
        if branch_id is not None:
            groups[branch_id].append(pk)
    # (branch, kind, group or None, year * 12 + month - 1) → events; plain integers, not dates (600 branches
    # give ~10,000 rows: building date objects from them was most of the county page's time)
    counts: dict[tuple[int, str, int | None, int], int] = {}
    activity_filter = Q()
    for prefix in prefixes:
        activity_filter |= Q(branch__path__startswith=prefix)
    rows = (
        Activity.objects.filter(activity_filter, held_on__gte=earliest, held_on__lte=end)
        .annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
        .values_list("branch_id", "kind", "party_group_id", "y", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for branch_id, kind, group_id, year, month, n in rows:
        key = (branch_id, kind, group_id, year * 12 + month - 1)
        counts[key] = counts.get(key, 0) + n

    # The periods of each length, cut once for every branch.
    periods = {
        period: [(p_start, p_end, [_index(m) for m in _months(p_start, p_end)]) for p_start, p_end in periods_ending_in(start, end, period)]
        for period in MONTHS_IN
    }
    out = {}
    for b in branches:
        result = BranchRhythm(branch_id=b.pk, rules=rules[b.pk])
        for kind, rule in rules[b.pk].items():
            units = [None] if kind != Kind.GROUP else groups.get(b.pk, [])
            tally = result.kinds[kind]
            for p_start, p_end, months in periods[rule.period]:
                for group_id in units:
                    held = sum(counts.get((b.pk, kind, group_id, m), 0) for m in months)
                    tally.held += held
                    if rule.times <= 0:
                        continue
                    if held >= rule.times:
                        state = State.MET
                    elif p_end < today:
                        state = State.MISSING
                    else:
                        state = State.PENDING
                    result.periods.append(PeriodStatus(kind, p_start, p_end, held, rule.times, state, group_id))
                    tally.due += 1
                    tally.met += state == State.MET
                    tally.missing += state == State.MISSING
                    tally.pending += state == State.PENDING
        out[b.pk] = result
    return out


def _index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, cursor = [], month_start(start)
    while cursor <= end:
        out.append(cursor)
        cursor = add_months(cursor, 1)
    return out


def _common_prefixes(branches: list[Organization]) -> list[str]:
    """A few path prefixes covering every branch: their nearest common ancestor if they share one."""
    paths = sorted({b.path for b in branches})
    prefix = paths[0]
    for p in paths[1:]:
        while not p.startswith(prefix):
            prefix = prefix[: len(prefix) - Organization.steplen]
    return [prefix] if prefix else paths
