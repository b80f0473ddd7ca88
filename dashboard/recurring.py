"""Problems that come back, for a branch and for an officer's subtree (issue 20 item 4: "屡改屡在").

For one year (年度) and every branch under a node: the members' problems of that year's meetings, how many
came back from an earlier year (`Problem.recurs_of`, linked by rectification.recurrence when the list
was built), how many have now been found two and three years running (`Problem.streak`), and how many came
back although the earlier year's item had been closed (整改不到位: the item has a 销号 in its history). The
same by theme, per branch and added up per child node (drill-down) and for the whole node; the members
with most recurrences; and the branches to put on the 约谈督促 list (`needs_talk`).

Who may see names is the caller's business (branchlife/permissions.py `dashboard.view_recurring_names`):
`recurring_board(names=False)` never reads a member's name.

Reads, whatever the number of branches: the tree, the years, per branch × theme, 整改不到位, per branch
(members), the top members — and, for one branch with names, the 整改不到位 list (rectification.recurrence's four).
The matcher never runs here: the links are stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from organizations.models import Organization
from rectification.models import Problem, RectificationItem
from rectification.recurrence import Recurrence, recurrences_of
from rectification.themes import Theme

BRANCH = Organization.Level.BRANCH
GROUP = Organization.Level.GROUP

# 约谈督促 (seed 003: "对整改不到位的约谈督促"): a branch goes on the list when a problem has been found three
# years running, or when at least TALK_NOT_FIXED problems came back after their items were closed.
TALK_NOT_FIXED = 2
TOP_MEMBERS = 20


@dataclass
class Counts:
    problems: int = 0  # members' problems of the year
    recurred: int = 0  # came back from an earlier year
    running2: int = 0  # found at least two years running
    running3: int = 0  # found at least three years running
    not_fixed: int = 0  # came back although the earlier item had been closed (整改不到位)
    members: int = 0  # members with a problem that came back
    flagged: int = 0  # branches on the 约谈督促 list (totals only)

    def add(self, other: Counts) -> None:
        for name in ("problems", "recurred", "running2", "running3", "not_fixed", "members", "flagged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def recurred_percent(self) -> int | None:
        return round(100 * self.recurred / self.problems) if self.problems else None


def needs_talk(counts: Counts) -> bool:
    """The 约谈督促 rule, one place: three years running, or TALK_NOT_FIXED items closed and repeated."""
    return counts.running3 > 0 or counts.not_fixed >= TALK_NOT_FIXED


@dataclass
class BranchRow:
    id: int
    name: str
    path: str
    parent_names: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    themes: dict[str, Counts] = field(default_factory=dict)

    @property
    def flag(self) -> bool:
        return needs_talk(self.counts)

    @property
    def recurring_themes(self) -> list[str]:
        """The themes with a problem found two years running, most first."""
        rows = sorted((c.running2, Theme(t).label) for t, c in self.themes.items() if c.running2)
        return [str(label) for _n, label in reversed(rows)]


@dataclass
class ThemeRow:
    theme: str
    label: str
    counts: Counts = field(default_factory=Counts)
    branches2: int = 0  # branches where this theme has a problem found two years running
    branches3: int = 0


@dataclass
class ChildTotals:
    node: Organization | None  # None: the branches directly under the node
    counts: Counts = field(default_factory=Counts)
    branches: int = 0


@dataclass
class MemberRow:
    member_id: int
    name: str  # "" when names are not shown
    branch_id: int
    branch_name: str
    recurred: int
    running3: int
    not_fixed: int


@dataclass
class NotFixedRow:
    problem: Problem
    recurrence: Recurrence


@dataclass
class RecurringBoard:
    node: Organization
    year: int
    rows: list[BranchRow]
    totals: Counts
    themes: list[ThemeRow]
    children: list[ChildTotals]
    members: list[MemberRow]
    names: bool
    not_fixed: list[NotFixedRow] = field(default_factory=list)

    @property
    def flagged(self) -> list[BranchRow]:
        return [r for r in self.rows if r.flag]


def _tree(node: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(path__startswith=node.path).exclude(level=GROUP).order_by("path")
        .only("pk", "name", "path", "depth", "level")
    )


def recurring_years(*, node: Organization) -> tuple[list[int], int | None]:
    """The years with meetings under the node (latest first) and the latest with a closed meeting (whose
    problem list is built) — the page's default. One query."""
    from meetings.models import Meeting

    rows = list(
        Meeting.objects.filter(branch__path__startswith=node.path).values("year")
        .annotate(closed=Count("id", filter=Q(closed_at__isnull=False))).order_by("-year")
    )
    years = [r["year"] for r in rows]
    closed = [r["year"] for r in rows if r["closed"]]
    return years, (closed[0] if closed else (years[0] if years else None))


