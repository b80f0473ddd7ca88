"""Reads of the dashboard: every indicator for ALL branches under a node in a constant number of queries.

The meetings, evaluations and rectification apps offer per-meeting selectors (talk_coverage,
opinions_summary, evaluation_summary, ledger_counts …). Called once per branch they would cost
thousands of queries for a county, so this read-only reporting layer reads those apps' tables directly,
grouped by meeting or branch (`values(...).annotate(...)`), and never writes to them. The talk coverage
rules of meetings.talks are re-expressed as one grouped SQL statement (`_talk_counts`); a test checks it
against meetings.selectors.talk_coverage on random data.

Caching (see README): the assembled rows of a node and season are cached for DASHBOARD_CACHE_SECONDS,
keyed by node, season, day and a data version; `dashboard.services.dashboard_data_changed` bumps the
version (it is connected to the save/delete signals of every model the indicators read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from branchlife.permissions import actor_of
from evaluations.models import Candidate, Evaluation, Voter
from meetings import talks as talk_rules
from meetings.models import Attendance, Criticism, Meeting, MeetingComment, Opinion, OpinionClaim, SelfReview, Talk
from organizations.models import Member, Organization, Supervisor
from rectification.models import FollowUpReview, RectificationItem

from .scoring import (
    FLAGS,
    GRADES,
    ITEM_STATUSES,
    BranchRow,
    MeetingFacts,
    TalkCounts,
    Totals,
    finish,
    is_over_quota,
    meeting_flags,
    rank,
    talk_requirements,
)

BRANCH = Organization.Level.BRANCH
GROUP = Organization.Level.GROUP
CACHE_VERSION_KEY = "dashboard:data-version"


def cache_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 300))


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
def season_meetings(*, node: Organization, season: Season) -> QuerySet[Meeting]:
    return Meeting.objects.filter(branch__path__startswith=node.path, year=season.year, kind=season.kind).order_by()


def _member_counts(node: Organization) -> dict[int, tuple[int, int]]:
    rows = (
        Member.objects.filter(is_active=True, branch__path__startswith=node.path, branch__level=BRANCH)
        .order_by()
        .values("branch_id")
        .annotate(n=Count("pk"), c=Count("pk", filter=Q(committee_post__in=Member.COMMITTEE_POSTS)))
        .values_list("branch_id", "n", "c")
    )
    return {b: (n, c) for b, n, c in rows}


def _meeting_facts(meetings: QuerySet[Meeting]) -> list[MeetingFacts]:
    rows = meetings.values(
        "pk", "branch_id", "held_on", "closed_at", "opinions_close_on", "talks_due_on", "self_reviews_due_on",
        "rectification_plans_due_on", "talk_rule_set", "custom_talk_rules",
    ).annotate(
        n_supervisors=Count("supervisors", distinct=True), n_present=Count("supervisors_present", distinct=True)
    )
    return [
        MeetingFacts(
            id=r["pk"], branch_id=r["branch_id"], held_on=r["held_on"], closed=r["closed_at"] is not None,
            supervisors=r["n_supervisors"], supervisors_present=r["n_present"], opinions_close_on=r["opinions_close_on"], talks_due_on=r["talks_due_on"],
            self_reviews_due_on=r["self_reviews_due_on"], rectification_plans_due_on=r["rectification_plans_due_on"],
            talk_rule_set=r["talk_rule_set"], custom_talk_rules=r["custom_talk_rules"] or [],
        )
        for r in rows
    ]


def _opinion_counts(meetings: QuerySet[Meeting]) -> dict[int, dict]:
    claimed = Exists(OpinionClaim.objects.filter(opinion=OuterRef("pk")))
    rows = (
        Opinion.objects.filter(meeting__in=meetings.values("pk"), merged_into__isnull=True)
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
    return {r["meeting_id"]: r for r in rows}


def _review_counts(meetings: QuerySet[Meeting]) -> dict[int, dict]:
    done = Q(status__in=SelfReview.DONE_STATUSES)
    on_roll = Q(kind=SelfReview.Kind.MEMBER, member__is_active=True, member__branch_id=F("meeting__branch_id"))
    rows = (
        SelfReview.objects.filter(meeting__in=meetings.values("pk"))
        .order_by()
        .values("meeting_id")
        .annotate(
            done=Count("pk", filter=on_roll & done),
            returned=Count("pk", filter=on_roll & Q(status=SelfReview.Status.RETURNED)),
            committee=Count("pk", filter=Q(kind=SelfReview.Kind.COMMITTEE) & done),
        )
    )
    return {r["meeting_id"]: r for r in rows}


def _talk_counts(meetings: QuerySet[Meeting]) -> dict[int, TalkCounts]:
    """One statement for the required-talk facts of every meeting (see meetings.talks for the rules).

    Only talks between two active members of the meeting's branch count, as in talk_coverage. Each
    such talk is classified by its two ends (committee or ordinary member); per meeting the statement
    counts committee pairs that talked, ordinary members who talked with a committee member, ordinary
    members who talked with another ordinary member, and the distinct members the secretary talked
    with; and whether the secretary talked with the leader in charge and with service recipients. The
    secretary is picked as meetings.talks does: the 书记 (by name), else a 副书记.
    Every step is a hash join or a grouping over the season's talks: no per-row subqueries.
    """
    season_sql, season_params = meetings.values("id", "branch_id").query.sql_with_params()
    qn = connection.ops.quote_name
    member, talk = qn(Member._meta.db_table), qn(Talk._meta.db_table)
    committee = ", ".join(["%s"] * len(Member.COMMITTEE_POSTS))
    sql = f"""
    WITH season AS NOT MATERIALIZED ({season_sql}),
    secretaries AS NOT MATERIALIZED (
      SELECT r.branch_id, r.id FROM (
        SELECT sm.branch_id, sm.id, ROW_NUMBER() OVER (
          PARTITION BY sm.branch_id ORDER BY CASE WHEN sm.committee_post = %s THEN 0 ELSE 1 END, sm.name, sm.id) AS n
        FROM {member} sm
        WHERE sm.is_active = %s AND sm.committee_post IN (%s, %s) AND sm.branch_id IN (SELECT branch_id FROM season)
      ) r WHERE r.n = 1
    ),
    roster AS NOT MATERIALIZED (
      SELECT rm.id, rm.branch_id, CASE WHEN rm.committee_post IN ({committee}) THEN 1 ELSE 0 END AS c
      FROM {member} rm WHERE rm.is_active = %s AND rm.branch_id IN (SELECT branch_id FROM season)
    ),
    talks AS NOT MATERIALIZED (
      SELECT t.meeting_id, t.member_a_id AS a, t.member_b_id AS b, ra.c AS ac, rb.c AS bc, sec.id AS sec
      FROM {talk} t
      JOIN season s ON s.id = t.meeting_id
      JOIN roster ra ON ra.id = t.member_a_id AND ra.branch_id = s.branch_id
      JOIN roster rb ON rb.id = t.member_b_id AND rb.branch_id = s.branch_id
      LEFT JOIN secretaries sec ON sec.branch_id = s.branch_id
    ),
    pairs AS NOT MATERIALIZED (
      SELECT meeting_id,
        COUNT(DISTINCT CASE WHEN ac = 1 AND bc = 1 THEN
          CASE WHEN a < b THEN CAST(a AS VARCHAR(20)) || '-' || CAST(b AS VARCHAR(20))
               ELSE CAST(b AS VARCHAR(20)) || '-' || CAST(a AS VARCHAR(20)) END END) AS cc,
        COUNT(DISTINCT CASE WHEN ac = 0 AND bc = 1 THEN a WHEN ac = 1 AND bc = 0 THEN b END) AS cwm,
        COUNT(DISTINCT CASE WHEN a = sec THEN b WHEN b = sec THEN a END) AS sp
      FROM talks GROUP BY meeting_id
    ),
    ordinary AS NOT MATERIALIZED (
      SELECT meeting_id, COUNT(*) AS oo FROM (
        SELECT meeting_id, a AS m FROM talks WHERE ac = 0 AND bc = 0
        UNION
        SELECT meeting_id, b AS m FROM talks WHERE ac = 0 AND bc = 0
      ) u GROUP BY meeting_id
    ),
    outside AS NOT MATERIALIZED (
      SELECT t.meeting_id,
        MAX(CASE WHEN t.other_kind = %s THEN 1 ELSE 0 END) AS leader,
        MAX(CASE WHEN t.other_kind = %s THEN 1 ELSE 0 END) AS recipient
      FROM {talk} t
      JOIN season s ON s.id = t.meeting_id
      JOIN secretaries sec ON sec.branch_id = s.branch_id AND sec.id = t.member_a_id
      WHERE t.member_b_id IS NULL
      GROUP BY t.meeting_id
    )
    SELECT s.id, sec.id, COALESCE(o.leader, 0), COALESCE(o.recipient, 0),
      COALESCE(p.cc, 0), COALESCE(p.cwm, 0), COALESCE(ord.oo, 0), COALESCE(p.sp, 0)
    FROM season s
    LEFT JOIN secretaries sec ON sec.branch_id = s.branch_id
    LEFT JOIN pairs p ON p.meeting_id = s.id
    LEFT JOIN ordinary ord ON ord.meeting_id = s.id
    LEFT JOIN outside o ON o.meeting_id = s.id
    """
    params = [
        *season_params,
        Member.Post.SECRETARY, True, Member.Post.SECRETARY, Member.Post.DEPUTY_SECRETARY,
        *Member.COMMITTEE_POSTS, True,
        Talk.Other.LEADER, Talk.Other.RECIPIENT,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        mid: TalkCounts(
            has_secretary=sec is not None, secretary_leader=bool(leader), secretary_recipient=bool(recipient),
            committee_pairs_done=int(cc), ordinary_with_committee=int(cwm), ordinary_with_ordinary=int(oo),
            secretary_partners=int(sp),
        )
        for mid, sec, leader, recipient, cc, cwm, oo, sp in rows
    }


def _attendance_counts(meetings: QuerySet[Meeting]) -> dict[int, dict]:
    """Per meeting with attendance recorded: members present (issue 5's attendance record)."""
    rows = (
        Attendance.objects.filter(meeting__in=meetings.values("pk"))
        .order_by()
        .values("meeting_id")
        .annotate(present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)))
    )
    return {r["meeting_id"]: r for r in rows}


