"""Reads of the dashboard: every indicator for ALL branches under a node in a constant number of queries.

The meetings, evaluations and rectification apps offer per-meeting selectors (talk_coverage,
opinions_summary, evaluation_summary, ledger_counts …). Called once per branch they would cost
thousands of queries for a county, so this read-only reporting layer reads those apps' tables directly,
grouped by meeting or branch (`values(...).annotate(...)`), and never writes to them. The talk coverage
rules of meetings.talks are re-expressed as one grouped SQL statement (`_talk_counts`); a test checks it
against meetings.selectors.talk_coverage on random data.

Freshness (see README): the per-meeting counts that cost most to read (opinions, self-reviews, talks,
attendance, criticisms, the evaluation) are kept in dashboard.models.MeetingTally, marked stale in the
writer's own transaction and counted again on the next read, for the stale meetings only
(`season_tallies`). The assembled rows and front-page summary are cached under one data version that
every write to a model the dashboard reads bumps (WATCHED_MODELS, signals connected in dashboard.apps);
entries expire after DASHBOARD_CACHE_SECONDS, which bounds what signals cannot see (queryset.update).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from branchlife.permissions import actor_of
from evaluations.models import Candidate, Evaluation, Voter
from evaluations.policy import Quota
from meetings import talks as talk_rules
from meetings.models import (
    Attendance,
    Criticism,
    Meeting,
    Opinion,
    OpinionClaim,
    SelfReview,
    Talk,
    talk_counts_q,
)
from meetings.talks import TalkCounts, talk_requirements
from organizations.models import Member, Organization
from rectification.models import FollowUpReview, RectificationItem
from rectification.selectors import overdue_q, with_overdue

from .models import MeetingTally
from .scoring import (
    FLAGS,
    GRADES,
    ITEM_STATUSES,
    BranchRow,
    MeetingFacts,
    Totals,
    finish,
    is_over_quota,
    meeting_flags,
    rank,
)

logger = logging.getLogger(__name__)
BRANCH = Organization.Level.BRANCH
GROUP = Organization.Level.GROUP
# The models whose writes change what a dashboard shows: a save or delete bumps the data version
# (dashboard.apps connects their signals to services.dashboard_data_changed).
WATCHED_MODELS = (
    "organizations.Organization", "organizations.Member", "meetings.Meeting", "meetings.Opinion",
    "meetings.OpinionClaim", "meetings.SelfReview", "meetings.Talk", "meetings.Attendance", "meetings.Criticism",
    "evaluations.Evaluation", "rectification.RectificationItem", "rectification.FollowUpReview",
)
VERSION_KEY = "dashboard:version"


def cache_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 300))


def safely(call, default=None):
    """Run a cache call; a cache that is down must not take the dashboard down (it then computes)."""
    try:
        return call()
    except Exception:  # redis unreachable, timeouts …
        logger.warning("dashboard cache unavailable", exc_info=True)
        return default


def data_version() -> int | None:
    """The current data version (one cache round trip), or None when the cache is down. A version that
    is missing (never set, or evicted) starts from the clock, so that it never comes back to a value
    already used in a key."""
    version = safely(lambda: cache.get(VERSION_KEY), default=False)
    if version is False:
        return None
    if version is None:
        safely(lambda: cache.add(VERSION_KEY, time.time_ns(), None))
        version = safely(lambda: cache.get(VERSION_KEY)) or time.time_ns()
    return version


# ---------------------------------------------------------------- scope
@dataclass(frozen=True)
class Season:
    year: int
    kind: str = Meeting.Kind.ANNUAL

    @property
    def label(self) -> str:
        return f"{self.year}{Meeting.Kind(self.kind).label}"


def home_node(*, user) -> Organization | None:
    """The node a user's dashboard opens on: an officer's own node; for a superuser the first county."""
    actor = actor_of(user)
    if actor.officer_org is not None:
        return actor.officer_org
    if actor.is_superuser:
        return Organization.get_root_nodes().first()
    return None


def season_years(*, node: Organization) -> list[int]:
    years = (
        Meeting.objects.filter(branch__path__startswith=node.path).order_by("-year").values_list("year", flat=True).distinct()
    )
    return list(years)


def default_year(*, years: list[int], today: dt.date) -> int:
    """This year when it has meetings (or nothing has any), else the latest year that has."""
    if not years or today.year in years:
        return today.year
    past = [y for y in years if y <= today.year]
    return max(past) if past else max(years)


def ancestors_within(*, node: Organization, top: Organization | None) -> list[Organization]:
    """The breadcrumb: ancestors of `node` from the user's own node down (none above their scope)."""
    if top is None or node.pk == top.pk or not node.path.startswith(top.path):
        return []
    return list(
        Organization.objects.filter(
            path__in=[node.path[:n] for n in range(len(top.path), len(node.path), Organization.steplen)]
        ).order_by("depth")
    )


# ---------------------------------------------------------------- the grouped reads
@dataclass(frozen=True)
class BranchSet:
    """Some branches, read the way a node's subtree is: what dashboard.rollups counts again when only the
    branches written to are stale (the same grouped reads, restricted to them)."""

    ids: tuple[int, ...]