def _problems(node: Organization, year: int):
    """The members' problems of the year's meetings under the node."""
    return Problem.objects.filter(
        meeting__branch__path__startswith=node.path, meeting__year=year, member__isnull=False, merged_into__isnull=True
    )


# 整改不到位: the earlier problem's item was closed at some point — closed now, or reopened by a rebound at 回头看
# (only a closed item gets one). The same test as rectification.recurrence.Recurrence.not_fixed, in SQL, as
# a join (a correlated EXISTS made PostgreSQL hash every item of the county for a township's page).
NOT_FIXED = Q(recurs_of__items__status=RectificationItem.Status.CLOSED) | Q(recurs_of__items__follow_ups__isnull=False)

COUNTS = {
    "problems": Count("id"),
    "recurred": Count("id", filter=Q(recurs_of__isnull=False)),
    "running2": Count("id", filter=Q(streak__gte=2)),
    "running3": Count("id", filter=Q(streak__gte=3)),
}


def _counts(row: dict) -> Counts:
    return Counts(row["problems"], row["recurred"], row["running2"], row["running3"])


def recurring_board(*, node: Organization, year: int, names: bool) -> RecurringBoard:
    nodes = _tree(node)
    by_path = {n.path: n.name for n in nodes}
    branches = [n for n in nodes if n.level == BRANCH]
    step = Organization.steplen
    width = len(node.path) + step
    rows = {
        b.pk: BranchRow(b.pk, b.name, b.path, [by_path[b.path[:n]] for n in range(width, len(b.path), step)
                                               if b.path[:n] in by_path])
        for b in branches
    }
    problems = _problems(node, year)
    themes = {t: ThemeRow(t, str(label)) for t, label in Theme.choices}
    for r in problems.values("meeting__branch_id", "theme").annotate(**COUNTS).order_by():
        row = rows.get(r["meeting__branch_id"])
        if row is None:
            continue
        c = _counts(r)
        row.themes[r["theme"]] = c
        row.counts.add(c)
        t = themes[r["theme"]]
        t.counts.add(c)
        t.branches2 += c.running2 > 0
        t.branches3 += c.running3 > 0
    # 整改不到位 per branch, theme and member: as many rows as such problems (a few per branch at most)
    not_fixed_of_member: dict[int, int] = {}
    for r in (problems.filter(recurs_of__isnull=False).filter(NOT_FIXED).values("meeting__branch_id", "theme", "member_id")
              .annotate(n=Count("id", distinct=True)).order_by()):
        row = rows.get(r["meeting__branch_id"])
        if row is None:
            continue
        row.themes.setdefault(r["theme"], Counts()).not_fixed += r["n"]
        row.counts.not_fixed += r["n"]
        themes[r["theme"]].counts.not_fixed += r["n"]
        not_fixed_of_member[r["member_id"]] = not_fixed_of_member.get(r["member_id"], 0) + r["n"]
    member_counts = problems.filter(recurs_of__isnull=False).values("meeting__branch_id").annotate(
        n=Count("member_id", distinct=True)
    ).order_by()
    for r in member_counts:
        if r["meeting__branch_id"] in rows:
            rows[r["meeting__branch_id"]].counts.members = r["n"]

    totals = Counts()
    child_nodes = [n for n in nodes if n.depth == node.depth + 1 and n.level != BRANCH]
    children = {n.path: ChildTotals(n) for n in child_nodes}
    direct = ChildTotals(None)
    for row in rows.values():
        row.counts.flagged = int(row.flag)
        totals.add(row.counts)
        child = children.get(row.path[:width], direct)
        child.counts.add(row.counts)
        child.branches += 1
    roll_up = list(children.values())
    if roll_up and direct.branches:
        roll_up.append(direct)

    fields = ["member_id", "meeting__branch_id"] + (["member__name"] if names else [])
    top = (
        problems.filter(recurs_of__isnull=False).values(*fields)
        .annotate(recurred=Count("id"), running3=Count("id", filter=Q(streak__gte=3)))
        .order_by("-recurred", "-running3", "member_id")[:TOP_MEMBERS]
    )
    members = [
        MemberRow(r["member_id"], r.get("member__name", ""), r["meeting__branch_id"],
                  rows[r["meeting__branch_id"]].name if r["meeting__branch_id"] in rows else "",
                  r["recurred"], r["running3"], not_fixed_of_member.get(r["member_id"], 0))
        for r in top
    ]
    board = RecurringBoard(node=node, year=year, rows=list(rows.values()), totals=totals,
                           themes=list(themes.values()), children=roll_up, members=members, names=names)
    if names and node.level == BRANCH:
        board.not_fixed = not_fixed_list(node=node, year=year)
    return board