def _criticism_counts(meetings: QuerySet[Meeting]) -> dict[int, dict]:
    rows = (
        Criticism.objects.filter(meeting__in=meetings.values("pk"))
        .order_by()
        .values("meeting_id")
        .annotate(given=Count("pk", filter=Q(is_self=False)), own=Count("pk", filter=Q(is_self=True)))
    )
    return {r["meeting_id"]: r for r in rows}


def _evaluation_counts(meetings: QuerySet[Meeting], now: dt.datetime) -> dict[int, dict]:
    """Per meeting: the evaluation's state, final grades (组织评定) and turnout from the participation
    record. Ballots and their marks are never read here: the dashboard needs none of what is anonymous."""
    ids = meetings.values("pk")
    evaluations = {
        r["meeting_id"]: r
        for r in Evaluation.objects.filter(meeting__in=ids)
        .order_by()
        .values("meeting_id", "excellent_quota_percent", "closes_at", "determined_at", "published_at")
    }
    if not evaluations:
        return {}
    grade_counts = {f"g_{g}": Count("pk", filter=Q(final_grade=g)) for g in GRADES}
    for r in (
        Candidate.objects.filter(evaluation__meeting__in=ids)
        .order_by()
        .values("evaluation__meeting_id")
        .annotate(n=Count("pk"), **grade_counts)
    ):
        evaluations[r["evaluation__meeting_id"]].update(r)
    for r in (
        Voter.objects.filter(evaluation__meeting__in=ids)
        .order_by()
        .values("evaluation__meeting_id")
        .annotate(eligible=Count("pk"), voted=Count("pk", filter=~Q(channel="")))
    ):
        evaluations[r["evaluation__meeting_id"]].update(r)
    for r in evaluations.values():
        r["closed"] = r["closes_at"] <= now
    return evaluations