def under(node: Organization | BranchSet, prefix: str = "branch") -> Q:
    """Rows whose organization at `prefix` ("branch", "meeting__branch"; "" for Organization itself) lies
    under `node`, or is one of a BranchSet's branches."""
    if isinstance(node, BranchSet):
        return Q(**{f"{prefix}_id__in" if prefix else "pk__in": node.ids})
    return Q(**{f"{prefix}__path__startswith" if prefix else "path__startswith": node.path})


def in_season(node: Organization | BranchSet, season: Season, prefix: str = "meeting__") -> Q:
    """Rows of the season's meetings under `node`, as plain join conditions (which PostgreSQL plans
    better than `meeting IN (subquery)` at county scale)."""
    return Q(**{f"{prefix}year": season.year, f"{prefix}kind": season.kind}) & under(node, f"{prefix}branch")


def season_meetings(*, node: Organization, season: Season) -> QuerySet[Meeting]:
    return Meeting.objects.filter(in_season(node, season, "")).order_by()


def _of_meetings(node: Organization, season: Season, ids: list[int] | None, prefix: str = "meeting__") -> Q:
    """The rows of the season's meetings under `node`, or only of the meetings `ids` (a recount)."""
    return in_season(node, season, prefix) if ids is None else Q(**{f"{prefix}id__in": ids})


def _members_near(ids: list[int] | None, *fields: str) -> Q:
    """For a recount of a few meetings: the members at `fields` belong to those meetings' branches.
    Only such members count anyway; saying so lets PostgreSQL read them by branch instead of hashing
    every member of the county."""
    if ids is None:
        return Q()
    branches = Meeting.objects.filter(pk__in=ids).values("branch_id")
    return Q(**{f"{f}__branch_id__in": branches for f in fields})


def _counts(qs: QuerySet) -> list[dict]:
    """The rows of a grouped values().annotate(Count…) queryset, read through a bare cursor.

    Every column is an id or a count, already an int from the driver; going around the ORM's per-value
    converters saves tens of milliseconds for thousands of rows."""
    names = [*qs.query.values_select, *qs.query.annotation_select]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _member_counts(node: Organization) -> dict[int, tuple[int, int]]:
    rows = (
        Member.objects.filter(under(node), is_active=True, branch__level=BRANCH)
        .order_by()
        .values("branch_id")
        .annotate(n=Count("pk"), c=Count("pk", filter=Q(committee_post__in=Member.COMMITTEE_POSTS)))
    )
    return {r["branch_id"]: (r["n"], r["c"]) for r in _counts(rows)}


def _is_set(field_name: str) -> Case:
    """1 when a timestamp is set: read as a flag, so that no datetime is converted for each row."""
    return Case(When(**{f"{field_name}__isnull": False}, then=Value(1)), default=Value(0))


def _meeting_facts(meetings: QuerySet[Meeting]) -> list[MeetingFacts]:
    rows = meetings.values(
        "pk", "branch_id", "held_on", "opinions_close_on", "talks_due_on", "self_reviews_due_on",
        "rectification_plans_due_on", "talk_rule_set", "custom_talk_rules",
    ).annotate(
        is_closed=_is_set("closed_at"),
        n_supervisors=Count("supervisors", distinct=True), n_present=Count("supervisors_present", distinct=True),
    )
    return [
        MeetingFacts(
            id=r["pk"], branch_id=r["branch_id"], held_on=r["held_on"], closed=bool(r["is_closed"]),
            supervisors=r["n_supervisors"], supervisors_present=r["n_present"], opinions_close_on=r["opinions_close_on"], talks_due_on=r["talks_due_on"],
            self_reviews_due_on=r["self_reviews_due_on"], rectification_plans_due_on=r["rectification_plans_due_on"],
            talk_rule_set=r["talk_rule_set"], custom_talk_rules=r["custom_talk_rules"] or [],
        )
        for r in rows
    ]


def _opinion_counts(node: Organization, season: Season, ids: list[int] | None = None) -> dict[int, dict]:
    claimed = Exists(OpinionClaim.objects.filter(opinion=OuterRef("pk")))
    rows = (
        Opinion.objects.filter(_of_meetings(node, season, ids), merged_into__isnull=True)
        .order_by()
        .values("meeting_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status=Opinion.Status.OPEN)),
            answered=Count("pk", filter=Q(status=Opinion.Status.ANSWERED)),
            resolved=Count("pk", filter=Q(status=Opinion.Status.RESOLVED)),
            claimed=Count("pk", filter=claimed),
            forum=Count("pk", filter=Q(channel=Opinion.Channel.FORUM)),
        )
    )
    return {r["meeting_id"]: r for r in _counts(rows)}


def _review_counts(node: Organization, season: Season, ids: list[int] | None = None) -> dict[int, dict]:
    done = Q(status__in=SelfReview.DONE_STATUSES)
    on_roll = Q(kind=SelfReview.Kind.MEMBER, member__is_active=True, member__branch_id=F("meeting__branch_id"))
    rows = (
        SelfReview.objects.filter(_of_meetings(node, season, ids))
        .filter(Q() if ids is None else Q(member__isnull=True) | _members_near(ids, "member"))
        .order_by()
        .values("meeting_id")
        .annotate(
            done=Count("pk", filter=on_roll & done),
            returned=Count("pk", filter=on_roll & Q(status=SelfReview.Status.RETURNED)),
            committee=Count("pk", filter=Q(kind=SelfReview.Kind.COMMITTEE) & done),
        )
    )
    return {r["meeting_id"]: r for r in _counts(rows)}