def not_fixed_list(*, node: Organization, year: int) -> list[NotFixedRow]:
    """整改不到位 in one branch, with names: each problem that came back after its earlier item was closed."""
    problems = list(
        Problem.objects.filter(pk__in=_problems(node, year).filter(recurs_of__isnull=False).filter(NOT_FIXED).values("pk"))
        .select_related("member").order_by("member__name", "id")
    )
    found = recurrences_of(problems)
    return [NotFixedRow(p, found[p.pk]) for p in problems if p.pk in found]


# ---------------------------------------------------------------- the list and its export
FILTERS = {
    "talk": lambda r: r.flag,
    "recurred": lambda r: r.counts.recurred > 0,
    "running3": lambda r: r.counts.running3 > 0,
    "not_fixed": lambda r: r.counts.not_fixed > 0,
}


def show_choices() -> list[tuple[str, str]]:
    return [
        ("", _("全部支部")),
        ("talk", _("建议约谈督促的支部")),
        ("recurred", _("有往年问题再次出现的支部")),
        ("running3", _("有问题连续三年出现的支部")),
        ("not_fixed", _("有整改不到位问题的支部")),
    ]


def board_rows(*, rows: list[BranchRow], show: str = "") -> list[BranchRow]:
    if show in FILTERS:
        rows = [r for r in rows if FILTERS[show](r)]
    return sorted(rows, key=lambda r: (-r.flag, -r.counts.running3, -r.counts.not_fixed, -r.counts.recurred, r.path))


def export_table(rows: list[BranchRow]) -> tuple[list[str], list[list]]:
    from branchlife.xlsx import Percent

    headers = [_("党支部"), _("上级组织"), _("问题数"), _("往年问题再次出现"), _("再次出现比例"), _("连续两年"),
               _("连续三年"), _("整改不到位"), _("涉及党员人数"), _("连续两年出现的主题"), _("建议约谈督促")]
    lines = [
        [r.name, " / ".join(r.parent_names), r.counts.problems, r.counts.recurred, Percent(r.counts.recurred_percent),
         r.counts.running2, r.counts.running3, r.counts.not_fixed, r.counts.members, "、".join(r.recurring_themes),
         _("是") if r.flag else _("否")]
        for r in rows
    ]
    return headers, lines
