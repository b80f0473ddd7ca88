"""Reading the branch's regular life: lists, the roll of one activity, the year's calendar, the work tips."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from organizations.models import Organization

from . import rhythm
from .models import Activity, ActivityAttendance, Kind, WorkTip


def activity_list(*, branch: Organization, kind: str = "", search: str = "", year: int | None = None) -> QuerySet[Activity]:
    qs = (
        Activity.objects.filter(branch=branch)
        .select_related("led_by", "party_group")
        .annotate(
            attended=Count("attendance", filter=Q(attendance__status__in=ActivityAttendance.ATTENDED)),
            on_roll=Count("attendance"),
            photo_count=Count("photos", distinct=True),
        )
    )
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    if search:
        qs = qs.filter(Q(topic__icontains=search) | Q(service__icontains=search) | Q(place__icontains=search))
    return qs.order_by("-held_on", "-id")


@dataclass
class Roll:
    total: int
    attended: int
    absent: list[ActivityAttendance]

    @property
    def percent(self) -> int | None:
        return round(100 * self.attended / self.total) if self.total else None


def activity_roll(*, activity: Activity) -> Roll:
    rows = list(activity.attendance.select_related("member").order_by("member_id"))
    attended = sum(a.status in ActivityAttendance.ATTENDED for a in rows)
    return Roll(total=len(rows), attended=attended, absent=[a for a in rows if a.status not in ActivityAttendance.ATTENDED])


@dataclass
class CalendarMonth:
    month: dt.date
    periods: list[tuple[rhythm.PeriodStatus, str]]  # the periods that end this month, with the group's name


def branch_calendar(*, branch: Organization, year: int, today: dt.date) -> tuple[rhythm.BranchRhythm, list[CalendarMonth]]:
    """The branch's year: what is due, month by month (a period shows in the month it ends), and its state."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    result = rhythm.branch_rhythms(branches=[branch], start=start, end=end, today=today)[branch.pk]
    groups = group_names(branch=branch)
    months = [CalendarMonth(month=dt.date(year, m, 1), periods=[]) for m in range(1, 13)]
    for p in sorted(result.periods, key=lambda p: (p.end, Kind.values.index(p.kind))):
        months[p.end.month - 1].periods.append((p, groups.get(p.group_id, "")))
    return result, months


def work_tips_for(*, branch: Organization, month: dt.date) -> list[WorkTip]:
    """The month's tips from every node above the branch (township first, then county), newest month first."""
    steplen = Organization.steplen
    paths = [branch.path[:end] for end in range(steplen, len(branch.path), steplen)]
    return list(
        WorkTip.objects.filter(organization__path__in=paths, month=month.replace(day=1))
        .select_related("organization")
        .order_by("-organization__depth")
    )


def group_names(*, branch: Organization) -> dict[int, str]:
    return dict(branch.get_children().filter(level=Organization.Level.GROUP).values_list("pk", "name"))
