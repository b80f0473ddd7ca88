"""Reads of the supervisors' work (督导, seed 001): their meetings, comments, forums (座谈会) and the
opinions gathered there, and the department's figures for a period and subtree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetings.models import Attendance, Forum, Meeting, MeetingComment, Opinion
from meetings.selectors import forum_opinion_done
from organizations.models import Organization, Supervisor

from .selectors import GROUP, NodeInfo


# ---------------------------------------------------------------- supervisors (督导)
def supervisor_meetings(*, supervisor: Supervisor, year: int | None = None) -> QuerySet[Meeting]:
    """Meetings the supervisor is named on, plus those of the branches assigned to them."""
    qs = Meeting.objects.filter(Q(supervisors=supervisor) | Q(branch__supervisors=supervisor)).distinct()
    if year:
        qs = qs.filter(year=year)
    live = Q(opinions__merged_into__isnull=True)
    forums = Forum.objects.filter(meeting_id=OuterRef("pk")).order_by().values("meeting_id").annotate(n=Count("pk"))
    return (
        qs.select_related("branch")
        .annotate(
            named=Exists(Meeting.supervisors.through.objects.filter(meeting_id=OuterRef("pk"), supervisor=supervisor)),
            present=Exists(
                Meeting.supervisors_present.through.objects.filter(meeting_id=OuterRef("pk"), supervisor=supervisor)
            ),
            n_opinions=Count("opinions", filter=live, distinct=True),
            n_forum=Count("opinions", filter=live & Q(opinions__forum__isnull=False), distinct=True),
            n_done=Count(
                "opinions",
                filter=live & Q(opinions__status__in=[Opinion.Status.ANSWERED, Opinion.Status.RESOLVED]),
                distinct=True,
            ),
            n_forums=Coalesce(Subquery(forums.values("n")), 0),
        )
        .order_by("-year", "-held_on", "branch__path", "-pk")
    )


def supervisor_years(*, supervisor: Supervisor) -> list[int]:
    return list(
        Meeting.objects.filter(Q(supervisors=supervisor) | Q(branch__supervisors=supervisor))
        .order_by("-year").values_list("year", flat=True).distinct()
    )


def _meetings_in_reach(supervisor: Supervisor) -> QuerySet[Meeting]:
    # What the supervisor may still read (named on the meeting or assigned to its branch): a forum they
    # were on at a branch they have since left is not theirs to read any more.
    return Meeting.objects.filter(Q(supervisors=supervisor) | Q(branch__supervisors=supervisor)).values("pk")


def supervisor_forums(*, supervisor: Supervisor, year: int | None = None) -> QuerySet[Forum]:
    """Forums (座谈会) the supervisor held or attended, newest first, with the opinions gathered there
    and those answered on the spot or resolved."""
    qs = Forum.objects.filter(supervisors=supervisor, meeting__in=_meetings_in_reach(supervisor))
    if year:
        qs = qs.filter(meeting__year=year)
    live = Q(opinions__merged_into__isnull=True)
    return (
        qs.select_related("meeting__branch")
        .annotate(
            n_opinions=Count("opinions", filter=live),
            n_done=Count("opinions", filter=live & forum_opinion_done("opinions__", "held_on")),
        )
        .order_by("-held_on", "-pk")
    )


def supervisor_forum_opinions(*, supervisor: Supervisor, year: int | None = None) -> QuerySet[Opinion]:
    """Opinions gathered at the forums (座谈会) the supervisor is on."""
    qs = Opinion.objects.filter(
        forum__supervisors=supervisor, meeting__in=_meetings_in_reach(supervisor), merged_into__isnull=True
    )
    if year:
        qs = qs.filter(meeting__year=year)
    return qs.select_related("meeting__branch", "forum").order_by("-received_on", "sort_key")


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
    """Seed 001: "累计参加各类组织生活580余次,共召开座谈会630余场次,12000余名党员参加,累计收集相关意见建议
    900余条,当场答复或已经解决530余条"."""

    supervisors: set[int] = field(default_factory=set)
    meetings: set[int] = field(default_factory=set)
    attendances: int = 0  # supervisor × meeting
    members_present: int = 0  # members recorded present at those meetings (person-times)
    forum_ids: set[int] = field(default_factory=set)
    members_reached: int = 0  # members at those forums (person-times): "12000余名党员参加"
    others_reached: int = 0  # the public and others at those forums
    opinions: int = 0  # gathered at those forums
    opinions_done: int = 0  # of which resolved, or answered on the forum's day

    @property
    def supervisors_active(self) -> int:
        return len(self.supervisors)

    @property
    def meetings_attended(self) -> int:
        return len(self.meetings)

    @property
    def forums(self) -> int:
        return len(self.forum_ids)


