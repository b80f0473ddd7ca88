"""Per-node rollups (dashboard.models.Rollup): a province page reads its node and its children, not 30,000
branches.

Every branch has a row per season holding its BranchRow (figures, flags, score); every other node a row
holding the Totals of all the branches under it, summed from its children's rows. The front page of a
node reads (1) the node's and its children's rows, (2) the stale rows under it (an index on dirty − clean:
a handful however big the province), (3) the ten branches furthest behind (an index on the flagged
branches' score), (4) the node's score counts, for their ranks, and (5) their parents' names. The lists
behind the indicators page through the branches' rows in SQL (BranchRows): a count and one page of fifty.

Freshness, as MeetingTally's: writers add one to their BRANCH row's `dirty` in their own transaction
(services.tallies_stale for everything a tally counts — the tally and the rollup in one statement on
PostgreSQL — and the receivers below for the rest). A read that finds stale rows under its node counts
those branches again (selectors.fold_rows on a BranchSet, or on the node when most are stale), stores the
`dirty` it read before counting as `clean` (only the rows it can lock at once: SKIP LOCKED), adds one to
the `dirty` of every node above the branches it wrote (locked in id order, so two recounts never
deadlock), and sums those nodes again from their children, deepest first. A row of another day (flags
and scores depend on the date) or one counted longer ago than max_age() (what signals cannot see:
queryset.update) is stale too. Celery (tasks.dashboards_warm) does this before officers ask.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from organizations.models import Organization

from .models import Rollup
from .scoring import FLAGS, SCORE_PARTS, BranchRow, Totals

BRANCH = Organization.Level.BRANCH
GROUP = Organization.Level.GROUP
FLAG_BITS = {flag: 1 << i for i, flag in enumerate(FLAGS)}
_NOT_STORED = {"id", "name", "path", "parent_names", "rank", "flags", "score", "parts"}
ROW_FIELDS = tuple(f.name for f in fields(BranchRow) if f.name not in _NOT_STORED)
_HELD_ON = ROW_FIELDS.index("held_on")
TOTAL_FIELDS = tuple(f.name for f in fields(Totals))
PART_KEYS = tuple(key for key, _label, _points in SCORE_PARTS)
# Above every path under a prefix (treebeard's alphabet is 0-9A-Z): a subtree is one range, whatever the
# column's collation (LIKE 'x%' needs a pattern index on PostgreSQL unless the collation is C).
_TOP = "Z" * 255
BIG_RECOUNT = 500  # stale branches above which the node's whole subtree is read rather than a list of ids
WRITE_BATCH = 1000


def at_paths(paths) -> Q:
    """Rows at these paths, said with their depths too so that the (year, kind, depth, path) index finds them."""
    paths = list(paths)
    return Q(depth__in={len(p) // Organization.steplen for p in paths}, path__in=paths)


def subtree(path: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}path__gte": path, f"{prefix}path__lte": path + _TOP[: 255 - len(path)]})


# ---------------------------------------------------------------- figures as stored
def row_figures(row: BranchRow) -> list:
    values = [row.__dict__[name] for name in ROW_FIELDS]
    if row.held_on is not None:
        values[_HELD_ON] = row.held_on.isoformat()
    return [values, [str(row.parts[k]) for k in PART_KEYS], list(row.flags)]


def row_of(*, node_id: int, name: str, path: str, figures, score) -> BranchRow:
    if isinstance(figures, str):
        figures = json.loads(figures)
    values, parts, flags = figures
    row = BranchRow(id=node_id, name=name, path=path, **dict(zip(ROW_FIELDS, values, strict=True)))
    if row.held_on is not None:
        row.held_on = dt.date.fromisoformat(row.held_on)
    row.parts = {k: Decimal(v) for k, v in zip(PART_KEYS, parts, strict=True)}
    row.flags = list(flags)
    row.score = Decimal(score) if score is not None else Decimal(0)
    return row


def totals_figures(totals: Totals) -> list:
    values = [totals.__dict__[name] for name in TOTAL_FIELDS]
    values[TOTAL_FIELDS.index("score_sum")] = str(totals.score_sum)
    return values


def totals_of(figures) -> Totals:
    if isinstance(figures, str):
        figures = json.loads(figures)
    if not figures:
        return Totals()
    totals = Totals(**dict(zip(TOTAL_FIELDS, figures, strict=True)))
    totals.score_sum = Decimal(totals.score_sum)
    return totals


def _flag_bits(flags: list[str]) -> int:
    bits = 0
    for flag in flags:
        bits |= FLAG_BITS[flag]
    return bits


def _branch_rollup(row: BranchRow, season, *, depth: int, clean: int, today: dt.date, now: dt.datetime) -> Rollup:
    return Rollup(
        node_id=row.id, year=season.year, kind=season.kind, path=row.path, depth=depth, is_branch=True, day=today,
        figures=row_figures(row), score=row.score, flags=_flag_bits(row.flags), held=row.held > 0,
        evaluated=row.evaluations_determined > 0, talks_percent=row.talks_percent, reviews_percent=row.reviews_percent,
        items_overdue=row.items_overdue, clean=clean, computed_at=now,
    )


_WRITTEN = ["path", "depth", "is_branch", "day", "figures", "score", "flags", "held", "evaluated", "talks_percent",
            "reviews_percent", "items_overdue", "clean", "computed_at"]


def _upsert(rollups: list[Rollup]) -> None:
    # INSERT … ON CONFLICT UPDATE; `dirty` is the writers' and is never written here.
    Rollup.objects.bulk_create(rollups, update_conflicts=True, unique_fields=["node", "year", "kind"],
                               update_fields=_WRITTEN, batch_size=WRITE_BATCH)


# ---------------------------------------------------------------- what a node's page reads
@dataclass
class Top:
    """A node's row and its children's, as read for its front page."""

    node: tuple | None
    children: list[tuple] = field(default_factory=list)


_TOP_COLUMNS = ("node_id", "node__name", "node__level", "path", "depth", "is_branch", "figures", "score", "dirty",
                "clean", "day", "computed_at")


def _read_top(node: Organization, season) -> Top:
    rows = (
        Rollup.objects.filter(subtree(node.path), year=season.year, kind=season.kind, depth__in=(node.depth, node.depth + 1))
        .order_by("path").values_list(*_TOP_COLUMNS)
    )
    top = Top(node=None)
    for r in rows:
        if r[4] == node.depth:
            top.node = r
        else:
            top.children.append(r)
    return top


def _needs_preparing(top: Top, node: Organization) -> bool:
    """The node's row or a child's is missing: its subtree is made whole (a row for every node)."""
    return top.node is None or (node.level != BRANCH and len(top.children) < _children_count(node))


def _children_count(node: Organization) -> int:
    # treebeard's numchild counts party groups too, which have no rollup: only a branch has groups.
    return node.numchild if node.level != BRANCH else 0


def _prepare(node: Organization, season) -> None:
    """A (stale) row for every node under `node` that has none, in one statement; nothing waits for a lock."""
    table, org = Rollup._meta.db_table, Organization._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (node_id, year, kind, path, depth, is_branch, figures, flags, held, evaluated,"
            f" items_overdue, dirty) SELECT o.id, %s, %s, o.path, LENGTH(o.path) / {Organization.steplen}, o.level = %s, %s, 0,"
            f" %s, %s, 0, 1"
            f" FROM {org} o WHERE o.path >= %s AND o.path <= %s AND o.level <> %s"
            f" ON CONFLICT (node_id, year, kind) DO NOTHING",
            [season.year, season.kind, BRANCH, "[]", False, False, node.path, node.path + _TOP[: 255 - len(node.path)], GROUP],
        )


def max_age() -> int:
    """Seconds after which a branch's row is counted again whatever the signals said: what they cannot see
    (queryset.update: the voting turnout) shows on county and province pages within this bound, on a
    branch's own page and with "重新统计" at once. An hour by default (DASHBOARD_ROLLUP_SECONDS): a shorter
    bound recounts a whole province that often; 0 when the dashboard cache is off."""
    from .selectors import cache_seconds

    return int(getattr(settings, "DASHBOARD_ROLLUP_SECONDS", 3600)) if cache_seconds() > 0 else 0


def _stale_under(node: Organization, season, now: dt.datetime, today: dt.date, *, everything: bool) -> list[tuple]:
    """The rows under `node` to count again: written to since (dirty ahead of clean: the expression index
    dashboard_rollup_stale, spelled here as it is there), counted for another day (dashboard_rollup_day) or
    longer ago than max_age() (dashboard_rollup_age); every row for "重新统计". Three index scans in one
    statement (UNION), each arm priced on its own."""
    table = Rollup._meta.db_table
    columns = "node_id, path, depth, is_branch, dirty"
    scope = "year = %s AND kind = %s AND path >= %s AND path <= %s"
    params = [season.year, season.kind, node.path, node.path + _TOP[: 255 - len(node.path)]]
    if everything:
        sql, args = f"SELECT {columns} FROM {table} WHERE {scope}", params
    else:
        sql = (
            f"SELECT {columns} FROM {table} WHERE {scope} AND (dirty - COALESCE(clean, 0)) > 0"
            f" UNION SELECT {columns} FROM {table} WHERE {scope} AND (day IS NULL OR day < %s OR day > %s)"
        )
        args = [*params, *params, today, today]
        if max_age() > 0:
            sql += f" UNION SELECT {columns} FROM {table} WHERE {scope} AND is_branch AND computed_at < %s"
            args += [*params, now - dt.timedelta(seconds=max_age())]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [(node_id, path, depth, bool(is_branch), dirty) for node_id, path, depth, is_branch, dirty in cursor.fetchall()]


def refresh(*, node: Organization, season, today: dt.date, recount: bool = False) -> Top:
    """Bring the rows of `node` and everything under it up to date (see the module docstring) and return
    the node's and its children's rows. Two queries when nothing under the node changed."""
    top = _read_top(node, season)
    if _needs_preparing(top, node):
        _prepare(node, season)
    now = timezone.now()
    stale = _stale_under(node, season, now, today, everything=recount)
    if not stale:
        return top
    # How many branches the node had when last summed: most of them stale, the node's subtree is read whole.
    known = totals_of(top.node[6]).branches if top.node is not None and top.node[6] else None
    _recount(node, season, today, stale, now, recount=recount, branches_under=known)
    return _read_top(node, season)


def _recount(node: Organization, season, today: dt.date, stale: list[tuple], now: dt.datetime, *, recount: bool,
             branches_under: int | None) -> None:
    from .selectors import BranchSet, fold_rows, gc_paused

    step = Organization.steplen
    branches = {node_id: dirty for node_id, _path, _depth, is_branch, dirty in stale if is_branch}
    whole = len(branches) > BIG_RECOUNT or branches_under is None or len(branches) * 2 > branches_under
    with gc_paused():
        # Counted outside the transaction: a write is never kept waiting by the counting.
        tree, rows = {}, {}
        if branches:
            scope = node if whole else BranchSet(tuple(sorted(branches)))
            tree, rows = fold_rows(node=scope, season=season, today=today, refresh=recount, now=now)
        with transaction.atomic():
            base = Rollup.objects.filter(year=season.year, kind=season.kind)
            lockable = base.select_for_update(skip_locked=True)
            if whole:
                free = set(lockable.filter(subtree(node.path), is_branch=True).values_list("node_id", flat=True))
            else:
                free = set(lockable.filter(node_id__in=list(branches)).values_list("node_id", flat=True))
            written = [rows[pk] for pk in branches if pk in free and pk in rows]
            _upsert([
                _branch_rollup(r, season, depth=len(r.path) // step, clean=branches[r.id], today=today, now=now)
                for r in written
            ])
            # Every node above a branch written is summed again: marked here, in id order (no deadlock).
            above = {r.path[:n] for r in written for n in range(step, len(r.path), step)}
            if above:
                ids = list(base.select_for_update().filter(at_paths(above)).order_by("id").values_list("id", flat=True))
                Rollup.objects.filter(id__in=ids).update(dirty=F("dirty") + 1)
            nodes = {path for _n, path, _d, is_branch, _dirty in stale if not is_branch} | {
                p for p in above if p.startswith(node.path)
            }
            if nodes:
                _sum_nodes(node, season, today, now, nodes, tree, rows, whole)


def _sum_nodes(node: Organization, season, today, now, paths: set[str], tree: dict, rows: dict[int, BranchRow],
               whole: bool) -> None:
    """Sum the nodes at `paths` from their children, deepest first; store those that can be locked."""
    step = Organization.steplen
    base = Rollup.objects.filter(year=season.year, kind=season.kind)
    dirty = dict(base.select_for_update(skip_locked=True).filter(at_paths(paths)).values_list("path", "dirty"))
    known: dict[str, BranchRow | Totals] = {r.path: r for r in rows.values()}
    children: dict[str, set[str]] = {}
    for p in known:
        children.setdefault(p[:-step], set()).add(p)
    for p in paths:
        children.setdefault(p[:-step], set()).add(p)
    # The children not counted in memory: read from their rows.
    if whole and tree:
        missing = [p for p in tree if p[:-step] in paths and p not in known and p not in paths]
        query = base.filter(at_paths(missing)) if missing else None
    else:  # each node's children: one range of the (year, kind, depth, path) index per node (at most a
        # few per stale branch: above BIG_RECOUNT branches the subtree is counted whole)
        condition = Q()
        for p in paths:
            condition |= subtree(p) & Q(depth=len(p) // step + 1)
        query = base.filter(condition)
    if query is not None:
        for path, is_branch, figures, score, node_id in query.values_list("path", "is_branch", "figures", "score", "node_id"):
            if path in known or path in paths or path[:-step] not in paths:
                continue
            known[path] = (
                row_of(node_id=node_id, name="", path=path, figures=figures, score=score) if is_branch
                else totals_of(figures)
            )
            children.setdefault(path[:-step], set()).add(path)
    out = []
    for p in sorted(paths, key=len, reverse=True):
        totals = Totals()
        for c in children.get(p, ()):
            child = known[c]
            if isinstance(child, Totals):
                totals.merge(child)
            else:
                totals.add(child)
        known[p] = totals
        if p in dirty:
            out.append(Rollup(
                node_id=0, year=season.year, kind=season.kind, path=p, depth=len(p) // step, is_branch=False, day=today,
                figures=totals_figures(totals), clean=dirty[p], computed_at=now,
            ))
    if out:
        ids = dict(Organization.objects.filter(path__in=[r.path for r in out]).values_list("path", "pk"))
        for r in out:
            r.node_id = ids[r.path]
        _upsert(out)


# ---------------------------------------------------------------- the lists: paged in SQL
# Rank is position by score (equal scores share a rank; ties listed in tree order), so ordering by rank is
# ordering by score; the rank itself comes from the node's score counts (at most 1,001 rows: 0.0 to 100.0).
SORTS_SQL = {
    "rank": "COALESCE(x.score, 0) DESC, x.path",
    "-rank": "COALESCE(x.score, 0), x.path",
    "name": "x.path",
    "talks": "COALESCE(x.talks_percent, 101), x.path",
    "reviews": "COALESCE(x.reviews_percent, 101), x.path",
    "overdue": "x.items_overdue DESC, x.path",
}


class BranchRows:
    """The branches under a node matching a list's filters, ranked over the whole node: a sequence for
    Paginator whose count and slices are SQL (COUNT, and LIMIT/OFFSET over the covering index
    dashboard_rollup_branches, the figures and names read for the page's rows alone) — a province's list
    page reads fifty rows and the node's score counts, not 30,000 rows."""

    def __init__(self, *, node_path: str, season, flag: str = "", search: str = "", sort: str = "rank", within: str = ""):
        self.node_path, self.season, self.sort = node_path, season, sort if sort in SORTS_SQL else "rank"
        where, params = [], []
        if within:
            where.append("x.path >= %s AND x.path <= %s")
            params += [within, within + _TOP[: 255 - len(within)]]
        if flag == "behind":
            where.append("x.flags <> 0")
        elif flag in FLAG_BITS:
            where.append("(x.flags & %s) <> 0")
            params.append(FLAG_BITS[flag])
        elif flag == "evaluated":
            where.append("x.evaluated")
        elif flag == "held":
            where.append("x.held")
        if search:
            found = "strpos(name, %s) > 0" if connection.vendor == "postgresql" else "instr(name, %s) > 0"
            where.append(f"x.node_id IN (SELECT id FROM {Organization._meta.db_table} WHERE {found})")
            params.append(search)
        self.where = " AND ".join(where) or "1 = 1"
        self.params = params
        self._count: int | None = None
        self._ranks: list[tuple[Decimal, int]] | None = None

    def _scope(self) -> tuple[str, list]:
        sql = "r.year = %s AND r.kind = %s AND r.is_branch AND r.path >= %s AND r.path <= %s"
        return sql, [self.season.year, self.season.kind, self.node_path, self.node_path + _TOP[: 255 - len(self.node_path)]]

    def _page_sql(self, where: str, order: str) -> str:
        table, org = Rollup._meta.db_table, Organization._meta.db_table
        scope, _params = self._scope()
        return (
            f"SELECT x.node_id, o.name, x.path, r.figures, x.score FROM"
            f" (SELECT r.id, r.node_id, r.path, r.score, r.flags, r.held, r.evaluated, r.talks_percent, r.reviews_percent,"
            f" r.items_overdue FROM {table} r WHERE {scope}) x"
            f" JOIN {table} r ON r.id = x.id JOIN {org} o ON o.id = x.node_id WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
        )

    def count(self) -> int:
        if self._count is None:
            table = Rollup._meta.db_table
            scope, params = self._scope()
            sql = (
                f"SELECT COUNT(*) FROM (SELECT r.node_id, r.path, r.flags, r.held, r.evaluated FROM {table} r"
                f" WHERE {scope}) x WHERE {self.where}"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, *self.params])
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def rank_of(self, score) -> int:
        """1 + the branches under the node with a higher score (one grouped read, once)."""
        if self._ranks is None:
            scope, params = self._scope()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COALESCE(r.score, 0), COUNT(*) FROM {Rollup._meta.db_table} r WHERE {scope} GROUP BY 1", params
                )
                counts = sorted(((Decimal(sc), n) for sc, n in cursor.fetchall()), reverse=True)
            above, self._ranks = 0, []
            for sc, n in counts:
                self._ranks.append((sc, above + 1))
                above += n
        score = Decimal(score or 0)
        return next((rank for sc, rank in self._ranks if sc == score), 1)

    def _fetch(self, offset: int, limit: int, *, where: str | None = None, order: str | None = None,
               params: list | None = None) -> list[BranchRow]:
        _scope, scope_params = self._scope()
        sql = self._page_sql(where or self.where, order or SORTS_SQL[self.sort])
        with connection.cursor() as cursor:
            cursor.execute(sql, [*scope_params, *(self.params if params is None else params), limit, offset])
            fetched = cursor.fetchall()
        out = []
        for node_id, name, path, figures, score in fetched:
            row = row_of(node_id=node_id, name=name, path=path, figures=figures, score=score)
            row.rank = self.rank_of(score)
            out.append(row)
        with_parent_names(out, top=self.node_path)
        return out

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, _step = key.indices(self.count())
            return self._fetch(start, max(0, stop - start)) if stop > start else []
        if key < 0:
            key += self.count()
        found = self._fetch(key, 1)
        if not found:
            raise IndexError(key)
        return found[0]

    def __iter__(self) -> Iterator[BranchRow]:
        total, chunk = self.count(), 2000
        for start in range(0, total, chunk):
            yield from self._fetch(start, min(chunk, total - start))


