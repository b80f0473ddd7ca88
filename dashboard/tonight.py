"""Many branches the same evening (issue 17 item 7): the turnout of every branch under a node that votes
now or today, on one live page for the township or county officer.

Which evaluations: those of meetings of branches under the node that are open now, or open or close
today (the local day, Asia/Shanghai). What each row shows is participation only — the meeting's
attendance (`Attendance.ATTENDED`), the voters on the roster (`Voter`) and how many of them have voted
(`Voter.channel`). Ballots and their marks are never read here, so no grade or running count by grade can
reach the page or its JSON while voting runs.

Every count is a correlated subquery on the evaluation row: one query for the rows and at most one for
the parents' names, whatever the number of branches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from evaluations.models import Evaluation, Status, Voter
from evaluations.services import turnout_below_floor
from meetings.models import Attendance
from organizations.models import Organization

from .scoring import percent

# A warning when voting has closed, or closes within CLOSING_SOON, below the turnout floor at which 立即截止
# asks for a reason (evaluations.services.turnout_below_floor, EVALUATION_MIN_TURNOUT: two thirds by default).
CLOSING_SOON = dt.timedelta(minutes=30)
# Open first (what can still be helped), then what opens later today, then what has closed.
STATUS_ORDER = {Status.OPEN: 0, Status.SCHEDULED: 1, Status.CLOSED: 2}


def needs_warning(*, status: str, closes_at: dt.datetime, now: dt.datetime, voted: int, voters: int) -> bool:
    """Closed, or closing within CLOSING_SOON, below the turnout floor."""
    closing = status == Status.CLOSED or (status == Status.OPEN and closes_at - now <= CLOSING_SOON)
    return closing and turnout_below_floor(voted=voted, eligible=voters)


def local_day(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The local day of `now` as [start, end) in aware datetimes."""
    day = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return start, end


def _count(qs: QuerySet, outer: str) -> Coalesce:
    """The number of rows of `qs` whose column `outer` matches the outer row: a correlated subquery."""
    return Coalesce(
        Subquery(qs.order_by().values(outer).annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )


def tonight_evaluations(*, node: Organization, now: dt.datetime) -> QuerySet[Evaluation]:
    """The evaluations under `node` voting now or today, with their participation counts (one query)."""
    start, end = local_day(now)
    by_evaluation = OuterRef("pk")
    by_meeting = OuterRef("meeting_id")
    return (
        Evaluation.objects.filter(meeting__branch__path__startswith=node.path)
        .filter(
            Q(opens_at__lte=now, closes_at__gt=now)
            | Q(opens_at__gte=start, opens_at__lt=end)
            | Q(closes_at__gte=start, closes_at__lt=end)
        )
        .select_related("meeting__branch")
        .only(
            "opens_at", "closes_at", "in_room", "meeting__held_on", "meeting__starts_at", "meeting__branch__name",
            "meeting__branch__path",
        )
        .annotate(
            n_voters=_count(Voter.objects.filter(evaluation=by_evaluation), "evaluation"),
            n_voted=_count(Voter.objects.filter(evaluation=by_evaluation).exclude(channel=Voter.Channel.NOT_VOTED),
                           "evaluation"),
            n_roll=_count(Attendance.objects.filter(meeting=by_meeting), "meeting"),
            n_attended=_count(Attendance.objects.filter(meeting=by_meeting, status__in=Attendance.ATTENDED), "meeting"),
        )
        .order_by("meeting__branch__path", "opens_at", "pk")
    )


@dataclass
class TonightRow:
    evaluation_id: int
    branch_id: int
    branch_name: str
    parent_name: str
    held_on: dt.date | None
    starts_at: dt.time | None
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: str
    in_room: bool
    attended: int | None  # None: no attendance recorded for the meeting (not "nobody came")
    voters: int
    voted: int
    warning: bool

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def percent(self) -> Decimal | None:
        return percent(self.voted, self.voters)

    def sort_key(self) -> tuple:
        # Lowest turnout first; an empty roster counts as nothing voted.
        share = Decimal(self.voted) / self.voters if self.voters else Decimal(0)
        return STATUS_ORDER[self.status], share, self.branch_name, self.evaluation_id


@dataclass
class TonightTotals:
    branches: int = 0  # branches on the page
    voting: int = 0  # of which voting now
    voters: int = 0
    voted: int = 0
    warnings: int = 0  # branches with a warning

    @property
    def percent(self) -> Decimal | None:
        return percent(self.voted, self.voters)


@dataclass
class TonightBoard:
    node: Organization
    now: dt.datetime
    rows: list[TonightRow] = field(default_factory=list)
    totals: TonightTotals = field(default_factory=TonightTotals)


def _parent_names(node: Organization, paths: set[str]) -> dict[str, str]:
    """Each branch's parent's name by the parent's path, except the node itself (it heads the page)."""
    step = Organization.steplen
    parents = {p[:-step] for p in paths if len(p) - step > len(node.path)}
    if not parents:
        return {}
    return dict(Organization.objects.filter(path__in=parents).values_list("path", "name"))


def tonight_board(*, node: Organization, now: dt.datetime | None = None) -> TonightBoard:
    """The rows of the page: open first, lowest turnout first; and the totals over them."""
    now = now or timezone.now()
    evaluations = list(tonight_evaluations(node=node, now=now))
    names = _parent_names(node, {e.meeting.branch.path for e in evaluations})
    rows = []
    for e in evaluations:
        branch, status = e.meeting.branch, e.status_at(now)
        rows.append(TonightRow(
            evaluation_id=e.pk, branch_id=branch.pk, branch_name=branch.name,
            parent_name=names.get(branch.path[:-Organization.steplen], ""),
            held_on=e.meeting.held_on, starts_at=e.meeting.starts_at, opens_at=e.opens_at, closes_at=e.closes_at,
            status=status, in_room=e.in_room, attended=e.n_attended if e.n_roll else None,
            voters=e.n_voters, voted=e.n_voted,
            warning=needs_warning(status=status, closes_at=e.closes_at, now=now, voted=e.n_voted, voters=e.n_voters),
        ))
    rows.sort(key=TonightRow.sort_key)
    totals = TonightTotals(
        branches=len({r.branch_id for r in rows}),
        voting=len({r.branch_id for r in rows if r.status == Status.OPEN}),
        voters=sum(r.voters for r in rows),
        voted=sum(r.voted for r in rows),
        warnings=len({r.branch_id for r in rows if r.warning}),
    )
    return TonightBoard(node=node, now=now, rows=rows, totals=totals)


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def board_json(board: TonightBoard) -> dict:
    """What the page's script refreshes: participation numbers only, in the page's order."""
    return {
        "node": board.node.pk,
        "updated": timezone.localtime(board.now).strftime("%H:%M:%S"),
        "rows": [
            {
                "id": r.evaluation_id, "branch": r.branch_id, "status": r.status, "status_label": r.status_label,
                "in_room": r.in_room, "attended": r.attended, "voters": r.voters, "voted": r.voted,
                "percent": _pct(r.percent), "warning": r.warning,
            }
            for r in board.rows
        ],
        "totals": {
            "branches": board.totals.branches, "voting": board.totals.voting, "voters": board.totals.voters,
            "voted": board.totals.voted, "percent": _pct(board.totals.percent), "warnings": board.totals.warnings,
        },
    }