@dataclass
class SupervisionStats:
    start: dt.date
    end: dt.date
    totals: SupervisionFigures
    children: list[tuple[NodeInfo, SupervisionFigures]]
    by_supervisor: list[tuple[str, str, SupervisionFigures]]


def supervision_stats(*, node: Organization, start: dt.date, end: dt.date) -> SupervisionStats:
    """Seed 001's figures for a period and subtree, by child node and by supervisor. Five queries, whatever
    the size (the row lists of the first and third grow with the data, the number of queries does not).

    - Meetings attended: a supervisor attended a meeting when the meeting record lists them among the
      supervisors present (到会督导, issue 5) and the meeting's date is in the period (and not after today);
      attendances count supervisor × meeting; members present are the members the attendance record
      marks present at those meetings (no record, no count: nothing is estimated from the roll).
    - Forums (座谈会): the `meetings.Forum` rows held in the period (and not after today) in the subtree
      that list at least one supervisor; a supervisor's forums are those that list them. Members reached
      are the forums' member participants ("12000余名党员参加"), others reached their other participants;
      both are person-times, a member at two forums counts twice.
    - Opinions collected are the live (not merged) opinions recorded at those forums; answered or resolved
      ("当场答复或已经解决") are those resolved, or answered on the forum's own day.
    - Supervisors active: those who attended a meeting or are on a forum in the period.
    A meeting or forum counts once in a total or a child node however many supervisors were there.
    """
    today = timezone.localdate()
    last = min(end, today)
    width = len(node.path) + Organization.steplen
    present = Meeting.supervisors_present.through.objects.filter(
        meeting__branch__path__startswith=node.path, meeting__held_on__gte=start, meeting__held_on__lte=last
    )
    pairs = list(
        present.order_by().values_list(
            "meeting_id", "supervisor_id", "meeting__branch__path", "supervisor__name", "supervisor__title"
        )
    )
    members_present = dict(
        Attendance.objects.filter(meeting_id__in=present.values("meeting_id"), status__in=Attendance.ATTENDED)
        .order_by().values("meeting_id").annotate(n=Count("pk")).values_list("meeting_id", "n")
    )
    on_forums = Forum.supervisors.through.objects.filter(
        forum__meeting__branch__path__startswith=node.path, forum__held_on__gte=start, forum__held_on__lte=last
    )
    forum_rows = list(
        on_forums.order_by().values_list(
            "forum_id", "supervisor_id", "forum__meeting__branch__path", "supervisor__name", "supervisor__title",
            "forum__member_participants", "forum__other_participants",
        )
    )
    forum_opinions = {
        forum_id: (total, done)
        for forum_id, total, done in Opinion.objects.filter(
            forum_id__in=on_forums.values("forum_id"), merged_into__isnull=True
        )
        .order_by().values("forum_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=forum_opinion_done()))
        .values_list("forum_id", "total", "done")
    }
    children_nodes = {
        path: NodeInfo(pk, name, path, depth, level)
        for pk, name, path, depth, level in Organization.objects.filter(
            path__startswith=node.path, depth=node.depth + 1
        ).exclude(level=GROUP).order_by("path").values_list("pk", "name", "path", "depth", "level")
    }

    totals = SupervisionFigures()
    by_child = {path: SupervisionFigures() for path in children_nodes}
    by_sup: dict[int, SupervisionFigures] = {}
    names: dict[int, tuple[str, str]] = {}

    def targets(sid: int, path: str) -> list[SupervisionFigures]:
        out = [totals, by_sup.setdefault(sid, SupervisionFigures())]
        child = by_child.get(path[:width])
        if child is not None:
            out.append(child)
        return out

    for mid, sid, path, name, title in pairs:
        names[sid] = (name, title)
        for fig in targets(sid, path):
            fig.supervisors.add(sid)
            fig.attendances += 1
            if mid not in fig.meetings:
                fig.meetings.add(mid)
                fig.members_present += members_present.get(mid, 0)
    for fid, sid, path, name, title, members, others in forum_rows:
        names[sid] = (name, title)
        total, done = forum_opinions.get(fid, (0, 0))
        for fig in targets(sid, path):
            fig.supervisors.add(sid)
            if fid not in fig.forum_ids:
                fig.forum_ids.add(fid)
                fig.members_reached += members
                fig.others_reached += others
                fig.opinions += total
                fig.opinions_done += done
    return SupervisionStats(
        start=start, end=end, totals=totals,
        children=[(children_nodes[p], by_child[p]) for p in sorted(children_nodes)],
        by_supervisor=sorted(
            ((*names[sid], fig) for sid, fig in by_sup.items()),
            key=lambda t: (-t[2].attendances, -t[2].forums, t[0]),
        ),
    )
