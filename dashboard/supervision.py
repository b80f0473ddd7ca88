"""Reads of the supervisors' work (督导, seed 001): their meetings, comments, forum opinions, and the
department's figures for a period and subtree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from meetings.models import Attendance, Meeting, MeetingComment, Opinion
from organizations.models import Member, Organization, Supervisor

from .selectors import GROUP, NodeInfo


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
    reached = dict(
        Attendance.objects.filter(meeting_id__in=meeting_ids)
        .order_by().values("meeting_id").annotate(n=Count("pk", filter=Q(status=Attendance.Status.PRESENT)))
        .values_list("meeting_id", "n")
    )
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