def with_parent_names(rows: list[BranchRow], *, top: str) -> None:
    """The names of each row's nodes between `top` and the branch (one query for the whole page)."""
    step = Organization.steplen
    wanted = {r.path[:n] for r in rows for n in range(len(top) + step, len(r.path), step)}
    names = dict(Organization.objects.filter(path__in=wanted).values_list("path", "name")) if wanted else {}
    for r in rows:
        r.parent_names = [names[r.path[:n]] for n in range(len(top) + step, len(r.path), step) if r.path[:n] in names]


def behind(*, node: Organization, season, limit: int = 10) -> list[BranchRow]:
    """The branches furthest behind (flagged, lowest score first: the partial index dashboard_rollup_behind),
    each ranked over the whole node."""
    rows = BranchRows(node_path=node.path, season=season)
    return rows._fetch(0, limit, where="x.flags <> 0", order="x.score, x.path", params=[])


# ---------------------------------------------------------------- writers: mark the branch's rows
def rollups_stale(*, branches: Q) -> int:
    """Mark the rows of the branches matching `branches` (a Q on Rollup) stale, every season: one UPDATE
    in the writer's transaction."""
    return Rollup.objects.filter(branches).update(dirty=F("dirty") + 1)


def _of_item(item) -> Q:
    return Q(node_id=item.branch_id)