def _talk_counts(node: Organization, season: Season, ids: list[int] | None = None) -> dict[int, TalkCounts]:
    """The required-talk facts of every meeting, in one pass over the season's talks (plus two small
    queries for the secretaries and the talks with people outside the branch).

    Only talks between two active members of the meeting's branch count, as in talk_coverage. Per
    meeting: (1) committee pairs that talked; (2) ordinary members who talked with a committee member;
    (3) ordinary members who talked with another ordinary member; (4) per secretary, the distinct
    members they talked with; and whether the secretary talked with the leader in charge and with
    service recipients. The secretary is picked as meetings.talks does: the 书记 (by name), else a 副书记.

    The talks are read once (a materialized CTE) and each is seen from up to four sides so that both
    of its ends can be counted: side 1 gives its (1), (2) or (3) value, side 2 the second end of an
    ordinary–ordinary talk, sides 3 and 4 the partner of a secretary at either end. DISTINCT then COUNT
    per (meeting, kind, secretary) gives every number at once.
    """
    posts, secretary_posts = Member.COMMITTEE_POSTS, Member.SECRETARY_POSTS

    def flag(condition: Q) -> Case:
        return Case(When(condition, then=Value(1)), default=Value(0))

    # Both ends in the meeting's branch is a column, not a join condition: PostgreSQL underestimates
    # such cross-table equalities and then picks nested loops.
    base = (
        # A talk waiting for the other side's confirmation (or disputed) does not count (meetings.talks).
        Talk.objects.filter(_of_meetings(node, season, ids), _members_near(ids, "member_a", "member_b"), talk_counts_q(),
                            member_b__isnull=False, member_a__is_active=True, member_b__is_active=True)
        .order_by()
        .annotate(
            mid=F("meeting_id"), a=F("member_a_id"), b=F("member_b_id"),
            same=flag(Q(member_a__branch_id=F("meeting__branch_id")) & Q(member_b__branch_id=F("meeting__branch_id"))),
            ac=flag(Q(member_a__committee_post__in=posts)),
            bc=flag(Q(member_b__committee_post__in=posts)),
            sa=flag(Q(member_a__committee_post__in=secretary_posts)),
            sb=flag(Q(member_b__committee_post__in=secretary_posts)),
        )
        .values_list("mid", "a", "b", "same", "ac", "bc", "sa", "sb")
    )
    base_sql, params = base.query.sql_with_params()
    # An unordered pair of member ids as one number (ids stay far below 2**31).
    pair = "CASE WHEN a < b THEN a * 2147483648 + b ELSE b * 2147483648 + a END"
    # The talks are read once (a materialized CTE); each is then seen from up to four sides.
    sql = f"""
    WITH t AS MATERIALIZED ({base_sql}),
    sides AS (
      SELECT mid, CASE WHEN ac = 1 AND bc = 1 THEN 1 WHEN ac + bc = 1 THEN 2 ELSE 3 END AS kind, 0 AS who,
        CASE WHEN ac = 1 AND bc = 1 THEN {pair} WHEN ac = 1 THEN b ELSE a END AS val
        FROM t WHERE same = 1
      UNION ALL SELECT mid, 3, 0, b FROM t WHERE same = 1 AND ac = 0 AND bc = 0
      UNION ALL SELECT mid, 4, a, b FROM t WHERE same = 1 AND sa = 1
      UNION ALL SELECT mid, 4, b, a FROM t WHERE same = 1 AND sb = 1
    )
    SELECT mid, kind, who, COUNT(*) FROM (SELECT DISTINCT mid, kind, who, val FROM sides) d GROUP BY mid, kind, who
    """
    counts: dict[int, TalkCounts] = {}
    partners: dict[tuple[int, int], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for mid, kind, who, n in cursor.fetchall():
            c = counts.setdefault(mid, TalkCounts())
            if kind == 1:
                c.committee_pairs_done = n
            elif kind == 2:
                c.ordinary_with_committee = n
            elif kind == 3:
                c.ordinary_with_ordinary = n
            else:
                partners[(mid, who)] = n

    meetings = Meeting.objects.filter(_of_meetings(node, season, ids, "")).order_by()
    secretary_of: dict[int, int] = {}
    candidates = Member.objects.filter(
        is_active=True, committee_post__in=secretary_posts, branch_id__in=meetings.values("branch_id"),
    ).values_list("branch_id", "id", "committee_post", "name")
    for branch_id, mid, _post, _name in sorted(candidates, key=lambda r: (r[0], r[2] != Member.Post.SECRETARY, r[3], r[1])):
        secretary_of.setdefault(branch_id, mid)
    outside: dict[int, set] = {}
    for mid, member_id, kind in (
        Talk.objects.filter(_of_meetings(node, season, ids), member_b__isnull=True, member_a__committee_post__in=secretary_posts)
        .order_by().values_list("meeting_id", "member_a_id", "other_kind").distinct()
    ):
        outside.setdefault(mid, set()).add((member_id, kind))
    for mid, branch_id in meetings.values_list("pk", "branch_id"):
        c = counts.setdefault(mid, TalkCounts())
        sec = secretary_of.get(branch_id)
        if sec is None:
            continue
        c.has_secretary = True
        c.secretary_partners = partners.get((mid, sec), 0)
        c.secretary_leader = (sec, Talk.Other.LEADER) in outside.get(mid, ())
        c.secretary_recipient = (sec, Talk.Other.RECIPIENT) in outside.get(mid, ())
    return counts


def _attendance_counts(node: Organization, season: Season, ids: list[int] | None = None) -> dict[int, dict]:
    """Per meeting with attendance recorded: members present (issue 5's attendance record)."""
    rows = (
        Attendance.objects.filter(_of_meetings(node, season, ids))
        .order_by()
        .values("meeting_id")
        .annotate(present=Count("pk", filter=Q(status__in=Attendance.ATTENDED)))
    )
    return {r["meeting_id"]: r for r in _counts(rows)}


def _criticism_counts(node: Organization, season: Season, ids: list[int] | None = None) -> dict[int, dict]:
    rows = (
        Criticism.objects.filter(_of_meetings(node, season, ids))
        .order_by()
        .values("meeting_id")
        .annotate(given=Count("pk", filter=Q(is_self=False)), own=Count("pk", filter=Q(is_self=True)))
    )
    return {r["meeting_id"]: r for r in _counts(rows)}


def _evaluation_counts(node: Organization, season: Season, ids: list[int] | None = None) -> dict[int, dict]:
    """Per meeting: the evaluation's state, final grades (组织评定) and turnout from the participation
    record. Ballots and their marks are never read here: the dashboard needs none of what is anonymous."""
    evaluations = {
        r["meeting_id"]: r
        for r in Evaluation.objects.filter(_of_meetings(node, season, ids))
        .order_by()
        .values("meeting_id", "excellent_quota_numerator", "excellent_quota_denominator", "closes_at")
        .annotate(determined=_is_set("determined_at"), published=_is_set("published_at"))
    }
    grade_counts = {f"g_{g}": Count("pk", filter=Q(final_grade=g)) for g in GRADES}
    for r in _counts(
        Candidate.objects.filter(_of_meetings(node, season, ids, "evaluation__meeting__"))
        .order_by()
        .values("evaluation__meeting_id")
        .annotate(n=Count("pk"), **grade_counts)
    ):
        evaluations[r["evaluation__meeting_id"]].update(r)
    for r in _counts(
        Voter.objects.filter(_of_meetings(node, season, ids, "evaluation__meeting__"))
        .order_by()
        .values("evaluation__meeting_id")
        .annotate(eligible=Count("pk"), voted=Count("pk", filter=~Q(channel="")))
    ):
        evaluations[r["evaluation__meeting_id"]].update(r)
    return evaluations


# ---------------------------------------------------------------- the meetings' tallies
# What a tally holds (MeetingTally.figures): for each part, the counts of the meeting's row of that
# grouped read in this order, or null when the read has no row for the meeting (for attendance, say,
# "not recorded" is not "nobody present"). Lists of numbers, not dicts: a county reads 3,000 of them.
TALLY_FIELDS: dict[str, tuple[str, ...]] = {
    "opinions": ("total", "open", "answered", "resolved", "claimed", "forum"),
    "reviews": ("done", "returned", "committee"),
    "talks": tuple(f.name for f in fields(TalkCounts)),
    "attendance": ("present",),
    "criticisms": ("given", "own"),
    "evaluations": (
        "excellent_quota", "closes_at", "determined", "published", "n", *(f"g_{g}" for g in GRADES),
        "eligible", "voted",
    ),
}


def _count_meetings(node: Organization, season: Season, ids: list[int] | None) -> dict[int, list]:
    """Count the tallied figures of the meetings `ids` (None: every meeting of the season): the grouped
    reads, each once, whatever the number of meetings."""
    reads = {
        "opinions": _opinion_counts(node, season, ids),
        "reviews": _review_counts(node, season, ids),
        "talks": {mid: asdict(c) for mid, c in _talk_counts(node, season, ids).items()},
        "attendance": _attendance_counts(node, season, ids),
        "criticisms": _criticism_counts(node, season, ids),
        "evaluations": {mid: _evaluation_to_json(e) for mid, e in _evaluation_counts(node, season, ids).items()},
    }
    if ids is None:
        ids = list(season_meetings(node=node, season=season).values_list("pk", flat=True))
    return {
        mid: [
            [rows[mid].get(name, 0) for name in TALLY_FIELDS[part]] if mid in rows else None
            for part, rows in reads.items()
        ]
        for mid in ids
    }


def _evaluation_to_json(row: dict) -> dict:
    quota, closes = Quota.of(row["excellent_quota_numerator"], row["excellent_quota_denominator"]), row["closes_at"]
    return {**row, "excellent_quota": None if quota is None else quota.text, "closes_at": closes.isoformat()}


@functools.lru_cache(maxsize=256)
def _tally_quota(text: str | None) -> Quota | None:
    """A tally's quota as stored: Quota.text ("30%", "1/3"), or "30.00" in a tally counted before the quota
    was a ratio, which Quota.parse reads as the percentage it was. Cached: a county folds 3,000 of them."""
    return None if text is None else Quota.parse(text)


def tally_parts(figures: list | None) -> dict[str, dict | None]:
    """A tally's figures as {part: {count name: value} or None}, as _fold_meeting takes them."""
    parts = dict.fromkeys(TALLY_FIELDS)
    for (part, names), values in zip(TALLY_FIELDS.items(), figures or (), strict=False):
        if values is not None:
            parts[part] = dict(zip(names, values, strict=True))
    evaluation = parts["evaluations"]
    if evaluation is not None:
        evaluation["excellent_quota"] = _tally_quota(evaluation["excellent_quota"])
        evaluation["closes_at"] = dt.datetime.fromisoformat(evaluation["closes_at"])
    return parts


def season_tallies(*, node: Organization, season: Season, recount: bool = False) -> dict[int, list]:
    """The tallied figures of every meeting of the season under `node`, counting again only the meetings
    whose tally is missing or stale (or all of them with `recount`, the pages' "重新统计").

    A tally counted more than DASHBOARD_CACHE_SECONDS ago is counted again too: that bounds what the
    signals cannot see (queryset.update, such as the voting turnout), with or without beat.

    Three queries when every tally is current; the grouped reads plus two when some are not, whatever
    their number. The recount writes back only the tallies it can lock at once (SKIP LOCKED): a read
    never waits for a write, and a tally a write holds stays stale and is counted again next time.
    """
    max_age = cache_seconds()
    old = Value(0)
    if max_age > 0:
        cutoff = timezone.now() - dt.timedelta(seconds=max_age)
        old = Case(When(tally__computed_at__lt=cutoff, then=Value(1)), default=Value(0))
    query = (
        season_meetings(node=node, season=season).annotate(old=old)
        .values_list("pk", "tally__dirty", "tally__clean", "tally__figures", "old")
    )
    # A bare cursor and one json.loads per row: the ORM's per-value converters cost more than the SQL.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    figures = {pk: json.loads(data) if isinstance(data, str) else data for pk, _dirty, _clean, data, _old in rows}
    # The `dirty` read before counting is what the recount may store as `clean` (see MeetingTally).
    stale = {
        pk: dirty or 1 for pk, dirty, clean, _data, too_old in rows if recount or dirty is None or clean != dirty or too_old
    }
    if stale:
        missing = [pk for pk, dirty, _clean, _data, _old in rows if dirty is None]
        if missing:
            MeetingTally.objects.bulk_create([MeetingTally(meeting_id=pk) for pk in missing], ignore_conflicts=True)
        # Stamped before counting, so that the age bounds what the counting may have missed.
        started = timezone.now()
        # A recount of most of the season is cheaper as the whole season than as a long IN list.
        # (For a BranchSet, the branches written to, a short list of their stale meetings reads less.)
        whole = len(stale) * 2 > len(rows) and not (isinstance(node, BranchSet) and len(stale) <= 50)
        counted = _count_meetings(node, season, None if whole else list(stale))
        with transaction.atomic():
            free = set(
                MeetingTally.objects.select_for_update(skip_locked=True)
                .filter(meeting_id__in=list(stale)).values_list("meeting_id", flat=True)
            )
            # INSERT … ON CONFLICT UPDATE: one statement per thousand rows (bulk_update's CASE takes seconds).
            MeetingTally.objects.bulk_create(
                [MeetingTally(meeting_id=pk, figures=counted[pk], clean=stale[pk], computed_at=started) for pk in stale if pk in free],
                update_conflicts=True, unique_fields=["meeting"], update_fields=["figures", "clean", "computed_at"],
                batch_size=1000,
            )
        for pk in stale:
            figures[pk] = counted[pk]
    return figures


def season_items(*, node: Organization, season: Season) -> QuerySet[RectificationItem]:
    """The season's rectification items: those of its meetings; for the annual season also the
    branch's items not tied to a meeting, created that year."""
    condition = in_season(node, season)
    if season.kind == Meeting.Kind.ANNUAL:
        condition |= Q(meeting__isnull=True, created_at__year=season.year)
    return RectificationItem.objects.filter(condition, under(node))


def _item_counts(node: Organization, season: Season, today: dt.date) -> dict[int, dict]:
    closed = Q(status=RectificationItem.Status.CLOSED)
    rebound = Exists(
        FollowUpReview.objects.filter(item=OuterRef("pk"), result=FollowUpReview.Result.REBOUND)
    )
    by_status = {f"s_{s}": Count("pk", filter=Q(status=s)) for s in ITEM_STATUSES}
    rows = (
        season_items(node=node, season=season)
        .order_by()
        .values("branch_id")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=overdue_q(today)),
            on_time=Count("pk", filter=closed & Q(closed_at__date__lte=F("deadline"))),
            rebound=Count("pk", filter=rebound),
            **by_status,
        )
    )
    return {r["branch_id"]: r for r in _counts(rows)}