def season_items(*, node: Organization, season: Season) -> QuerySet[RectificationItem]:
    """The season's rectification items: those of its meetings; for the annual season also the
    branch's items not tied to a meeting, created that year."""
    condition = Q(meeting__in=season_meetings(node=node, season=season).values("pk"))
    if season.kind == Meeting.Kind.ANNUAL:
        condition |= Q(meeting__isnull=True, created_at__year=season.year)
    return RectificationItem.objects.filter(condition, branch__path__startswith=node.path)


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
            overdue=Count("pk", filter=Q(deadline__lt=today) & ~closed),
            on_time=Count("pk", filter=closed & Q(closed_at__date__lte=F("deadline"))),
            rebound=Count("pk", filter=rebound),
            **by_status,
        )
    )
    return {r["branch_id"]: r for r in rows}


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
    """What the dashboard pages show for one node and season (cached as a whole)."""

    node_pk: int
    season: Season
    today: dt.date
    rows: list[BranchRow]  # ranked, best first
    nodes: dict[str, NodeInfo]
    totals: Totals
    children: list[ChildRow] = field(default_factory=list)
    computed_at: dt.datetime | None = None

    def row(self, branch_id: int) -> BranchRow | None:
        return next((r for r in self.rows if r.id == branch_id), None)


def _fold_meeting(row: BranchRow, m: MeetingFacts, *, members: int, committee: int, talks: TalkCounts,
                  opinions: dict | None, reviews: dict | None, attendance: dict | None,
                  criticisms: dict | None, evaluation: dict | None, today: dt.date) -> set[str]:
    row.meetings += 1
    if row.meeting_id is None or m.id > row.meeting_id:
        row.meeting_id, row.held_on = m.id, m.held_on
    row.dated += m.held_on is not None
    row.supervised += m.supervisors > 0
    row.supervisors_present += m.supervisors_present > 0
    row.held += m.closed
    o = opinions or {}
    row.opinions += o.get("total", 0)
    row.opinions_open += o.get("open", 0)
    row.opinions_answered += o.get("answered", 0)
    row.opinions_resolved += o.get("resolved", 0)
    row.opinions_claimed += o.get("claimed", 0)
    row.opinions_forum += o.get("forum", 0)
    rules = talk_rules.rules_of(m)
    done, required = talk_requirements(rules=rules, members=members, committee=committee, counts=talks)
    row.talks_done += done
    row.talks_required += required
    r = reviews or {}
    reviews_done = min(r.get("done", 0), members)
    row.reviews_done += reviews_done
    row.reviews_required += members
    row.reviews_returned += r.get("returned", 0)
    row.committee_reviews_done += r.get("committee", 0)
    present = attendance["present"] if attendance is not None else None
    if present is not None:
        row.present = (row.present or 0) + present
    if criticisms is not None:
        row.criticisms += criticisms["given"]
        row.self_criticisms += criticisms["own"]
    over = False
    determined = False
    if evaluation is not None:
        row.evaluations += 1
        row.evaluations_closed += evaluation["closed"]
        determined = evaluation["determined_at"] is not None
        row.evaluations_published += evaluation["published_at"] is not None
        row.evaluations_without_quota += evaluation["excellent_quota_percent"] is None
        row.voters += evaluation.get("eligible", 0)
        row.voted += evaluation.get("voted", 0)
        if determined:
            row.evaluations_determined += 1
            candidates = evaluation.get("n", 0)
            row.candidates += candidates
            for g in GRADES:
                row.grades[g] = row.grades.get(g, 0) + evaluation.get(f"g_{g}", 0)
            over = is_over_quota(
                quota_percent=evaluation["excellent_quota_percent"], candidates=candidates,
                excellent=evaluation.get("g_excellent", 0),
            )
            row.over_quota += over
    return meeting_flags(
        meeting=m, today=today, opinions=o.get("total", 0), opinions_open=o.get("open", 0), talks_done=done,
        talks_required=required, reviews_missing=members - reviews_done, determined=determined,
        items=row.items, over_quota=over, members=members, present=present,
        required_attendance_percent=row.required_attendance_percent,
    )


