"""Views of the plan: the meeting list, create, edit, detail, calendar."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife import xlsx
from branchlife.permissions import branches_visible_to
from branchlife.views import apply_validation_error, get_for_user, paginate

from .. import calendar, selectors, services
from ..forms.plan import MeetingFilterForm, MeetingForm
from ..models import Meeting
from .common import perm_flags, public_url


@login_required
def meeting_list(request):
    form = MeetingFilterForm(request.GET or None)
    meetings = selectors.plan.meeting_list(user=request.user, **(form.filters() if request.GET else {}))
    page = paginate(request, meetings)
    today = timezone.localdate()
    for m in page:
        m.phase = selectors.plan.meeting_phase(meeting=m, today=today)
    can_create = bool(_manageable_branches(request.user)[:1])
    return render(request, "meetings/meeting_list.html", {"page": page, "filter_form": form, "can_create": can_create})


@login_required
def meeting_export(request):
    form = MeetingFilterForm(request.GET or None)
    meetings = selectors.plan.meeting_list(user=request.user, **(form.filters() if request.GET else {}))
    today = timezone.localdate()
    rows = [
        [
            m.branch.name, m.year, m.get_kind_display(), m.theme, m.held_on, m.starts_at, m.place,
            "、".join(s.name for s in m.supervisors.all()), selectors.plan.meeting_phase(meeting=m, today=today),
            m.opinions_close_on, m.talks_due_on, m.self_reviews_due_on,
        ]
        for m in meetings
    ]
    return xlsx.xlsx_response(
        filename="组织生活会.xlsx", title=_("组织生活会"),
        headers=[_("党支部"), _("年度"), _("类型"), _("主题"), _("召开日期"), _("时间"), _("地点"), _("督导"), _("状态"),
                 _("征求意见截止"), _("谈心谈话完成"), _("对照检查材料截止")],
        rows=rows,
    )


def _manageable_branches(user):
    return [b for b in branches_visible_to(user).order_by("path") if user.has_perm("meetings.add_meeting", b)]


@login_required
def meeting_create(request):
    branches = _manageable_branches(request.user)
    if not branches:
        raise PermissionDenied
    branch_qs = branches_visible_to(request.user).filter(pk__in=[b.pk for b in branches]).order_by("path")
    form = MeetingForm(request.POST or None, branches=branch_qs, instance=Meeting())
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.plan.meeting_create(
                branch=form.cleaned_data["branch"], supervisors=form.cleaned_data["supervisors"],
                recorders=form.cleaned_data["recorders"], **form.service_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已安排组织生活会。"))
            return redirect("meetings:timeline", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def meeting_edit(request, pk):
    meeting = get_for_user(request.user, "meetings.change_meeting", Meeting.objects.select_related("branch"), pk=pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan.meeting_update(
                meeting=meeting, supervisors=form.cleaned_data["supervisors"], recorders=form.cleaned_data["recorders"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存会议安排。"))
            return redirect("meetings:timeline", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting}, status=400 if form.errors else 200)




@login_required
def meeting_detail(request, pk):
    meeting = get_for_user(request.user, "meetings.view_meeting", Meeting.objects.select_related("branch"), pk=pk)
    flags = perm_flags(request.user, meeting)
    record = selectors.record.meeting_record(meeting=meeting, user=request.user, see_all=flags["can_oversee"] or flags["can_record"])
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "phase": selectors.plan.meeting_phase(meeting=meeting),
            "record": record,
            "public_url": public_url(meeting),
            "room_open": not selectors.record.record_closed_reason(meeting=meeting),
            "can_submit": request.user.has_perm("meetings.submit_opinion", meeting) and selectors.opinions.opinions_open(meeting=meeting),
            **flags,
        },
    )


@login_required
def meeting_ics(request, pk):
    """加入日历: the meeting and its study sessions as an .ics file, for whoever may open the meeting."""
    meeting = get_for_user(request.user, "meetings.view_meeting", Meeting.objects.select_related("branch"), pk=pk)
    response = HttpResponse(calendar.meeting_calendar(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar.calendar_filename(meeting)}"'
    return response