# ---------------------------------------------------------------- assembling the rows
@dataclass
class NodeInfo:
    pk: int
    name: str
    path: str
    depth: int
    level: str

    @property
    def is_branch(self) -> bool:
        return self.level == BRANCH


@dataclass
class ChildRow:
    node: NodeInfo
    totals: Totals


@dataclass
class DashboardData:
    """Every branch row of one node and season, with the node's sums (the lists and exports)."""

    node_pk: int
    season: Season
    today: dt.date
    rows: list[BranchRow]  # ranked, best first
    totals: Totals
    children: list[ChildRow] = field(default_factory=list)
    computed_at: dt.datetime | None = None

    def row(self, branch_id: int) -> BranchRow | None:
        return next((r for r in self.rows if r.id == branch_id), None)


@dataclass
class DashboardSummary:
    """What the dashboard's front page shows: the sums, the children and the ten branches furthest
    behind. Cached apart from the rows so that the front page never unpickles thousands of rows."""

    node_pk: int
    season: Season
    today: dt.date
    totals: Totals
    children: list[ChildRow]
    behind: list[BranchRow]
    computed_at: dt.datetime | None

    @classmethod
    def of(cls, data: DashboardData) -> DashboardSummary:
        behind = sorted((r for r in data.rows if r.flags), key=lambda r: (r.score, r.path))[:10]
        return cls(data.node_pk, data.season, data.today, data.totals, data.children, behind, data.computed_at)