def compute_dashboard(*, node: Organization, season: Season, today: dt.date | None = None) -> DashboardData:
    """Every indicator of every branch under `node`: a fixed number of grouped queries (about ten)."""
    today = today or timezone.localdate()
    now = timezone.now()
    nodes: dict[str, NodeInfo] = {}
    rows: dict[int, BranchRow] = {}
    for pk, name, path, depth, level, required in (
        Organization.objects.filter(path__startswith=node.path).exclude(level=GROUP)
        .order_by("path").values_list("pk", "name", "path", "depth", "level", "required_attendance_percent")
    ):
        nodes[path] = NodeInfo(pk, name, path, depth, level)
        if level == BRANCH:
            rows[pk] = BranchRow(id=pk, name=name, path=path, required_attendance_percent=required)

    members = _member_counts(node)
    meetings_qs = season_meetings(node=node, season=season)
    meetings = _meeting_facts(meetings_qs)
    opinions = _opinion_counts(meetings_qs)
    reviews = _review_counts(meetings_qs)
    talk_counts = _talk_counts(meetings_qs)
    attendance = _attendance_counts(meetings_qs)
    criticisms = _criticism_counts(meetings_qs)
    evaluations = _evaluation_counts(meetings_qs, now)
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
            _fold_meeting(
                row, m, members=row.members, committee=row.committee,
                talks=talk_counts.get(m.id, TalkCounts()), opinions=opinions.get(m.id), reviews=reviews.get(m.id),
                attendance=attendance.get(m.id), criticisms=criticisms.get(m.id),
                evaluation=evaluations.get(m.id), today=today,
            )
        )
    start = len(node.path)
    for bid, row in rows.items():
        row.flags = list(flags.get(bid, ()))
        finish(row)
        row.parent_names = [
            nodes[row.path[:n]].name
            for n in range(start + Organization.steplen, len(row.path), Organization.steplen)
            if row.path[:n] in nodes
        ]
    ranked = rank(list(rows.values()))
    totals = Totals()
    for row in ranked:
        totals.add(row)
    return DashboardData(
        node_pk=node.pk, season=season, today=today, rows=ranked, nodes=nodes, totals=totals,
        children=_children(node, nodes, ranked), computed_at=now,
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


def data_version() -> int:
    return cache.get_or_set(CACHE_VERSION_KEY, 1, None)


def dashboard_data(*, node: Organization, season: Season, today: dt.date | None = None, use_cache: bool = True) -> DashboardData:
    """compute_dashboard, cached (see the module docstring for the invalidation)."""
    today = today or timezone.localdate()
    if not use_cache or cache_seconds() <= 0:
        return compute_dashboard(node=node, season=season, today=today)
    key = f"dashboard:v{data_version()}:{node.pk}:{node.path}:{season.year}:{season.kind}:{today.isoformat()}"
    data = cache.get(key)
    if data is None:
        data = compute_dashboard(node=node, season=season, today=today)
        cache.set(key, data, cache_seconds())
    return data


# ---------------------------------------------------------------- lists behind the indicators
SORTS = {
    "rank": lambda r: (r.rank, r.path),
    "-rank": lambda r: (-r.rank, r.path),
    "name": lambda r: r.path,
    "talks": lambda r: (r.talks_percent if r.talks_percent is not None else Decimal(101), r.path),
    "reviews": lambda r: (r.reviews_percent if r.reviews_percent is not None else Decimal(101), r.path),
    "overdue": lambda r: (-r.items_overdue, r.path),
}


def branch_rows(*, data: DashboardData, flag: str = "", search: str = "", sort: str = "rank",
                within: str = "") -> list[BranchRow]:
    """The branches behind an indicator: `flag` is a key of scoring.FLAGS, or "behind" (any flag)."""
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
    """Rectification items under a node (the list behind "整改事项" / "逾期"), nearest deadline first."""
    today = today or timezone.localdate()
    qs = season_items(node=node, season=season).select_related("branch", "responsible", "meeting")
    if state == "overdue":
        qs = qs.filter(deadline__lt=today).exclude(status=RectificationItem.Status.CLOSED)
    elif state == "open":
        qs = qs.exclude(status=RectificationItem.Status.CLOSED)
    elif state in ITEM_STATUSES:
        qs = qs.filter(status=state)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(responsible__name__icontains=search) | Q(branch__name__icontains=search))
    return qs.order_by("deadline", "branch__path", "id")


