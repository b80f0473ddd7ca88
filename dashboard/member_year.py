"""The member's year (issue 18 item 4): what a member's record says about one calendar year.

Facts only, each from the app that owns it, and never a score a member earns by clicking (no log-ins,
reading time or app activity: the 2023 rules):
- 三会一课 and 主题党日 (activities): per kind, the events held that year on whose roll the member was
  (the attendance as recorded: present, late, absent, on leave) and those they attended (present or late);
- 主题党日 services taken part in: the service text of each 主题党日 they attended that recorded one;
- opinions (meetings): those the member claimed (认领) that year and how many of them are answered or
  resolved. A claim is the member's own signed act; who gave an opinion is never read here, so an
  anonymous opinion stays unattributed;
- rectification items (rectification) the member is responsible for with a deadline that year: those due
  (closed, or past the deadline — rectification's "overdue" rule) and those closed on time (closed no
  later than the deadline, the dashboards' rule);
- last year's grade (evaluations): the final grade of the previous year's annual meeting, once published.
Ballots are never read: the grade is the branch's determination, not a vote.

The 先锋指数 is added only where the county has turned it on (dashboard.pioneer_index).

`member_years` reads any number of members in a constant number of queries (seven).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from activities.models import Activity, ActivityAttendance, Kind
from evaluations.models import Candidate, Grade
from meetings.models import Meeting, Opinion, OpinionClaim
from organizations.models import Member
from rectification.models import RectificationItem
from rectification.selectors import with_overdue

from .pioneer_index import PioneerIndex, compute, rules_for

ANSWERED = (Opinion.Status.ANSWERED, Opinion.Status.RESOLVED)


@dataclass(frozen=True)
class KindCount:
    kind: str
    attended: int = 0
    on_roll: int = 0

    @property
    def label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass(frozen=True)
class Service:
    held_on: dt.date
    text: str


@dataclass
class MemberYear:
    member_id: int
    year: int
    kinds: dict[str, KindCount] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    opinions_claimed: int = 0
    opinions_answered: int = 0
    items_due: int = 0
    items_on_time: int = 0
    items_overdue: int = 0  # due and still open
    last_grade: str = ""
    pioneer: PioneerIndex | None = None

    @property
    def attended(self) -> int:
        return sum(k.attended for k in self.kinds.values())

    @property
    def on_roll(self) -> int:
        return sum(k.on_roll for k in self.kinds.values())

    @property
    def kind_rows(self) -> list[KindCount]:
        return [self.kinds.get(kind, KindCount(kind=kind)) for kind in Kind.values]

    @property
    def last_grade_label(self) -> str:
        return str(Grade(self.last_grade).label) if self.last_grade else ""

    @property
    def facts(self) -> dict[str, int]:
        """The counts a county's 先锋指数 may weigh (keys: pioneer_index.FACTS)."""
        return {
            "attended": self.attended,
            "service": len(self.services),
            "claimed": self.opinions_claimed,
            "answered": self.opinions_answered,
            "items_on_time": self.items_on_time,
        }


def _closed_on_time(closed_at: dt.datetime | None, deadline: dt.date) -> bool:
    # The dashboards' rule (dashboard.selectors._item_counts: closed_at__date <= deadline, local time).
    return closed_at is not None and timezone.localdate(closed_at) <= deadline


def member_years(*, members, year: int, today: dt.date | None = None) -> dict[int, MemberYear]:
    """Each member's year (members: Member instances or their ids), in seven queries whatever their number."""
    ids = sorted({getattr(m, "pk", m) for m in members})
    if not ids:
        return {}
    today = today or timezone.localdate()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    years = {pk: MemberYear(member_id=pk, year=year) for pk in ids}

    # 1. events on the member's roll and attended, per kind
    in_year = Q(member_id__in=ids, activity__held_on__gte=start, activity__held_on__lte=end)
    attended = Q(status__in=ActivityAttendance.ATTENDED)
    for row in (
        ActivityAttendance.objects.filter(in_year)
        .order_by()
        .values("member_id", "activity__kind")
        .annotate(on_roll=Count("pk"), attended=Count("pk", filter=attended))
    ):
        kind = row["activity__kind"]
        years[row["member_id"]].kinds[kind] = KindCount(kind=kind, attended=row["attended"], on_roll=row["on_roll"])

    # 2. 主题党日 services taken part in
    for member_id, held_on, text in (
        ActivityAttendance.objects.filter(in_year, attended, activity__kind=Kind.THEME_DAY)
        .exclude(activity__service="")
        .order_by("activity__held_on", "activity_id")
        .values_list("member_id", "activity__held_on", "activity__service")
    ):
        years[member_id].services.append(Service(held_on=held_on, text=text))

    # 3. opinions the member claimed, and how many of those are answered or resolved
    for row in (
        OpinionClaim.objects.filter(member_id__in=ids, claimed_on__gte=start, claimed_on__lte=end)
        .order_by()
        .values("member_id")
        .annotate(claimed=Count("pk"), answered=Count("pk", filter=Q(opinion__status__in=ANSWERED)))
    ):
        years[row["member_id"]].opinions_claimed = row["claimed"]
        years[row["member_id"]].opinions_answered = row["answered"]

    # 4. rectification items with a deadline in the year
    closed = RectificationItem.Status.CLOSED
    for member_id, status, deadline, closed_at, is_overdue in with_overdue(
        RectificationItem.objects.filter(responsible_id__in=ids, deadline__gte=start, deadline__lte=end), on=today
    ).values_list("responsible_id", "status", "deadline", "closed_at", "is_overdue"):
        y = years[member_id]
        if status == closed or is_overdue:
            y.items_due += 1
        y.items_overdue += bool(is_overdue)
        y.items_on_time += status == closed and _closed_on_time(closed_at, deadline)

    # 5. last year's grade: the published determination of the previous year's annual meeting
    for member_id, grade in (
        Candidate.objects.filter(
            member_id__in=ids,
            evaluation__meeting__year=year - 1,
            evaluation__meeting__kind=Meeting.Kind.ANNUAL,
            evaluation__published_at__isnull=False,
        )
        .exclude(final_grade="")
        .order_by("evaluation__determined_at", "pk")
        .values_list("member_id", "final_grade")
    ):
        years[member_id].last_grade = grade  # the latest wins

    # 6–7. the 先锋指数, where the member's county turned it on
    paths = dict(Member.objects.filter(pk__in=ids).values_list("pk", "branch__path"))
    rules = rules_for(branch_paths=set(paths.values()))
    for pk, y in years.items():
        rule = rules.get(paths.get(pk, ""))
        if rule is not None:
            y.pioneer = compute(rule=rule, facts=y.facts)
    return years


def member_year(*, member: Member, year: int, today: dt.date | None = None) -> MemberYear:
    return member_years(members=[member], year=year, today=today)[member.pk]


def year_choices(*, member: Member, today: dt.date) -> list[int]:
    """The years a member's page offers, newest first: this year and last year (the annual meeting may be
    held early in the next year), and back to the first recorded event of their branch, at most ten years."""
    first = (
        Activity.objects.filter(branch_id=member.branch_id).order_by("held_on").values_list("held_on", flat=True).first()
    )
    since = max(min(first.year if first else today.year, today.year - 1), today.year - 9)
    return list(range(today.year, since - 1, -1))