def _of_follow_up(review) -> Q:
    from rectification.models import RectificationItem

    return Q(node_id__in=RectificationItem.objects.filter(pk=review.item_id).values("branch_id"))


def _of_member(member) -> Q:
    return Q(node_id=member.branch_id)


# The models whose writes change a branch's figures and that no tally counts (services.tallies_stale
# marks the rollups of the rest together with their tallies).
ROLLUPS_OF_MODEL = {
    "rectification.RectificationItem": _of_item,
    "rectification.FollowUpReview": _of_follow_up,
    "organizations.Member": _of_member,  # a branch without a meeting still counts its members
}


def organization_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    step = Organization.steplen
    above = [instance.path[:n] for n in range(step, len(instance.path), step)]
    if created and instance.level != GROUP:
        # A new node gets a (stale) row in every season its parent has one, so that no write can miss it.
        parent = Rollup.objects.filter(path=instance.path[:-step]).values_list("year", "kind")
        Rollup.objects.bulk_create(
            [Rollup(node=instance, year=y, kind=k, path=instance.path, depth=instance.depth,
                    is_branch=instance.level == BRANCH) for y, k in parent],
            ignore_conflicts=True,
        )
    rollups_stale(branches=Q(path__in=[*above, instance.path]))


def organization_deleted(sender, instance, **kwargs):
    step = Organization.steplen
    rollups_stale(branches=Q(path__in=[instance.path[:n] for n in range(step, len(instance.path), step)]))