NO_TALLY = (None,) * len(TALLY_FIELDS)


def _fold_meeting(row: BranchRow, m: MeetingFacts, *, members: int, committee: int, tally: list | None,
                  today: dt.date, now: dt.datetime) -> set[str]:
    """Add one meeting's facts and tally to its branch's row; the reasons it is behind.

    The tally's lists are unpacked in TALLY_FIELDS order (no dict per part: this runs for every meeting
    of a county)."""
    row.meetings += 1
    if row.meeting_id is None or m.id > row.meeting_id:
        row.meeting_id, row.held_on = m.id, m.held_on
    row.dated += m.held_on is not None
    row.supervised += m.supervisors > 0
    row.supervisors_present += m.supervisors_present > 0
    row.held += m.closed
    opinions, reviews, talks, attendance, criticisms, evaluation = tally or NO_TALLY
    total = open_ = 0
    if opinions:
        total, open_, answered, resolved, claimed, forum = opinions
        row.opinions += total
        row.opinions_open += open_
        row.opinions_answered += answered
        row.opinions_resolved += resolved
        row.opinions_claimed += claimed
        row.opinions_forum += forum
    counts = TalkCounts(*talks) if talks else TalkCounts()
    done, required = talk_requirements(rules=talk_rules.rules_of(m), members=members, committee=committee, counts=counts)
    row.talks_done += done
    row.talks_required += required
    reviews_done = 0
    if reviews:
        done_reviews, returned, committee_done = reviews
        reviews_done = min(done_reviews, members)
        row.reviews_returned += returned
        row.committee_reviews_done += committee_done
    row.reviews_done += reviews_done
    row.reviews_required += members
    present = attendance[0] if attendance is not None else None
    if present is not None:
        row.present = (row.present or 0) + present
    if criticisms is not None:
        row.criticisms += criticisms[0]
        row.self_criticisms += criticisms[1]
    over = False
    determined = False
    if evaluation is not None:
        quota, closes_at, is_determined, published, candidates, *grades, eligible, voted = evaluation
        row.evaluations += 1
        row.evaluations_closed += dt.datetime.fromisoformat(closes_at) <= now
        determined = bool(is_determined)
        row.evaluations_published += bool(published)
        row.evaluations_without_quota += quota is None
        row.voters += eligible
        row.voted += voted
        if determined:
            row.evaluations_determined += 1
            row.candidates += candidates
            for g, n in zip(GRADES, grades, strict=True):
                row.grades[g] = row.grades.get(g, 0) + n
            over = is_over_quota(
                quota=_tally_quota(quota), candidates=candidates, excellent=grades[0],
            )
            row.over_quota += over
    return meeting_flags(
        meeting=m, today=today, opinions=total, opinions_open=open_, talks_done=done,
        talks_required=required, reviews_missing=members - reviews_done, determined=determined,
        items=row.items, over_quota=over, members=members, present=present,
        required_attendance_percent=row.required_attendance_percent,
    )


