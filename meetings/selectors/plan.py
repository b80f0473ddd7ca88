"""Reads of the plan: the meeting list, its roll, its phase."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.permissions import branches_visible_to
from organizations.models import Member

from ..models import Attendance, Meeting

POST_ORDER = {post: i for i, post in enumerate(Member.COMMITTEE_POSTS)}


def member_order(m: Member):
    return (POST_ORDER.get(m.committee_post, len(POST_ORDER)), m.name, m.pk)


def meeting_list(*, user, search: str = "", year: int | None = None, kind: str = "", status: str = "") -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(branch__in=branches_visible_to(user))
    if hasattr(user, "supervisor"):
        qs = Meeting.objects.filter(Q(branch__in=branches_visible_to(user)) | Q(supervisors__user=user)).distinct()
    if search:
        qs = qs.filter(Q(branch__name__icontains=search) | Q(theme__icontains=search) | Q(place__icontains=search))
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if status == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_at__isnull=False)
    return qs.select_related("branch").prefetch_related("supervisors").order_by("-year", "-held_on", "branch__path", "-id")


def meeting_members(*, meeting: Meeting) -> list[Member]:
    """The branch's members on the roll, secretary and committee first (the order of every table)."""
    return sorted(Member.objects.filter(branch_id=meeting.branch_id, is_active=True), key=member_order)


def current_meeting(*, member: Member) -> Meeting | None:
    """The meeting a member is working on: the branch's latest one still open, else its latest one."""
    qs = Meeting.objects.filter(branch_id=member.branch_id).select_related("branch")
    return qs.filter(closed_at__isnull=True).order_by("-year", "-id").first() or qs.order_by("-year", "-id").first()


def meeting_phase(*, meeting: Meeting, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if meeting.closed_at:
        return _("已召开")
    if meeting.held_on == today:
        return _("会议进行中")
    if meeting.held_on and meeting.held_on < today:
        # Its day has passed and nobody closed it: without any attendance it was not held at all (issue 24 item 10).
        return _("已过会期，未召开") if meeting_missed(meeting=meeting, today=today) else _("召开日期已过，尚未结束")
    if meeting.ready_at:
        return _("准备就绪")
    return _("会前准备")


def meeting_missed(*, meeting: Meeting, today: dt.date | None = None) -> bool:
    """已过会期，未召开: the meeting's day has passed, it is not closed and no attendance was recorded (a meeting
    that was held has its roll). Derived from what is stored, so the secretary, the timeline and the township's
    dashboard read the same state (the dashboard's folded copy: dashboard.scoring.meeting_flags)."""
    today = today or timezone.localdate()
    if meeting.closed_at is not None or meeting.held_on is None or meeting.held_on >= today:
        return False
    return not Attendance.objects.filter(meeting=meeting).exists()