def supervisors_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from meetings.models import Meeting

    if not action.startswith("post_"):
        return
    if not reverse:
        rollups_stale(branches=Q(node_id=instance.branch_id))
    elif pk_set:
        rollups_stale(branches=Q(node_id__in=Meeting.objects.filter(pk__in=pk_set).values("branch_id")))


def connect() -> None:
    """Connect the receivers (cache bookkeeping only, as dashboard.apps does for the tallies)."""
    from django.apps import apps

    from meetings.models import Meeting

    for label, rollups_of in ROLLUPS_OF_MODEL.items():
        model = apps.get_model(label)

        def saved(sender, instance, raw=False, rollups_of=rollups_of, **kwargs):
            if not raw:
                rollups_stale(branches=rollups_of(instance))

        def deleted(sender, instance, rollups_of=rollups_of, **kwargs):
            rollups_stale(branches=rollups_of(instance))

        post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"dashboard-rollup-save-{label}")
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"dashboard-rollup-delete-{label}")
    post_save.connect(organization_saved, sender=Organization, weak=False, dispatch_uid="dashboard-rollup-org-save")
    post_delete.connect(organization_deleted, sender=Organization, weak=False, dispatch_uid="dashboard-rollup-org-delete")
    for through in (Meeting.supervisors.through, Meeting.supervisors_present.through):
        m2m_changed.connect(supervisors_changed, sender=through, weak=False,
                            dispatch_uid=f"dashboard-rollup-m2m-{through.__name__}")