def compute_dashboard(*, node: Organization, season: Season, today: dt.date | None = None,
                      refresh: bool = False) -> DashboardData:
    """Every indicator of every branch under `node`, in a constant number of queries whatever the size:
    the tree, the members, the meetings, their tallies (counting again only the stale ones, or every
    one with `refresh`) and the rectification items, folded in Python."""
    with gc_paused():
        return _compute(node=node, season=season, today=today or timezone.localdate(), refresh=refresh)


@contextmanager
def gc_paused():
    """The fold allocates tens of thousands of short-lived, acyclic objects; a cyclic collection in the
    middle of it walks the whole heap for nothing (about a fifth of a county page's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def fold_rows(*, node: Organization | BranchSet, season: Season, today: dt.date, refresh: bool = False,
              now: dt.datetime | None = None) -> tuple[dict[str, NodeInfo], dict[int, BranchRow]]:
    """The finished row (figures, flags, score; not ranked) of every branch under `node` or of a
    BranchSet, and the tree's nodes by path: the five grouped reads, folded in Python."""
    now = now or timezone.now()
    nodes: dict[str, NodeInfo] = {}
    rows: dict[int, BranchRow] = {}
    tree = Organization.objects.filter(under(node, ""))
    if isinstance(node, BranchSet):
        tree = tree.filter(level=BRANCH)
    for pk, name, path, depth, level, required in (
        tree.exclude(level=GROUP).order_by("path").values_list("pk", "name", "path", "depth", "level", "required_attendance_percent")
    ):
        nodes[path] = NodeInfo(pk, name, path, depth, level)
        if level == BRANCH:
            rows[pk] = BranchRow(id=pk, name=name, path=path, required_attendance_percent=required)

    members = _member_counts(node)
    meetings = _meeting_facts(season_meetings(node=node, season=season))
    tallies = season_tallies(node=node, season=season, recount=refresh)
    items = _item_counts(node, season, today)

    for bid, row in rows.items():
        row.members, row.committee = members.get(bid, (0, 0))
        i = items.get(bid)
        if i:
            row.items = i["total"]
            row.items_by_status = {s: i[f"s_{s}"] for s in ITEM_STATUSES}
            row.items_overdue = i["overdue"]
            row.items_closed_on_time = i["on_time"]
            row.items_rebound = i["rebound"]
    flags: dict[int, set[str]] = {}
    for m in meetings:
        row = rows.get(m.branch_id)
        if row is None:
            continue
        flags.setdefault(m.branch_id, set()).update(
            _fold_meeting(row, m, members=row.members, committee=row.committee, tally=tallies.get(m.id), today=today, now=now)
        )
    for bid, row in rows.items():
        row.flags = list(flags.get(bid, ()))
        finish(row)
    return nodes, rows


