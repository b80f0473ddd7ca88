"""Pages that span the phases: the timeline, the member's home, closing, the report. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import resolve
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife.pdf import pdf_response, render_pdf
from branchlife.views import apply_validation_error, get_for_user
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.forms.plan import ReadyForm
from meetings.forms.record import NextStepsForm
from meetings.models import Meeting
from meetings.templatetags.meetings_tags import TABS
from meetings.views.common import (
    error_messages,
    error_text,
    perm_flags,
    public_url,
    record_meeting,
    request_member,
)

from . import selectors, services

# The permission (on the meeting) that the page behind each timeline link asks for.
PHASE_LINK_PERMS = {url_name: perm for _key, _label, url_name, perm in TABS} | {
    "meetings:meeting_edit": "meetings.change_meeting",
    "evaluations:evaluation_create": "evaluations.create_evaluation",
    "evaluations:evaluation_detail": "evaluations.view_evaluation",
}


@login_required
def timeline(request, pk):
    meeting = get_for_user(request.user, "meetings.view_timeline", Meeting.objects.select_related("branch"), pk=pk)
    return _render_timeline(request, meeting, ReadyForm())


def _render_timeline(request, meeting, ready_form, status=200):
    phases = selectors.timeline(meeting=meeting)
    for phase in phases:  # a phase's title links only where this user may go (a link to a 403 helps nobody)
        perm = PHASE_LINK_PERMS.get(resolve(phase.url).view_name) if phase.url else None
        if perm and not request.user.has_perm(perm, meeting):
            phase.url = None
    return render(
        request,
        "meetings/timeline.html",
        {
            "meeting": meeting, "phases": phases, "coverage": meeting_selectors.talks.talk_coverage(meeting=meeting),
            "ready_form": ready_form, "public_url": public_url(meeting), **perm_flags(request.user, meeting),
        },
        status=status,
    )


@login_required
@require_POST
def meeting_ready(request, pk):
    meeting = get_for_user(request.user, "meetings.mark_ready", Meeting.objects.select_related("branch"), pk=pk)
    if request.POST.get("undo"):
        meeting_services.plan.meeting_unmark_ready(meeting=meeting)
        messages.info(request, _("已撤销“准备就绪”。"))
        return redirect("meetings:timeline", pk=meeting.pk)
    form = ReadyForm(request.POST)
    if form.is_valid():
        try:
            meeting_services.plan.meeting_mark_ready(meeting=meeting, note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("会前准备已确认就绪。"))
            return redirect("meetings:timeline", pk=meeting.pk)
    return _render_timeline(request, meeting, form, status=400)


@login_required
def my_home(request):
    if not request.user.has_perm("meetings.use_my_home"):
        raise PermissionDenied
    member = request_member(request)
    home = selectors.my_home(member=member)
    reviewing = {g.meeting.pk for g in home.groups if request.user.has_perm("meetings.review_self_reviews", g.meeting)}
    return render(request, "meetings/my_home.html", {"home": home, "me": member, "reviewing": reviewing})


@login_required
@require_POST
def meeting_close(request, pk):
    meeting = record_meeting(request, pk, "meetings.close_meeting")
    if request.POST.get("reopen"):
        meeting_services.record.meeting_reopen(meeting=meeting)
        messages.info(request, _("已重新打开会议记录。"))
        return redirect("meetings:record", pk=meeting.pk)
    try:
        result = services.meeting_close(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, error_text(error_messages(exc)))
        return redirect("meetings:record", pk=meeting.pk) if meeting.closed_at is None else redirect("meetings:meeting_detail", pk=meeting.pk)
    messages.success(request, _("会议已结束，问题清单新增 %(n)s 条。") % {"n": result.problems_created})
    # Straight to the problem list the message counts (a message cannot carry a link; issue 24 item 9).
    if request.user.has_perm("rectification.view_problem_list", meeting):
        return redirect("rectification:problem_list", pk=meeting.pk)
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@login_required
def report(request, pk):
    meeting = record_meeting(request, pk, "meetings.view_report")
    can_edit = request.user.has_perm("meetings.change_meeting", meeting)
    form = NextStepsForm(request.POST or None, initial={"next_steps": meeting.next_steps})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            meeting_services.record.meeting_text_save(meeting=meeting, field="next_steps", text=form.cleaned_data["next_steps"])
            messages.success(request, _("已保存下一步工作打算。"))
            return redirect("meetings:report", pk=meeting.pk)
    return render(
        request, "meetings/report.html",
        {"meeting": meeting, "r": selectors.meeting_report(meeting=meeting), "form": form, "can_edit": can_edit},
        status=400 if form.errors else 200,
    )


@login_required
def report_pdf(request, pk):
    meeting = record_meeting(request, pk, "meetings.view_report")
    content = render_pdf("meetings/report_pdf.html", {"meeting": meeting, "r": selectors.meeting_report(meeting=meeting)})
    return pdf_response(content, f"{meeting.branch.name}{meeting.title}情况报告.pdf")
