"""扫码签到 pages (issue 17): the projector's code and roll, the member's scan, the remote member's code."""

from __future__ import annotations

import time

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from branchlife.permissions import actor_of
from branchlife.views import get_for_user

from .. import checkin, selectors, services
from ..models import Attendance, Meeting

GRANT_KEY = "checkin:{pk}"


def _roll(meeting: Meeting) -> dict:
    """What the projector shows of the roll: who has checked in, and the count of those attending."""
    rows = list(
        Attendance.objects.filter(meeting=meeting, checked_in_at__isnull=False)
        .select_related("member").order_by("checked_in_at", "id")
    )
    summary = selectors.record.attendance_summary(meeting=meeting)
    names = [a.member.name + (_("（远程）") if a.status == Attendance.Status.REMOTE else "") for a in rows]
    return {
        "checked_in_count": len(rows),
        "checked_in_text": "、".join(names),
        "attended": summary.present,
        "total": summary.total,
    }


def _screen_state(request, meeting: Meeting) -> dict:
    now = timezone.now()
    url = request.build_absolute_uri(
        reverse("meetings:checkin_scan", args=[meeting.pk, checkin.qr_code(meeting_id=meeting.pk, now=now)])
    )
    return {
        "url": url,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=8, border=2, omitsize=True, title=_("扫码签到")),
        "seconds_left": checkin.qr_seconds_left(now),
        "remote_code": checkin.remote_code(meeting_id=meeting.pk, now=now),
        **_roll(meeting),
    }


@never_cache
@login_required
def checkin_screen(request, pk):
    """For the projector: the check-in QR (new every 30 seconds), the code read out to remote members,
    and the roll filling in."""
    meeting = get_for_user(request.user, "meetings.record_meeting", Meeting.objects.select_related("branch"), pk=pk)
    reason = selectors.record.record_closed_reason(meeting=meeting)
    if reason:
        return render(request, "meetings/room_not_open.html", {"meeting": meeting, "reason": reason}, status=409)
    if request.GET.get("format") == "json":
        return JsonResponse(_screen_state(request, meeting))
    return render(request, "meetings/checkin_screen.html", {"meeting": meeting, "s": _screen_state(request, meeting)})


def _grant_fresh(request, meeting: Meeting) -> bool:
    granted = request.session.get(GRANT_KEY.format(pk=meeting.pk))
    return granted is not None and time.time() - granted <= checkin.SCAN_GRANT_SECONDS


def _result(request, meeting: Meeting, *, error: str = "", attendance=None, status=200, remote_form=None):
    return render(
        request, "meetings/checkin_result.html",
        {"meeting": meeting, "error": error, "attendance": attendance, "remote_form": remote_form},
        status=status,
    )


@never_cache
def checkin_scan(request, pk, code):
    """The QR's target. GET (a phone opening the scanned link, or a chat app previewing it) only checks the
    code and remembers the valid scan in the session, long enough to log in; the check-in is the POST.
    No rate limit by address: a whole room scans from behind one Wi-Fi address, and a 48-bit code that
    lives 40 seconds cannot be guessed."""
    meeting = get_object_or_404(Meeting.objects.select_related("branch"), pk=pk)
    if checkin.qr_valid(meeting_id=meeting.pk, code=code):
        request.session[GRANT_KEY.format(pk=meeting.pk)] = time.time()
    elif not _grant_fresh(request, meeting):
        return _result(
            request, meeting, status=400,
            error=_("签到码已过期（投影上的二维码每 30 秒更换一次）。请重新扫描会场投影上的二维码。"),
        )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("meetings.view_meeting", meeting):
        return _result(request, None, error=_("你不是本支部党员，不能在本次会议签到。"), status=403)
    if request.method != "POST":
        reason = selectors.record.record_closed_reason(meeting=meeting)
        return render(request, "meetings/checkin_confirm.html", {"meeting": meeting, "reason": reason})
    try:
        row = services.record.member_check_in(meeting=meeting, member=actor_of(request.user).member, via=Attendance.Via.QR)
    except ValidationError as exc:
        return _result(request, meeting, error="；".join(exc.messages), status=409)
    request.session.pop(GRANT_KEY.format(pk=meeting.pk), None)
    return _result(request, meeting, attendance=row)


class RemoteCheckInForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("签到口令"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "form-control form-control-lg"}),
        help_text=gettext_lazy("会议主持人在视频会议中宣读的 6 位数字。"),
    )


@never_cache
@login_required
@ratelimit(key="user", rate="10/m", method="POST", block=False)
def checkin_remote(request, pk):
    """远程参会: a member joining by video types the code the secretary reads out."""
    meeting = get_for_user(request.user, "meetings.view_meeting", Meeting.objects.select_related("branch"), pk=pk)
    form = RemoteCheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if getattr(request, "limited", False):
            form.add_error("code", _("尝试次数太多，请一分钟后再试。"))
        elif not checkin.remote_valid(meeting_id=meeting.pk, code=form.cleaned_data["code"]):
            form.add_error("code", _("口令不对或已过期，请核对主持人刚宣读的口令。"))
        else:
            try:
                row = services.record.member_check_in(meeting=meeting, member=actor_of(request.user).member, via=Attendance.Via.CODE)
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                return _result(request, meeting, attendance=row)
    return _result(
        request, meeting, remote_form=form, error=selectors.record.record_closed_reason(meeting=meeting),
        status=400 if form.errors else 200,
    )