# ---------------------------------------------------------------- supervisors (督导)
def supervisor_meetings(*, supervisor: Supervisor, year: int | None = None) -> QuerySet[Meeting]:
    """Meetings the supervisor is named on, plus those of the branches assigned to them."""
    qs = Meeting.objects.filter(Q(supervisors=supervisor) | Q(branch__supervisors=supervisor)).distinct()
    if year:
        qs = qs.filter(year=year)
    live = Q(opinions__merged_into__isnull=True)
    return (
        qs.select_related("branch")
        .annotate(
            named=Exists(Meeting.supervisors.through.objects.filter(meeting_id=OuterRef("pk"), supervisor=supervisor)),
            present=Exists(
                Meeting.supervisors_present.through.objects.filter(meeting_id=OuterRef("pk"), supervisor=supervisor)
            ),
            n_opinions=Count("opinions", filter=live, distinct=True),
            n_forum=Count("opinions", filter=live & Q(opinions__channel=Opinion.Channel.FORUM), distinct=True),
            n_done=Count(
                "opinions",
                filter=live & Q(opinions__status__in=[Opinion.Status.ANSWERED, Opinion.Status.RESOLVED]),
                distinct=True,
            ),
        )
        .order_by("-year", "-held_on", "branch__path", "-pk")
    )