def _compute(*, node: Organization, season: Season, today: dt.date, refresh: bool) -> DashboardData:
    now = timezone.now()
    nodes, rows = fold_rows(node=node, season=season, today=today, refresh=refresh, now=now)
    start = len(node.path)
    for row in rows.values():
        row.parent_names = [
            nodes[row.path[:n]].name
            for n in range(start + Organization.steplen, len(row.path), Organization.steplen)
            if row.path[:n] in nodes
        ]
    ranked = rank(list(rows.values()))
    children = _children(node, nodes, ranked)
    totals = Totals()
    if children:
        for child in children:
            totals.merge(child.totals)
    else:  # the node is a branch
        for row in ranked:
            totals.add(row)
    return DashboardData(
        node_pk=node.pk, season=season, today=today, rows=ranked, totals=totals, children=children, computed_at=now,
    )


def _children(node: Organization, nodes: dict[str, NodeInfo], rows: list[BranchRow]) -> list[ChildRow]:
    """The direct children of the node with their sums (the drill-down table), in tree order."""
    width = len(node.path) + Organization.steplen
    children = {path: ChildRow(info, Totals()) for path, info in nodes.items() if info.depth == node.depth + 1}
    for row in rows:
        child = children.get(row.path[:width])
        if child is not None:
            child.totals.add(row)
    return [children[p] for p in sorted(children)]


def _cache_key(node: Organization, season: Season, today: dt.date, part: str, version: int) -> str:
    return f"dashboard:{part}:{version}:{node.pk}:{node.path}:{season.year}:{season.kind}:{today.isoformat()}"


def _computed(node: Organization, season: Season, today: dt.date, use_cache: bool, *, keep_rows: bool) -> DashboardData:
    # The version is read before the data: a write meanwhile leaves this result under the older version.
    version = data_version() if cache_seconds() > 0 else None
    data = compute_dashboard(node=node, season=season, today=today, refresh=not use_cache)
    if version is None:
        return data
    entries = {_cache_key(node, season, today, "summary", version): DashboardSummary.of(data)}
    if keep_rows:  # pickling thousands of rows costs tens of ms: only when a list page needs them
        entries[_cache_key(node, season, today, "rows", version)] = data
    safely(lambda: cache.set_many(entries, cache_seconds()))
    return data


def _cached(node: Organization, season: Season, today: dt.date, part: str):
    version = data_version() if cache_seconds() > 0 else None
    if version is None:
        return None
    return safely(lambda: cache.get(_cache_key(node, season, today, part, version)))


@dataclass
class RollupData:
    """A node's figures from its rollups (dashboard.rollups): what DashboardData gives the list pages and
    the exports, with `rows` paged in SQL instead of held in memory."""

    node_pk: int
    node_path: str
    season: Season
    today: dt.date
    totals: Totals
    children: list[ChildRow]
    computed_at: dt.datetime | None

    @property
    def rows(self):
        from .rollups import BranchRows

        return BranchRows(node_path=self.node_path, season=self.season)

    def row(self, branch_id: int) -> BranchRow | None:
        return next((r for r in self.rows if r.id == branch_id), None)


