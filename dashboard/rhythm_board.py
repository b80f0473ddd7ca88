"""The dashboards' quarter view of 三会一课 and 主题党日 (issue 18 item 2, "the rhythm kept").

For the branches under a node and one quarter: per branch and kind, the events held and the units due in
the periods that end in the quarter (activities.rhythm: a unit is one period's requirement, per party group
for 党小组会), with those missing (the period ended without them) and those still pending (it runs); the
node's totals (branches that kept every requirement, per kind the branches missing it) and the same totals
per child node (township, 党总支) for the drill-down.

What "missing" means is activities.rhythm's, never recomputed here. Four queries whatever the number of
branches: the tree, and activities.rhythm's three (rules, party groups, activities per month).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Kind
from activities.rhythm import KINDS, BranchRhythm, KindTally, Quarter, Rule, branch_rhythms
from branchlife.xlsx import Percent
from organizations.models import Organization

BRANCH = Organization.Level.BRANCH
GROUP = Organization.Level.GROUP


@dataclass
class Cell:
    """One kind of one branch in the quarter: held/due, and the state the page colours."""

    kind: str
    tally: KindTally
    rule: Rule | None

    @property
    def label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def state(self) -> str:
        """"missing" (red), "pending" (grey), "met", or "none" when nothing is due."""
        if not self.tally.due:
            return "none"
        if self.tally.missing:
            return "missing"
        if self.tally.pending:
            return "pending"
        return "met"

    @property
    def rule_text(self) -> str:
        if self.kind == Kind.GROUP and self.rule and self.rule.times and not self.tally.due:
            return _("没有党小组")
        return self.rule.text if self.rule else ""


@dataclass
class RhythmRow:
    id: int
    name: str
    path: str
    rhythm: BranchRhythm
    parent_names: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[Cell]:
        return [Cell(k, self.rhythm.kinds[k], self.rhythm.rules.get(k)) for k in KINDS]

    @property
    def missing_kinds(self) -> list[str]:
        return self.rhythm.missing_kinds

    @property
    def missing_kind_labels(self) -> list[str]:
        return [str(Kind(k).label) for k in self.missing_kinds]

    @property
    def missing(self) -> int:
        return self.rhythm.missing

    @property
    def pending(self) -> int:
        return sum(t.pending for t in self.rhythm.kinds.values())

    @property
    def due(self) -> int:
        return sum(t.due for t in self.rhythm.kinds.values())

    @property
    def met(self) -> int:
        return sum(t.met for t in self.rhythm.kinds.values())

    @property
    def kept(self) -> bool:
        """Every requirement of the quarter's ended periods met (a running period cannot be missed yet)."""
        return not self.missing

    @property
    def kept_percent(self) -> int | None:
        return self.rhythm.kept_percent


@dataclass
class RhythmTotals:
    """Branches of a node (or of one child node) added up."""

    branches: int = 0
    kept: int = 0
    missing_branches: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    pending_branches: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    kinds: dict[str, KindTally] = field(default_factory=lambda: {k: KindTally() for k in Kind.values})

    def add(self, row: RhythmRow) -> None:
        self.branches += 1
        self.kept += row.kept
        for kind, tally in row.rhythm.kinds.items():
            self.kinds[kind].add(tally)
            self.missing_branches[kind] += bool(tally.missing)
            self.pending_branches[kind] += bool(tally.pending)

    @property
    def not_kept(self) -> int:
        return self.branches - self.kept

    @property
    def missing_units(self) -> int:
        return sum(t.missing for t in self.kinds.values())

    @property
    def ended_units(self) -> int:
        return sum(t.ended_due for t in self.kinds.values())

    @property
    def kept_percent(self) -> int | None:
        """Units met of the units due in ended periods (None when none has ended)."""
        ended = self.ended_units
        return None if not ended else round(100 * (ended - self.missing_units) / ended)

    @property
    def kind_rows(self) -> list[tuple[str, str, int, int, KindTally]]:
        """(kind, label, branches missing it, branches where it is pending, the summed tally)."""
        return [(k, str(Kind(k).label), self.missing_branches[k], self.pending_branches[k], self.kinds[k]) for k in KINDS]


@dataclass
class ChildTotals:
    node: Organization | None  # None: the branches directly under the node
    totals: RhythmTotals


@dataclass
class RhythmBoard:
    node: Organization
    quarter: Quarter
    today: dt.date
    rows: list[RhythmRow]
    totals: RhythmTotals
    children: list[ChildTotals]

    @property
    def ended(self) -> bool:
        return self.quarter.ended(self.today)