def supervisor_years(*, supervisor: Supervisor) -> list[int]:
    return list(
        Meeting.objects.filter(Q(supervisors=supervisor) | Q(branch__supervisors=supervisor))
        .order_by("-year").values_list("year", flat=True).distinct()
    )


def supervisor_forum_opinions(*, supervisor: Supervisor, year: int | None = None) -> QuerySet[Opinion]:
    """Opinions recorded as gathered at forums (座谈会) of the supervisor's meetings.

    The meetings app records the channel of an opinion but not who gathered it, so "gathered by the
    supervisor" is read as "gathered at a forum of a meeting the supervisor is named on"."""
    qs = Opinion.objects.filter(
        meeting__supervisors=supervisor, channel=Opinion.Channel.FORUM, merged_into__isnull=True
    )
    if year:
        qs = qs.filter(meeting__year=year)
    return qs.select_related("meeting__branch").order_by("-received_on", "sort_key")


def supervisor_comments(*, supervisor: Supervisor, meeting_ids: list[int]) -> dict[int, str]:
    """The supervisor's comment (点评) on each meeting, as recorded at the meeting (issue 5)."""
    if not meeting_ids:
        return {}
    return dict(
        MeetingComment.objects.filter(
            meeting_id__in=meeting_ids, kind=MeetingComment.Kind.SUPERVISOR, supervisor=supervisor
        ).exclude(text="").values_list("meeting_id", "text")
    )


# ---------------------------------------------------------------- seed 001's figures
@dataclass
class SupervisionFigures:
    supervisors: set[int] = field(default_factory=set)
    meetings: set[int] = field(default_factory=set)
    attendances: int = 0  # supervisor × meeting
    forums: int = 0
    members_reached: int = 0
    opinions: int = 0
    opinions_done: int = 0

    @property
    def supervisors_active(self) -> int:
        return len(self.supervisors)

    @property
    def meetings_attended(self) -> int:
        return len(self.meetings)


@dataclass
class SupervisionStats:
    start: dt.date
    end: dt.date
    totals: SupervisionFigures
    children: list[tuple[NodeInfo, SupervisionFigures]]
    by_supervisor: list[tuple[str, str, SupervisionFigures]]


