"""Views of 谈心谈话."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife import xlsx
from branchlife.views import apply_validation_error, get_for_user, int_or_none, local_path

from .. import selectors, services
from ..forms.talks import TalkDisputeForm, TalkFilterForm, TalkForm
from ..models import Meeting, Talk
from .common import error_messages, request_member


@login_required
def talk_list(request, pk):
    meeting = get_for_user(request.user, "meetings.view_talks", Meeting.objects.select_related("branch"), pk=pk)
    members = selectors.plan.meeting_members(meeting=meeting)
    coverage = selectors.talks.talk_coverage(meeting=meeting, members=members)
    form = TalkFilterForm(request.GET or None, branch=meeting.branch)
    filters = form.filters()
    talk_rows = list(selectors.talks.talk_list(meeting=meeting))
    listed = list(selectors.talks.talk_list(meeting=meeting, **filters)) if any(filters.values()) else talk_rows
    listed = selectors.talks.talk_rows_with_state(meeting=meeting, talk_rows=listed, user=request.user)
    matrix = selectors.talks.coverage_matrix(meeting=meeting, members=members, coverage=coverage, talk_rows=talk_rows)
    return render(
        request,
        "meetings/talk_list.html",
        {
            "meeting": meeting, "coverage": coverage, "matrix": matrix, "talks": listed, "filter_form": form,
            "can_record": request.user.has_perm("meetings.record_talk", meeting) and meeting.closed_at is None,
            "me": request_member(request),
        },
    )


@login_required
def talk_export(request, pk):
    meeting = get_for_user(request.user, "meetings.view_talks", Meeting.objects.select_related("branch"), pk=pk)
    coverage = selectors.talks.talk_coverage(meeting=meeting)
    states = {"done": _("已谈"), "pending": _("待对方确认"), "missing": _("未谈")}
    rows = [
        [p.rule_label, p.a.name if p.a else "", p.b.name if p.b else p.partner_label, states[p.state],
         (p.talk or p.pending_talk).held_on if (p.talk or p.pending_talk) else "",
         (p.talk or p.pending_talk).topics if (p.talk or p.pending_talk) else ""]
        for p in coverage.required
    ]
    return xlsx.xlsx_response(
        filename=f"{meeting.branch.name}{meeting.year}-谈心谈话.xlsx", title=_("谈心谈话"),
        headers=[_("必谈规则"), _("谈话人"), _("谈话对象"), _("状态"), _("谈话日期"), _("谈话主题")], rows=rows,
    )


@login_required
def talk_new(request, pk):
    meeting = get_for_user(request.user, "meetings.record_talk", Meeting.objects.select_related("branch"), pk=pk)
    is_secretary = request.user.has_perm("meetings.change_meeting", meeting)
    me = request_member(request)
    fixed = None if is_secretary else me
    initial = {}
    if int_or_none(request.GET.get("with")) is not None:
        initial["member_b"] = int_or_none(request.GET["with"])
    if request.GET.get("other") in dict(Talk.Other.choices):
        initial["other_kind"] = request.GET["other"]
    if me is not None:
        initial.setdefault("member_a", me.pk)
    form = TalkForm(request.POST or None, meeting=meeting, fixed_member=fixed, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.talks.talk_save(meeting=meeting, recorded_by=request.user, as_member=fixed, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已记录谈心谈话。"))
            return redirect("meetings:talk_list", pk=meeting.pk)
    return render(request, "meetings/talk_form.html", {"meeting": meeting, "form": form}, status=400 if form.errors else 200)


@login_required
def talk_detail(request, pk):
    talk = get_for_user(request.user, "meetings.view_talks", Talk.objects.select_related("meeting__branch", "member_a", "member_b"), pk=pk)
    [talk] = selectors.talks.talk_rows_with_state(meeting=talk.meeting, talk_rows=[talk], user=request.user)
    return render(
        request,
        "meetings/talk_detail.html",
        {
            "talk": talk, "meeting": talk.meeting,
            "can_see_summary": request.user.has_perm("meetings.view_talk_summary", talk),
            "can_change": request.user.has_perm("meetings.change_talk", talk),
            "can_confirm": request.user.has_perm("meetings.confirm_talk", talk) and talk.awaiting_confirmation,
            "dispute_form": TalkDisputeForm(),
        },
    )


def _talk_answered(request, talk: Talk):
    """Back to where the member answered (我的待办, or the talk's page), else to the to-do group."""
    default = reverse("meetings:my_home") + f"#todo-confirm-{talk.meeting_id}"
    return redirect(local_path(request, request.POST.get("next")) or default)


def _talk_to_confirm(request, pk) -> Talk:
    return get_for_user(
        request.user, "meetings.confirm_talk", Talk.objects.select_related("meeting__branch", "member_a", "member_b"), pk=pk
    )


@login_required
@require_POST
def talk_confirm(request, pk):
    talk = _talk_to_confirm(request, pk)
    try:
        services.talks.talk_confirm(talk=talk, member=request_member(request), now=timezone.now())
    except ValidationError as exc:
        messages.warning(request, " ".join(error_messages(exc)))
    else:
        messages.success(request, _("已确认与 %(name)s 的谈心谈话。") % {"name": _partner_of(talk, request_member(request))})
    return _talk_answered(request, talk)


@login_required
@require_POST
def talk_dispute(request, pk):
    talk = _talk_to_confirm(request, pk)
    form = TalkDisputeForm(request.POST)
    if not form.is_valid():
        messages.warning(request, " ".join(m for msgs in form.errors.values() for m in msgs))
        return _talk_answered(request, talk)
    try:
        services.talks.talk_dispute(talk=talk, member=request_member(request), note=form.cleaned_data["note"], now=timezone.now())
    except ValidationError as exc:
        messages.warning(request, " ".join(error_messages(exc)))
    else:
        messages.info(request, _("已告知记录人和支部书记：这次谈话未进行。"))
    return _talk_answered(request, talk)


def _partner_of(talk: Talk, member) -> str:
    return talk.member_a.name if member and talk.member_b_id == member.pk else talk.partner_name


@login_required
def talk_edit(request, pk):
    talk = get_for_user(request.user, "meetings.change_talk", Talk.objects.select_related("meeting__branch"), pk=pk)
    meeting = talk.meeting
    fixed = None if request.user.has_perm("meetings.change_meeting", meeting) else request_member(request)
    initial = {
        "member_a": talk.member_a_id, "member_b": talk.member_b_id, "other_kind": talk.other_kind, "other_name": talk.other_name,
        "held_on": talk.held_on, "topics": talk.topics, "summary": talk.summary,
    }
    form = TalkForm(request.POST or None, meeting=meeting, fixed_member=fixed, initial=initial)
    if fixed is not None:
        form.fields["member_a"].initial = talk.member_a_id
    if request.method == "POST":
        if request.POST.get("delete"):
            services.talks.talk_delete(talk=talk)
            messages.info(request, _("已删除该次谈话记录。"))
            return redirect("meetings:talk_list", pk=meeting.pk)
        if form.is_valid():
            try:
                services.talks.talk_save(meeting=meeting, talk=talk, as_member=fixed, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("已保存谈话记录。"))
                return redirect("meetings:talk_detail", pk=talk.pk)
    return render(
        request, "meetings/talk_form.html", {"meeting": meeting, "form": form, "talk": talk}, status=400 if form.errors else 200
    )
