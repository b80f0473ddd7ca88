"""Views of 座谈会."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife import xlsx
from branchlife.views import apply_validation_error, get_for_user, int_or_none, paginate, search_text

from .. import selectors, services
from ..forms.forums import ForumForm, ForumOpinionForm
from ..models import Forum, Meeting
from .common import request_member


def _forums(request, meeting: Meeting):
    supervisor = request.GET.get("supervisor", "")
    return selectors.forums.forum_list(
        meeting=meeting, search=search_text(request), supervisor_id=int_or_none(supervisor),
        without_supervisor=supervisor == "none",
    )


@login_required
def forum_list(request, pk):
    meeting = get_for_user(request.user, "meetings.view_forums", Meeting.objects.select_related("branch"), pk=pk)
    q = search_text(request)
    choices = list(selectors.forums.forum_supervisor_choices(meeting=meeting))
    supervisor = request.GET.get("supervisor", "")
    forums = _forums(request, meeting)
    return render(
        request,
        "meetings/forum_list.html",
        {
            "meeting": meeting, "page": paginate(request, forums, per_page=30), "q": q, "supervisor": supervisor,
            "supervisor_choices": choices, "totals": selectors.forums.forum_totals(meeting=meeting),
            "can_manage_forums": request.user.has_perm("meetings.manage_forums", meeting),
        },
    )


@login_required
def forum_export(request, pk):
    meeting = get_for_user(request.user, "meetings.view_forums", Meeting.objects.select_related("branch"), pk=pk)
    forums = _forums(request, meeting)
    rows = [
        [f.held_on, f.topic, f.place, "、".join(s.name for s in f.supervisors.all()), f.member_participants,
         f.other_participants, f.n_opinions, f.n_done, f.notes]
        for f in forums
    ]
    return xlsx.xlsx_response(
        filename=f"{meeting.branch.name}{meeting.year}-座谈会.xlsx", title=_("座谈会"),
        headers=[_("召开日期"), _("座谈主题"), _("地点"), _("参加的督导"), _("党员参加人数"), _("群众等其他人员"),
                 _("收集意见建议"), _("当场答复或已解决"), _("备注")],
        rows=rows,
    )


def _forum_form(request, meeting: Meeting, forum: Forum | None):
    choices = selectors.forums.forum_supervisor_choices(meeting=meeting, forum=forum)
    if forum is not None:
        initial = {
            "held_on": forum.held_on, "topic": forum.topic, "place": forum.place, "notes": forum.notes,
            "member_participants": forum.member_participants, "other_participants": forum.other_participants,
            "supervisors": list(forum.supervisors.all()),
        }
    else:
        # A supervisor recording a forum is usually recording one they held.
        initial = {"supervisors": list(choices.filter(user=request.user))}
    form = ForumForm(request.POST if request.method == "POST" else None, supervisors=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        supervisors = list(data.pop("supervisors", []))
        try:
            saved = services.forums.forum_save(meeting=meeting, forum=forum, supervisors=supervisors, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存座谈会。"))
            return redirect("meetings:forum_detail", pk=saved.pk)
    return render(
        request, "meetings/forum_form.html", {"meeting": meeting, "forum": forum, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def forum_new(request, pk):
    meeting = get_for_user(request.user, "meetings.manage_forums", Meeting.objects.select_related("branch"), pk=pk)
    return _forum_form(request, meeting, None)


@login_required
def forum_edit(request, pk):
    forum = get_for_user(request.user, "meetings.manage_forums", Forum.objects.select_related("meeting__branch"), pk=pk)
    return _forum_form(request, forum.meeting, forum)


@login_required
@require_POST
def forum_delete(request, pk):
    forum = get_for_user(request.user, "meetings.manage_forums", Forum.objects.select_related("meeting__branch"), pk=pk)
    meeting_id = forum.meeting_id
    services.forums.forum_delete(forum=forum)
    messages.info(request, _("已删除该座谈会；在会上收集的意见仍保留在征求意见中。"))
    return redirect("meetings:forum_list", pk=meeting_id)


@login_required
def forum_detail(request, pk):
    """A forum and its opinions; who manages forums records the opinions heard there on the same page."""
    perm = "meetings.manage_forums" if request.method == "POST" else "meetings.view_forums"
    forum = get_for_user(request.user, perm, Forum.objects.select_related("meeting__branch"), pk=pk)
    meeting = forum.meeting
    can_manage = request.user.has_perm("meetings.manage_forums", forum)
    data = request.POST if request.method == "POST" else None
    form = ForumOpinionForm(data, meeting=meeting) if can_manage else None
    if request.method == "POST" and form.is_valid():
        try:
            services.forums.forum_opinion_record(forum=forum, by=request_member(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已登记一条座谈会上收集的意见。"))
            return redirect(reverse("meetings:forum_detail", args=[forum.pk]) + "#record")
    opinions = selectors.forums.forum_opinions(forum=forum)
    return render(
        request,
        "meetings/forum_detail.html",
        {
            "meeting": meeting, "forum": forum, "form": form, "can_manage_forums": can_manage,
            "supervisors": list(forum.supervisors.order_by("name", "pk")),
            "page": paginate(request, opinions, per_page=50),
            "can_answer": request.user.has_perm("meetings.manage_opinions", meeting),
        },
        status=400 if form is not None and form.errors else 200,
    )