def supervision_stats(*, node: Organization, start: dt.date, end: dt.date) -> SupervisionStats:
    """Seed 001's figures for a period and subtree, by child node and by supervisor. Five queries.

    A supervisor "attended" a meeting when the meeting record lists them among the supervisors present
    (到会督导, issue 5) and the meeting's date is in the period (and not after today). Forums (座谈会) are counted as the distinct days on which a meeting
    recorded opinions through the forum channel; members reached are the members present (attendance,
    issue 5) or, where attendance is not recorded, the branch's active members; opinions are those of
    the attended meetings, and answered/resolved as the meetings app marks them.
    """
    today = timezone.localdate()
    last = min(end, today)
    width = len(node.path) + Organization.steplen
    pairs = list(
        Meeting.supervisors_present.through.objects.filter(
            meeting__branch__path__startswith=node.path, meeting__held_on__gte=start, meeting__held_on__lte=last
        )
        .order_by()
        .values_list("meeting_id", "supervisor_id", "meeting__branch_id", "meeting__branch__path")
    )
    meeting_ids = {m for m, _s, _b, _p in pairs}
    meeting_branch = {m: (b, p) for m, _s, b, p in pairs}
    opinion_rows = {
        r["meeting_id"]: r
        for r in Opinion.objects.filter(meeting_id__in=meeting_ids, merged_into__isnull=True)
        .order_by()
        .values("meeting_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status__in=[Opinion.Status.ANSWERED, Opinion.Status.RESOLVED])),
            forums=Count("received_on", filter=Q(channel=Opinion.Channel.FORUM), distinct=True),
        )
    }
    reached = {r["meeting_id"]: r["present"] for r in _attendance_counts(Meeting.objects.filter(pk__in=meeting_ids)).values()}
    branch_members = dict(
        Member.objects.filter(is_active=True, branch_id__in={b for b, _p in meeting_branch.values()})
        .order_by().values("branch_id").annotate(n=Count("pk")).values_list("branch_id", "n")
    )
    children_nodes = {
        path: NodeInfo(pk, name, path, depth, level)
        for pk, name, path, depth, level in Organization.objects.filter(
            path__startswith=node.path, depth=node.depth + 1
        ).exclude(level=GROUP).order_by("path").values_list("pk", "name", "path", "depth", "level")
    }
    supervisors = dict(
        Supervisor.objects.filter(pk__in={s for _m, s, _b, _p in pairs}).values_list("pk", "name")
    )
    titles = dict(Supervisor.objects.filter(pk__in=supervisors).values_list("pk", "title")) if supervisors else {}

    totals = SupervisionFigures()
    by_child = {path: SupervisionFigures() for path in children_nodes}
    by_sup: dict[int, SupervisionFigures] = {}

    def add_meeting(fig: SupervisionFigures, mid: int) -> None:
        if mid in fig.meetings:
            return
        fig.meetings.add(mid)
        o = opinion_rows.get(mid, {})
        fig.opinions += o.get("total", 0)
        fig.opinions_done += o.get("done", 0)
        fig.forums += o.get("forums", 0)
        branch_id = meeting_branch[mid][0]
        fig.members_reached += reached.get(mid, branch_members.get(branch_id, 0))

    for mid, sid, _b, path in pairs:
        targets = [totals, by_sup.setdefault(sid, SupervisionFigures())]
        child = by_child.get(path[:width])
        if child is not None:
            targets.append(child)
        for fig in targets:
            fig.supervisors.add(sid)
            fig.attendances += 1
            add_meeting(fig, mid)
    return SupervisionStats(
        start=start, end=end, totals=totals,
        children=[(children_nodes[p], by_child[p]) for p in sorted(children_nodes)],
        by_supervisor=sorted(
            ((supervisors.get(sid, "?"), titles.get(sid, ""), fig) for sid, fig in by_sup.items()),
            key=lambda t: (-t[2].attendances, t[0]),
        ),
    )
