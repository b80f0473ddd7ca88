"""The dashboards' view of the upward review (issue 19 item 1): for the branches under a node and one season
(year and kind of meeting), the state of each branch's meeting plan (方案报备) and report (情况报告) —
未报 / 待审 / 退回 / 已通过 — with the node's counts, the same counts per child node for the drill-down, the
filtered list and its .xlsx.

What each state means is the filings app's (a branch with no meeting, or a meeting with nothing sent, is
未报). Three queries whatever the number of branches: the tree, the season's meetings, their filings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from filings.models import Filing, Kind, State
from meetings.models import Meeting
from organizations.models import Organization

BRANCH = Organization.Level.BRANCH
GROUP = Organization.Level.GROUP
KINDS = tuple(Kind.values)
STATES = tuple(State.values)


@dataclass
class Cell:
    kind: str
    state: str = State.NOT_FILED
    submitted_at: dt.datetime | None = None
    submissions: int = 0
    return_reason: str = ""

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)


@dataclass
class FilingRow:
    id: int
    name: str
    path: str
    parent_names: list[str] = field(default_factory=list)
    meeting_id: int | None = None
    held_on: dt.date | None = None
    closed: bool = False
    cells: dict[str, Cell] = field(default_factory=lambda: {k: Cell(k) for k in KINDS})

    @property
    def cell_list(self) -> list[Cell]:
        return [self.cells[k] for k in KINDS]

    def state(self, kind: str) -> str:
        return self.cells[kind].state


@dataclass
class FilingTotals:
    branches: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {k: dict.fromkeys(STATES, 0) for k in KINDS})

    def add(self, row: FilingRow) -> None:
        self.branches += 1
        for kind in KINDS:
            self.counts[kind][row.state(kind)] += 1

    @property
    def kind_rows(self) -> list[tuple[str, str, list[tuple[str, str, int]]]]:
        """(kind, label, [(state, label, branches)]) for the cards and the roll-up."""
        return [(k, str(Kind(k).label), [(s, str(State(s).label), self.counts[k][s]) for s in STATES]) for k in KINDS]


@dataclass
class ChildTotals:
    node: Organization | None  # None: the branches directly under the node
    totals: FilingTotals


@dataclass
class FilingBoard:
    node: Organization
    year: int
    kind: str
    rows: list[FilingRow]
    totals: FilingTotals
    children: list[ChildTotals]


def _tree(node: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(path__startswith=node.path).exclude(level=GROUP).order_by("path")
        .only("pk", "name", "path", "depth", "level")
    )


def filing_board(*, node: Organization, year: int, kind: str = Meeting.Kind.ANNUAL) -> FilingBoard:
    """Every branch under `node` in tree order with its season meeting's filing states, and the totals."""
    nodes = _tree(node)
    names = {n.path: n.name for n in nodes}
    branches = [n for n in nodes if n.level == BRANCH]
    # A branch's meeting of the season: its annual one, or its latest special one of the year.
    meetings: dict[int, dict] = {}
    for m in (
        Meeting.objects.filter(branch__path__startswith=node.path, year=year, kind=kind)
        .order_by("branch_id", "-held_on", "-id").values("pk", "branch_id", "held_on", "closed_at")
    ):
        meetings.setdefault(m["branch_id"], m)
    chosen = {m["pk"] for m in meetings.values()}
    filings: dict[tuple[int, str], dict] = {}
    for f in (
        Filing.objects.filter(branch__path__startswith=node.path, meeting__year=year, meeting__kind=kind)
        .values("meeting_id", "kind", "state", "submitted_at", "submissions", "return_reason")
    ):
        if f["meeting_id"] in chosen:
            filings[(f["meeting_id"], f["kind"])] = f
    step = Organization.steplen
    width = len(node.path) + step
    children = {n.path: ChildTotals(n, FilingTotals()) for n in nodes if n.depth == node.depth + 1 and n.level != BRANCH}
    direct = ChildTotals(None, FilingTotals())
    totals = FilingTotals()
    rows = []
    for b in branches:
        row = FilingRow(id=b.pk, name=b.name, path=b.path,
                        parent_names=[names[b.path[:n]] for n in range(width, len(b.path), step) if b.path[:n] in names])
        m = meetings.get(b.pk)
        if m is not None:
            row.meeting_id, row.held_on, row.closed = m["pk"], m["held_on"], m["closed_at"] is not None
            for k in KINDS:
                f = filings.get((m["pk"], k))
                if f is not None:
                    row.cells[k] = Cell(k, f["state"], f["submitted_at"], f["submissions"], f["return_reason"])
        rows.append(row)
        totals.add(row)
        children.get(b.path[:width], direct).totals.add(row)
    roll_up = list(children.values())
    if roll_up and direct.totals.branches:
        roll_up.append(direct)
    return FilingBoard(node=node, year=year, kind=kind, rows=rows, totals=totals, children=roll_up)


# ---------------------------------------------------------------- the list behind the page
def _in_state(kind: str, state: str) -> Callable[[FilingRow], bool]:
    return lambda r: r.state(kind) == state


def _any_in_state(state: str) -> Callable[[FilingRow], bool]:
    return lambda r: any(r.state(k) == state for k in KINDS)


FILTERS: dict[str, Callable[[FilingRow], bool]] = {
    **{f"{k}_{s}": _in_state(k, s) for k in KINDS for s in STATES},
    **{f"any_{s}": _any_in_state(s) for s in STATES},
}


def show_choices() -> list[tuple[str, str]]:
    """The filter's choices (built per request: translated then)."""
    choices = [("", _("全部支部"))]
    choices += [(f"any_{s}", _("有%(state)s材料的支部") % {"state": label}) for s, label in State.choices if s != State.NOT_FILED]
    for k, kind_label in Kind.choices:
        choices += [(f"{k}_{s}", _("%(kind)s%(state)s") % {"kind": kind_label, "state": label}) for s, label in State.choices]
    return choices


def filing_rows(*, rows: list[FilingRow], show: str = "", search: str = "") -> list[FilingRow]:
    if show in FILTERS:
        rows = [r for r in rows if FILTERS[show](r)]
    if search:
        rows = [r for r in rows if search in r.name]
    return rows


def export_table(rows: list[FilingRow]) -> tuple[list[str], list[list]]:
    headers: list[str] = [_("党支部"), _("上级组织"), _("召开日期")]
    for _k, label in Kind.choices:
        headers += [
            _("%(kind)s状态") % {"kind": label},
            _("%(kind)s报送时间") % {"kind": label},
            _("%(kind)s报送次数") % {"kind": label},
            _("%(kind)s驳回原因") % {"kind": label},
        ]
    lines = []
    for r in rows:
        line: list = [r.name, " / ".join(r.parent_names), r.held_on]
        for c in r.cell_list:
            line += [c.state_label, c.submitted_at, c.submissions, c.return_reason if c.state != State.APPROVED else ""]
        lines.append(line)
    return headers, lines