def _tree(node: Organization) -> list[Organization]:
    """The node's subtree without party groups, in tree order (one query)."""
    return list(
        Organization.objects.filter(path__startswith=node.path).exclude(level=GROUP).order_by("path")
        .only("pk", "name", "path", "depth", "level")
    )


def rhythm_board(*, node: Organization, quarter: Quarter, today: dt.date) -> RhythmBoard:
    """Every branch under `node` in tree order with its quarter, the totals, and the child nodes' totals."""
    if quarter.start > today:
        raise ValueError(f"{quarter} has not begun on {today}")
    nodes = _tree(node)
    names = {n.path: n.name for n in nodes}
    branches = [n for n in nodes if n.level == BRANCH]
    rhythms = branch_rhythms(branches=branches, start=quarter.start, end=quarter.end, today=today)
    step = Organization.steplen
    width = len(node.path) + step
    child_nodes = [n for n in nodes if n.depth == node.depth + 1 and n.level != BRANCH]
    children = {n.path: ChildTotals(n, RhythmTotals()) for n in child_nodes}
    direct = ChildTotals(None, RhythmTotals())
    totals = RhythmTotals()
    rows = []
    for b in branches:
        row = RhythmRow(
            id=b.pk, name=b.name, path=b.path, rhythm=rhythms[b.pk],
            parent_names=[names[b.path[:n]] for n in range(width, len(b.path), step) if b.path[:n] in names],
        )
        rows.append(row)
        totals.add(row)
        children.get(b.path[:width], direct).totals.add(row)
    roll_up = list(children.values())
    if roll_up and direct.totals.branches:
        roll_up.append(direct)
    return RhythmBoard(node=node, quarter=quarter, today=today, rows=rows, totals=totals, children=roll_up)


# ---------------------------------------------------------------- the list behind the page
def _missing(kind: str) -> Callable[[RhythmRow], bool]:
    return lambda r: bool(r.rhythm.kinds[kind].missing)


FILTERS: dict[str, Callable[[RhythmRow], bool]] = {
    "kept": lambda r: r.kept,
    "missing": lambda r: not r.kept,
    "pending": lambda r: r.pending > 0,
    **{f"missing_{k}": _missing(k) for k in Kind.values},
}
SORTS: dict[str, Callable[[RhythmRow], tuple]] = {
    "name": lambda r: (r.path,),
    "missing": lambda r: (-r.missing, r.path),
    "kept": lambda r: (r.kept_percent if r.kept_percent is not None else 101, r.path),
    "-kept": lambda r: (-(r.kept_percent if r.kept_percent is not None else 101), r.path),
}
SORT_CHOICES = [
    ("missing", gettext_lazy("按未开展项从多到少")),
    ("name", gettext_lazy("按组织顺序")),
    ("kept", gettext_lazy("按要求开展比例从低到高")),
    ("-kept", gettext_lazy("按要求开展比例从高到低")),
]


def show_choices() -> list[tuple[str, str]]:
    """The filter's choices, one "未开展 <kind>" per kind (built per request: translated then)."""
    return [
        ("", _("全部支部")),
        ("kept", _("全部按要求开展的支部")),
        ("missing", _("有未开展项的支部")),
        *[(f"missing_{k}", _("未开展%(kind)s的支部") % {"kind": label}) for k, label in Kind.choices],
        ("pending", _("本期尚有待开展项的支部")),
    ]


def rhythm_rows(*, rows: list[RhythmRow], show: str = "", search: str = "", sort: str = "missing") -> list[RhythmRow]:
    """The branches filtered (a key of FILTERS), searched by name and sorted (a key of SORTS)."""
    if show in FILTERS:
        rows = [r for r in rows if FILTERS[show](r)]
    if search:
        rows = [r for r in rows if search in r.name]
    return sorted(rows, key=SORTS.get(sort, SORTS["missing"]))


def export_table(rows: list[RhythmRow]) -> tuple[list[str], list[list]]:
    """The .xlsx of the list: per kind the events held, the units due and those missing."""
    headers: list[str] = [_("党支部"), _("上级组织")]
    for _k, label in Kind.choices:
        headers += [
            _("%(kind)s开展（次）") % {"kind": label},
            _("%(kind)s应开展（项）") % {"kind": label},
            _("%(kind)s未开展（项）") % {"kind": label},
        ]
    headers += [_("本期待开展（项）"), _("按要求开展比例"), _("未开展的类型"), _("全部按要求开展")]
    lines = []
    for r in rows:
        line: list = [r.name, " / ".join(r.parent_names)]
        for k in Kind.values:
            t = r.rhythm.kinds[k]
            line += [t.held, t.due, t.missing]
        line += [r.pending, Percent(r.kept_percent), "、".join(r.missing_kind_labels), _("是") if r.kept else _("否")]
        lines.append(line)
    return headers, lines
