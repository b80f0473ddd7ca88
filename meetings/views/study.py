"""Views of 会前学习."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from branchlife import xlsx
from branchlife.views import apply_validation_error, get_for_user, search_text

from .. import selectors, services
from ..forms.study import StudySessionForm
from ..models import Meeting, StudySession


@login_required
def study_list(request, pk):
    meeting = get_for_user(request.user, "meetings.view_study", Meeting.objects.select_related("branch"), pk=pk)
    sessions = selectors.study.study_sessions(meeting=meeting)
    q = search_text(request)
    if q:
        sessions = [s for s in sessions if q in s.topic or q in s.materials or q in s.form]
    total = len(selectors.plan.meeting_members(meeting=meeting))
    return render(
        request,
        "meetings/study_list.html",
        {"meeting": meeting, "sessions": sessions, "total": total, "q": q, "can_manage": request.user.has_perm("meetings.manage_study", meeting)},
    )


@login_required
def study_export(request, pk):
    meeting = get_for_user(request.user, "meetings.view_study", Meeting.objects.select_related("branch"), pk=pk)
    rows = [
        [s.held_on, s.topic, s.form, s.materials, len(s.attendees.all()), "、".join(m.name for m in s.attendees.all())]
        for s in selectors.study.study_sessions(meeting=meeting)
    ]
    return xlsx.xlsx_response(
        filename=f"{meeting.branch.name}{meeting.year}-会前学习.xlsx", title=_("会前学习"),
        headers=[_("日期"), _("学习主题"), _("学习形式"), _("学习材料"), _("参加人数"), _("参加人员")], rows=rows,
    )


@login_required
def study_edit(request, pk, session_pk=None):
    meeting = get_for_user(request.user, "meetings.manage_study", Meeting.objects.select_related("branch"), pk=pk)
    session = None
    initial = {}
    if session_pk is not None:
        session = get_for_user(request.user, "meetings.manage_study", StudySession.objects.filter(meeting=meeting), pk=session_pk)
        initial = {
            "held_on": session.held_on, "topic": session.topic, "form": session.form, "materials": session.materials,
            "attendees": list(session.attendees.all()),
        }
    form = StudySessionForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST":
        if request.POST.get("delete") and session is not None:
            services.study.study_session_delete(session=session)
            messages.info(request, _("已删除该次学习。"))
            return redirect("meetings:study_list", pk=meeting.pk)
        if form.is_valid():
            try:
                services.study.study_session_save(meeting=meeting, session=session, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("已保存会前学习记录。"))
                return redirect("meetings:study_list", pk=meeting.pk)
    return render(
        request, "meetings/study_form.html", {"meeting": meeting, "form": form, "session": session},
        status=400 if form.errors else 200,
    )