def dashboard_data(*, node: Organization, season: Season, today: dt.date | None = None,
                   use_cache: bool = True) -> DashboardData | RollupData:
    """compute_dashboard, cached (see the module docstring for the invalidation), for a branch; for any
    other node its rollups, with the rows paged in SQL (RollupData).

    use_cache=False runs every read now (and refreshes the cache) — the pages' "重新统计" link."""
    today = today or timezone.localdate()
    if node.level != BRANCH:
        summary = dashboard_summary(node=node, season=season, today=today, use_cache=use_cache)
        return RollupData(node.pk, node.path, season, today, summary.totals, summary.children, summary.computed_at)
    data = _cached(node, season, today, "rows") if use_cache else None
    return data if data is not None else _computed(node, season, today, use_cache, keep_rows=True)


def dashboard_summary(*, node: Organization, season: Season, today: dt.date | None = None, use_cache: bool = True) -> DashboardSummary:
    """The front page's figures: for a branch from compute_dashboard, for any other node from the rollups
    of the node and its children (dashboard.rollups: a province reads a few dozen rows), cached."""
    today = today or timezone.localdate()
    summary = _cached(node, season, today, "summary") if use_cache else None
    if summary is not None:
        return summary
    if node.level == BRANCH:
        return DashboardSummary.of(_computed(node, season, today, use_cache, keep_rows=False))
    version = data_version() if cache_seconds() > 0 else None
    summary = rollup_summary(node=node, season=season, today=today, recount=not use_cache)
    if version is not None:
        key = _cache_key(node, season, today, "summary", version)
        safely(lambda: cache.set(key, summary, cache_seconds()))
    return summary


def rollup_summary(*, node: Organization, season: Season, today: dt.date, recount: bool = False) -> DashboardSummary:
    """The front page of a node that is not a branch, from the rollups (brought up to date first)."""
    from . import rollups

    top = rollups.refresh(node=node, season=season, today=today, recount=recount)
    totals = rollups.totals_of(top.node[6]) if top.node else Totals()
    children = []
    for node_id, name, level, path, depth, is_branch, figures, score, *_rest in top.children:
        info = NodeInfo(node_id, name, path, depth, level)
        if is_branch:
            child = Totals()
            if figures:
                child.add(rollups.row_of(node_id=node_id, name=name, path=path, figures=figures, score=score))
        else:
            child = rollups.totals_of(figures)
        children.append(ChildRow(info, child))
    computed_at = top.node[11] if top.node else None
    return DashboardSummary(node.pk, season, today, totals, children, rollups.behind(node=node, season=season), computed_at)


# ---------------------------------------------------------------- lists behind the indicators
SORTS = {
    "rank": lambda r: (r.rank, r.path),
    "-rank": lambda r: (-r.rank, r.path),
    "name": lambda r: r.path,
    "talks": lambda r: (r.talks_percent if r.talks_percent is not None else Decimal(101), r.path),
    "reviews": lambda r: (r.reviews_percent if r.reviews_percent is not None else Decimal(101), r.path),
    "overdue": lambda r: (-r.items_overdue, r.path),
}


def branch_rows(*, data: DashboardData | RollupData, flag: str = "", search: str = "", sort: str = "rank",
                within: str = ""):
    """The branches behind an indicator: `flag` is a key of scoring.FLAGS, or "behind" (any flag).

    From a node's rollups (RollupData) a sequence whose count and pages are SQL (rollups.BranchRows)."""
    if isinstance(data, RollupData):
        from .rollups import BranchRows

        return BranchRows(node_path=data.node_path, season=data.season, flag=flag, search=search, sort=sort, within=within)
    rows = data.rows
    if within:
        rows = [r for r in rows if r.path.startswith(within)]
    if flag == "behind":
        rows = [r for r in rows if r.flags]
    elif flag in FLAGS:
        rows = [r for r in rows if flag in r.flags]
    elif flag == "evaluated":
        rows = [r for r in rows if r.evaluations_determined]
    elif flag == "held":
        rows = [r for r in rows if r.held]
    if search:
        rows = [r for r in rows if search in r.name]
    return sorted(rows, key=SORTS.get(sort, SORTS["rank"]))


ITEM_FILTERS = ("overdue", "open", *ITEM_STATUSES)


def item_list(*, node: Organization, season: Season, state: str = "", search: str = "",
              today: dt.date | None = None) -> QuerySet[RectificationItem]:
    """Rectification items under a node (the list behind "整改事项" / "逾期"), nearest deadline first,
    each with `is_overdue` (rectification's one overdue rule) for the page and the export."""
    today = today or timezone.localdate()
    qs = with_overdue(season_items(node=node, season=season).select_related("branch", "responsible", "meeting"), on=today)
    if state == "overdue":
        qs = qs.filter(overdue_q(today))
    elif state == "open":
        qs = qs.exclude(status=RectificationItem.Status.CLOSED)
    elif state in ITEM_STATUSES:
        qs = qs.filter(status=state)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(responsible__name__icontains=search) | Q(branch__name__icontains=search))
    return qs.order_by("deadline", "branch__path", "id")
