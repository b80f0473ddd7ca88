"""Thin views: permission, form, one service call, redirect. Issue 4 (before the meeting)."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from branchlife import xlsx
from branchlife.forms import without_control_characters
from branchlife.http import client_ip_key
from branchlife.pdf import pdf_response, render_pdf
from branchlife.permissions import actor_of, branches_visible_to
from branchlife.views import (
    apply_validation_error,
    get_for_user,
    int_or_none,
    local_path,
    paginate,
    search_text,
)
from organizations.models import Member

from . import calendar, quality, selectors, services
from .forms import (
    AgendaFormSet,
    AttendanceForm,
    ForumForm,
    ForumOpinionForm,
    MeetingFilterForm,
    MeetingForm,
    MemberOpinionForm,
    NextStepsForm,
    OfflineOpinionForm,
    OpinionAnswerForm,
    OpinionFilterForm,
    OpinionSortForm,
    ProblemFormSet,
    PublicOpinionForm,
    ReadyForm,
    RecordEntryForm,
    ReviewDecisionForm,
    SelfReviewFilterForm,
    SelfReviewForm,
    StudySessionForm,
    TalkDisputeForm,
    TalkFilterForm,
    TalkForm,
)
from .models import (
    AgendaItem,
    Attendance,
    ClaimedProblem,
    Commitment,
    Criticism,
    Forum,
    Meeting,
    MeetingComment,
    Opinion,
    SelfReview,
    StudySession,
    Talk,
)
from .templatetags.meetings_tags import TABS


def _error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _error_text(messages_: list[str]) -> str:
    """Several refusals in one Chinese sentence, parted by a full-width semicolon."""
    return "；".join(messages_)


def _member(request):
    return actor_of(request.user).member


# ---------------------------------------------------------------- meetings
@login_required
def meeting_list(request):
    form = MeetingFilterForm(request.GET or None)
    meetings = selectors.meeting_list(user=request.user, **(form.filters() if request.GET else {}))
    page = paginate(request, meetings)
    today = timezone.localdate()
    for m in page:
        m.phase = selectors.meeting_phase(meeting=m, today=today)
    can_create = bool(_manageable_branches(request.user)[:1])
    return render(request, "meetings/meeting_list.html", {"page": page, "filter_form": form, "can_create": can_create})


@login_required
def meeting_export(request):
    form = MeetingFilterForm(request.GET or None)
    meetings = selectors.meeting_list(user=request.user, **(form.filters() if request.GET else {}))
    today = timezone.localdate()
    rows = [
        [
            m.branch.name, m.year, m.get_kind_display(), m.theme, m.held_on, m.starts_at, m.place,
            "、".join(s.name for s in m.supervisors.all()), selectors.meeting_phase(meeting=m, today=today),
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
            meeting = services.meeting_create(
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
            services.meeting_update(
                meeting=meeting, supervisors=form.cleaned_data["supervisors"], recorders=form.cleaned_data["recorders"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存会议安排。"))
            return redirect("meetings:timeline", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting}, status=400 if form.errors else 200)


def _perm_flags(user, meeting) -> dict:
    return {
        "can_manage": user.has_perm("meetings.change_meeting", meeting),
        "can_see_notices": user.has_perm("notifications.view_delivery_status", meeting),
        "can_oversee": user.has_perm("meetings.view_timeline", meeting),
        "can_review": user.has_perm("meetings.review_self_reviews", meeting),
        "can_record": user.has_perm("meetings.record_meeting", meeting),
        "can_close": user.has_perm("meetings.close_meeting", meeting),
        "is_member": user.has_perm("meetings.write_self_review", meeting),
        "can_see_authors": user.has_perm("meetings.view_opinion_authors", meeting),
    }


@login_required
def meeting_detail(request, pk):
    meeting = get_for_user(request.user, "meetings.view_meeting", Meeting.objects.select_related("branch"), pk=pk)
    flags = _perm_flags(request.user, meeting)
    record = selectors.meeting_record(meeting=meeting, user=request.user, see_all=flags["can_oversee"] or flags["can_record"])
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "phase": selectors.meeting_phase(meeting=meeting),
            "record": record,
            "public_url": _public_url(meeting),
            "room_open": not selectors.record_closed_reason(meeting=meeting),
            "can_submit": request.user.has_perm("meetings.submit_opinion", meeting) and selectors.opinions_open(meeting=meeting),
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
            "meeting": meeting, "phases": phases, "coverage": selectors.talk_coverage(meeting=meeting),
            "ready_form": ready_form, "public_url": _public_url(meeting), **_perm_flags(request.user, meeting),
        },
        status=status,
    )


@login_required
@require_POST
def meeting_ready(request, pk):
    meeting = get_for_user(request.user, "meetings.mark_ready", Meeting.objects.select_related("branch"), pk=pk)
    if request.POST.get("undo"):
        services.meeting_unmark_ready(meeting=meeting)
        messages.info(request, _("已撤销“准备就绪”。"))
        return redirect("meetings:timeline", pk=meeting.pk)
    form = ReadyForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_mark_ready(meeting=meeting, note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("会前准备已确认就绪。"))
            return redirect("meetings:timeline", pk=meeting.pk)
    return _render_timeline(request, meeting, form, status=400)


# ---------------------------------------------------------------- study sessions
@login_required
def study_list(request, pk):
    meeting = get_for_user(request.user, "meetings.view_study", Meeting.objects.select_related("branch"), pk=pk)
    sessions = selectors.study_sessions(meeting=meeting)
    q = search_text(request)
    if q:
        sessions = [s for s in sessions if q in s.topic or q in s.materials or q in s.form]
    total = len(selectors.meeting_members(meeting=meeting))
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
        for s in selectors.study_sessions(meeting=meeting)
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
            services.study_session_delete(session=session)
            messages.info(request, _("已删除该次学习。"))
            return redirect("meetings:study_list", pk=meeting.pk)
        if form.is_valid():
            try:
                services.study_session_save(meeting=meeting, session=session, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("已保存会前学习记录。"))
                return redirect("meetings:study_list", pk=meeting.pk)
    return render(
        request, "meetings/study_form.html", {"meeting": meeting, "form": form, "session": session},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- opinions
def _public_url(meeting: Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("meetings:public_opinion", args=[meeting.public_token])


@login_required
def opinion_list(request, pk):
    meeting = get_for_user(request.user, "meetings.view_opinions", Meeting.objects.select_related("branch"), pk=pk)
    members = selectors.meeting_members(meeting=meeting)
    form = OpinionFilterForm(request.GET or None, members=members)
    opinions = selectors.opinion_list(meeting=meeting, **(form.filters() if request.GET else {}))
    page = paginate(request, opinions, per_page=50)
    member = _member(request)
    for o in page:
        o.claimed_by_me = bool(member) and any(c.member_id == member.pk for c in o.claims.all())
    return render(
        request,
        "meetings/opinion_list.html",
        {
            "meeting": meeting, "page": page, "filter_form": form, "me": member,
            "summary": selectors.opinions_summary(meeting=meeting),
            "can_submit": request.user.has_perm("meetings.submit_opinion", meeting) and selectors.opinions_open(meeting=meeting),
            "can_claim": request.user.has_perm("meetings.claim_opinion", meeting),
            "public_url": _public_url(meeting),
            **_perm_flags(request.user, meeting),
        },
    )


@login_required
def opinion_export(request, pk):
    meeting = get_for_user(request.user, "meetings.view_opinions", Meeting.objects.select_related("branch"), pk=pk)
    members = selectors.meeting_members(meeting=meeting)
    form = OpinionFilterForm(request.GET or None, members=members)
    opinions = selectors.opinion_list(meeting=meeting, **(form.filters() if request.GET else {}))
    see_authors = request.user.has_perm("meetings.view_opinion_authors", meeting)
    rows = []
    for o in opinions:
        author = _("匿名") if o.is_anonymous else (o.author_member.name if o.author_member else o.author_label)
        rows.append([
            o.received_on, o.get_channel_display(), o.text,
            o.target_member.name if o.target_member else _("支部班子"), o.get_category_display(),
            "、".join(c.member.name for c in o.claims.all()), o.get_status_display(), o.answer,
            author if see_authors else "",
        ])
    return xlsx.xlsx_response(
        filename=f"{meeting.branch.name}{meeting.year}-意见建议.xlsx", title=_("意见建议"),
        headers=[_("收到日期"), _("渠道"), _("意见建议"), _("针对"), _("类别"), _("认领人"), _("状态"), _("答复/办理情况"), _("提出人")],
        rows=rows,
    )


@login_required
def opinion_stats(request, pk):
    meeting = get_for_user(request.user, "meetings.view_opinions", Meeting.objects.select_related("branch"), pk=pk)
    return render(request, "meetings/opinion_stats.html", {"meeting": meeting, **selectors.opinion_stats(meeting=meeting)})


@never_cache
@sensitive_post_parameters()  # an anonymous opinion never reaches an error report or log
@login_required
def opinion_new(request, pk):
    meeting = get_for_user(request.user, "meetings.submit_opinion", Meeting.objects.select_related("branch"), pk=pk)
    is_open = selectors.opinions_open(meeting=meeting)
    form = MemberOpinionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and is_open and form.is_valid():
        anonymous = form.cleaned_data["is_anonymous"]
        try:
            services.opinion_submit(
                meeting=meeting, channel=Opinion.Channel.MEMBER_ONLINE, text=form.cleaned_data["text"],
                is_anonymous=anonymous, author_member=None if anonymous else _member(request),
                target_member=form.cleaned_data["target_member"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            # No flash message: messages may be stored server-side, and nothing may record who sent what.
            return redirect(reverse("meetings:opinion_new", args=[meeting.pk]) + "?sent=1")
    return render(
        request, "meetings/opinion_form.html",
        {"meeting": meeting, "form": form, "is_open": is_open, "sent": request.GET.get("sent") == "1"},
        status=400 if form.errors else (200 if is_open or request.method == "GET" else 410),
    )


@login_required
def opinion_record(request, pk):
    """The secretary records opinions gathered offline (box, forum, home visit, WeChat group …)."""
    meeting = get_for_user(request.user, "meetings.manage_opinions", Meeting.objects.select_related("branch"), pk=pk)
    form = OfflineOpinionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.opinion_submit(
                meeting=meeting, channel=d["channel"], text=d["text"], is_anonymous=d["is_anonymous"] or not d["author_label"],
                author_label=d["author_label"], target_member=d["target_member"], category=d["category"],
                received_on=d["received_on"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已登记一条意见。"))
            if request.POST.get("another"):
                return redirect("meetings:opinion_record", pk=meeting.pk)
            return redirect("meetings:opinion_list", pk=meeting.pk)
    return render(request, "meetings/opinion_record.html", {"meeting": meeting, "form": form}, status=400 if form.errors else 200)


def _opinion(request, perm, pk):
    return get_for_user(request.user, perm, Opinion.objects.select_related("meeting__branch", "target_member"), pk=pk)


@login_required
def opinion_sort(request, pk):
    opinion = _opinion(request, "meetings.manage_opinions", pk)
    initial = {
        "category": opinion.category, "target_member": opinion.target_member,
        "merged_into": str(opinion.merged_into_id) if opinion.merged_into_id else "",
    }
    form = OpinionSortForm(request.POST or None, opinion=opinion, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.opinion_sort(
                opinion=opinion, category=d["category"],
                target_kind=Opinion.Target.MEMBER if d["target_member"] else Opinion.Target.COMMITTEE,
                target_member=d["target_member"], merged_into=d["merged_into"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已梳理该条意见。"))
            return redirect(reverse("meetings:opinion_list", args=[opinion.meeting_id]) + f"#opinion-{opinion.pk}")
    return render(
        request, "meetings/opinion_sort.html",
        {"opinion": opinion, "meeting": opinion.meeting, "form": form, "can_see_authors": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def opinion_claim(request, pk):
    opinion = _opinion(request, "meetings.claim_opinion", pk)
    member = _member(request)
    if request.POST.get("undo"):
        services.opinion_unclaim(opinion=opinion, member=member)
        messages.info(request, _("已取消认领。"))
    else:
        services.opinion_claim(opinion=opinion, member=member)
        messages.success(request, _("已认领该条意见。"))
    next_url = request.POST.get("next", "")
    # Not a bare startswith("/") check: browsers read "/\evil.example" as "//evil.example".
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(reverse("meetings:opinion_list", args=[opinion.meeting_id]) + f"#opinion-{opinion.pk}")


@login_required
def opinion_answer(request, pk):
    opinion = _opinion(request, "meetings.answer_opinion", pk)
    form = OpinionAnswerForm(request.POST or None, initial={"answer": opinion.answer, "status": opinion.status or Opinion.Status.ANSWERED})
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_answer(opinion=opinion, by=_member(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存答复。"))
            return redirect(reverse("meetings:opinion_list", args=[opinion.meeting_id]) + f"#opinion-{opinion.pk}")
    return render(
        request, "meetings/opinion_answer.html", {"opinion": opinion, "meeting": opinion.meeting, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def opinion_qr(request, pk):
    meeting = get_for_user(request.user, "meetings.manage_opinions", Meeting.objects.select_related("branch"), pk=pk)
    buf = io.BytesIO()
    segno.make(_public_url(meeting), error="m").save(buf, kind="png", scale=10, border=2)
    return HttpResponse(buf.getvalue(), content_type="image/png")


@login_required
def opinion_poster(request, pk):
    meeting = get_for_user(request.user, "meetings.manage_opinions", Meeting.objects.select_related("branch"), pk=pk)
    return render(request, "meetings/opinion_poster.html", {"meeting": meeting, "public_url": _public_url(meeting)})


# ---------------------------------------------------------------- forums (座谈会)
def _forums(request, meeting: Meeting):
    supervisor = request.GET.get("supervisor", "")
    return selectors.forum_list(
        meeting=meeting, search=search_text(request), supervisor_id=int_or_none(supervisor),
        without_supervisor=supervisor == "none",
    )


@login_required
def forum_list(request, pk):
    meeting = get_for_user(request.user, "meetings.view_forums", Meeting.objects.select_related("branch"), pk=pk)
    q = search_text(request)
    choices = list(selectors.forum_supervisor_choices(meeting=meeting))
    supervisor = request.GET.get("supervisor", "")
    forums = _forums(request, meeting)
    return render(
        request,
        "meetings/forum_list.html",
        {
            "meeting": meeting, "page": paginate(request, forums, per_page=30), "q": q, "supervisor": supervisor,
            "supervisor_choices": choices, "totals": selectors.forum_totals(meeting=meeting),
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
    choices = selectors.forum_supervisor_choices(meeting=meeting, forum=forum)
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
            saved = services.forum_save(meeting=meeting, forum=forum, supervisors=supervisors, **data)
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
    services.forum_delete(forum=forum)
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
            services.forum_opinion_record(forum=forum, by=_member(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已登记一条座谈会上收集的意见。"))
            return redirect(reverse("meetings:forum_detail", args=[forum.pk]) + "#record")
    opinions = selectors.forum_opinions(forum=forum)
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


PUBLIC_POST_RATES = ("5/10m", "30/d")


@never_cache
@sensitive_post_parameters()
@ratelimit(key=client_ip_key, rate=PUBLIC_POST_RATES[0], method="POST", block=False, group="meetings.public_opinion.burst")
@ratelimit(key=client_ip_key, rate=PUBLIC_POST_RATES[1], method="POST", block=False, group="meetings.public_opinion.day")
@ratelimit(key=client_ip_key, rate="120/h", method="GET", block=False, group="meetings.public_opinion.view")
def public_opinion(request, token):
    """群众 give opinions without an account, through the printed QR code. Nothing about them is stored."""
    meeting = selectors.public_meeting(token=token)
    if meeting is None:
        return render(request, "meetings/public_opinion.html", {"missing": True}, status=404)
    context = {"meeting": meeting, "sent": request.GET.get("sent") == "1"}
    if not selectors.opinions_open(meeting=meeting):
        return render(request, "meetings/public_opinion.html", {**context, "closed": True}, status=410)
    if getattr(request, "limited", False):
        form = PublicOpinionForm(request.POST or None)
        form.is_valid()
        return render(request, "meetings/public_opinion.html", {**context, "form": form, "limited": True}, status=429)
    form = PublicOpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not d["website"]:
            services.opinion_submit(
                meeting=meeting, channel=Opinion.Channel.PUBLIC_LINK, text=d["text"],
                is_anonymous=not d["author_label"].strip(), author_label=d["author_label"], target_text=d["target_text"],
            )
        return redirect(reverse("meetings:public_opinion", args=[token]) + "?sent=1")
    return render(request, "meetings/public_opinion.html", {**context, "form": form}, status=400 if form.errors else 200)


# ---------------------------------------------------------------- talks
@login_required
def talk_list(request, pk):
    meeting = get_for_user(request.user, "meetings.view_talks", Meeting.objects.select_related("branch"), pk=pk)
    members = selectors.meeting_members(meeting=meeting)
    coverage = selectors.talk_coverage(meeting=meeting, members=members)
    form = TalkFilterForm(request.GET or None, members=members)
    search = member_id = None
    if request.GET and form.is_valid():
        search = form.cleaned_data["q"].strip()
        member_id = int(form.cleaned_data["member"]) if form.cleaned_data["member"] else None
    talk_rows = list(selectors.talk_list(meeting=meeting))
    listed = list(selectors.talk_list(meeting=meeting, search=search or "", member_id=member_id)) if (search or member_id) else talk_rows
    listed = selectors.talk_rows_with_state(meeting=meeting, talk_rows=listed, user=request.user)
    matrix = selectors.coverage_matrix(meeting=meeting, members=members, coverage=coverage, talk_rows=talk_rows)
    return render(
        request,
        "meetings/talk_list.html",
        {
            "meeting": meeting, "coverage": coverage, "matrix": matrix, "talks": listed, "filter_form": form,
            "can_record": request.user.has_perm("meetings.record_talk", meeting) and meeting.closed_at is None,
            "me": _member(request),
        },
    )


@login_required
def talk_export(request, pk):
    meeting = get_for_user(request.user, "meetings.view_talks", Meeting.objects.select_related("branch"), pk=pk)
    coverage = selectors.talk_coverage(meeting=meeting)
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
    me = _member(request)
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
            services.talk_save(meeting=meeting, recorded_by=request.user, as_member=fixed, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已记录谈心谈话。"))
            return redirect("meetings:talk_list", pk=meeting.pk)
    return render(request, "meetings/talk_form.html", {"meeting": meeting, "form": form}, status=400 if form.errors else 200)


@login_required
def talk_detail(request, pk):
    talk = get_for_user(request.user, "meetings.view_talks", Talk.objects.select_related("meeting__branch", "member_a", "member_b"), pk=pk)
    [talk] = selectors.talk_rows_with_state(meeting=talk.meeting, talk_rows=[talk], user=request.user)
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
        services.talk_confirm(talk=talk, member=_member(request), now=timezone.now())
    except ValidationError as exc:
        messages.warning(request, " ".join(_error_messages(exc)))
    else:
        messages.success(request, _("已确认与 %(name)s 的谈心谈话。") % {"name": _partner_of(talk, _member(request))})
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
        services.talk_dispute(talk=talk, member=_member(request), note=form.cleaned_data["note"], now=timezone.now())
    except ValidationError as exc:
        messages.warning(request, " ".join(_error_messages(exc)))
    else:
        messages.info(request, _("已告知记录人和支部书记：这次谈话未进行。"))
    return _talk_answered(request, talk)


def _partner_of(talk: Talk, member) -> str:
    return talk.member_a.name if member and talk.member_b_id == member.pk else talk.partner_name


@login_required
def talk_edit(request, pk):
    talk = get_for_user(request.user, "meetings.change_talk", Talk.objects.select_related("meeting__branch"), pk=pk)
    meeting = talk.meeting
    fixed = None if request.user.has_perm("meetings.change_meeting", meeting) else _member(request)
    initial = {
        "member_a": talk.member_a_id, "member_b": talk.member_b_id, "other_kind": talk.other_kind, "other_name": talk.other_name,
        "held_on": talk.held_on, "topics": talk.topics, "summary": talk.summary,
    }
    form = TalkForm(request.POST or None, meeting=meeting, fixed_member=fixed, initial=initial)
    if fixed is not None:
        form.fields["member_a"].initial = talk.member_a_id
    if request.method == "POST":
        if request.POST.get("delete"):
            services.talk_delete(talk=talk)
            messages.info(request, _("已删除该次谈话记录。"))
            return redirect("meetings:talk_list", pk=meeting.pk)
        if form.is_valid():
            try:
                services.talk_save(meeting=meeting, talk=talk, as_member=fixed, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("已保存谈话记录。"))
                return redirect("meetings:talk_detail", pk=talk.pk)
    return render(
        request, "meetings/talk_form.html", {"meeting": meeting, "form": form, "talk": talk}, status=400 if form.errors else 200
    )


# ---------------------------------------------------------------- self-reviews
@login_required
def selfreview_list(request, pk):
    meeting = get_for_user(request.user, "meetings.list_self_reviews", Meeting.objects.select_related("branch"), pk=pk)
    form = SelfReviewFilterForm(request.GET or None)
    status = search = ""
    if request.GET and form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"].strip()
    members = selectors.meeting_members(meeting=meeting)
    all_rows = selectors.self_review_rows(meeting=meeting, members=members)
    rows = selectors.self_review_rows(meeting=meeting, members=members, status=status, search=search) if (status or search) else all_rows
    done = sum(1 for _m, r in all_rows if r and r.status in SelfReview.DONE_STATUSES)
    return render(
        request,
        "meetings/selfreview_list.html",
        {
            "meeting": meeting, "rows": rows, "filter_form": form, "done": done, "total": len(all_rows),
            "committee": selectors.committee_review(meeting=meeting), **_perm_flags(request.user, meeting),
        },
    )


@login_required
def selfreview_export(request, pk):
    meeting = get_for_user(request.user, "meetings.list_self_reviews", Meeting.objects.select_related("branch"), pk=pk)
    reviews = {
        r.member_id: r
        for r in SelfReview.objects.filter(meeting=meeting, kind=SelfReview.Kind.MEMBER).prefetch_related("problems")
    }
    rows = []
    for m in selectors.meeting_members(meeting=meeting):
        r = reviews.get(m.pk)
        problems = "\n".join(f"{i}. [{p.aspect}] {p.text}" for i, p in enumerate(r.problems.all(), 1)) if r else ""
        rows.append([
            m.name, r.get_status_display() if r else _("未开始"), r.submitted_at if r else None,
            problems, r.root_causes if r else "", r.measures if r else "", r.direction if r else "", r.secretary_comment if r else "",
        ])
    return xlsx.xlsx_response(
        filename=f"{meeting.branch.name}{meeting.year}-对照检查材料.xlsx", title=_("对照检查材料"),
        headers=[_("姓名"), _("状态"), _("提交时间"), _("查摆问题"), _("原因剖析"), _("整改措施"), _("努力方向"), _("书记审核意见")],
        rows=rows,
    )


@login_required
def selfreview_mine(request, pk):
    meeting = get_for_user(request.user, "meetings.write_self_review", Meeting.objects.select_related("branch"), pk=pk)
    review = services.self_review_get_or_create(meeting=meeting, member=_member(request))
    if review.is_editable and meeting.closed_at is None:
        return redirect("meetings:selfreview_edit", pk=review.pk)
    return redirect("meetings:selfreview_detail", pk=review.pk)


@login_required
def selfreview_committee(request, pk):
    meeting = get_for_user(request.user, "meetings.review_self_reviews", Meeting.objects.select_related("branch"), pk=pk)
    review = services.self_review_get_or_create(meeting=meeting, member=None)
    if review.is_editable and meeting.closed_at is None:
        return redirect("meetings:selfreview_edit", pk=review.pk)
    return redirect("meetings:selfreview_detail", pk=review.pk)


def _review(request, perm, pk):
    return get_for_user(request.user, perm, SelfReview.objects.select_related("meeting__branch", "member"), pk=pk)


def _review_forms(review, data=None):
    aspects = review.meeting.review_aspects
    problems = list(review.problems.all())
    initial = [{"aspect": p.aspect, "text": p.text, "measure": p.measure} for p in problems] or [{}]
    form = SelfReviewForm(
        data, initial={"root_causes": review.root_causes, "measures": review.measures, "direction": review.direction}
    )
    formset = ProblemFormSet(data, initial=None if data is not None else initial, prefix="problems", form_kwargs={"aspects": aspects})
    return form, formset


def _problem_inputs(formset) -> list[services.ProblemInput]:
    return [
        services.ProblemInput(aspect=f.cleaned_data.get("aspect", ""), text=f.cleaned_data.get("text", ""), measure=f.cleaned_data.get("measure", ""))
        for f in formset.forms
        if f.cleaned_data
    ]


def _save_draft(review, form, formset, base_version, device=""):
    return services.self_review_save_draft(
        review=review, root_causes=form.cleaned_data["root_causes"], measures=form.cleaned_data["measures"],
        direction=form.cleaned_data["direction"], problems=_problem_inputs(formset), base_version=base_version,
        device=device,
    )


def _version(request) -> int | None:
    return int_or_none(request.POST.get("version"))


@never_cache
@login_required
def selfreview_edit(request, pk):
    review = _review(request, "meetings.edit_self_review", pk)
    form, formset = _review_forms(review, request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                review = _save_draft(review, form, formset, _version(request), request.POST.get("device", ""))
                if request.POST.get("action") == "submit":
                    services.self_review_submit(review=review)
                    messages.success(request, _("对照检查材料已提交，等待书记审核。"))
                    return redirect("meetings:selfreview_detail", pk=review.pk)
                messages.success(request, _("草稿已保存。"))
                return redirect("meetings:selfreview_edit", pk=review.pk)
            except services.StaleDraft:
                errors.append(_("这份材料已在其他设备上更新。您输入的内容仍在本页，请复制保存后刷新页面。"))
            except ValidationError as exc:
                errors.extend(_error_messages(exc))
                review.refresh_from_db()
        else:
            errors.append(_("请检查下面标红的内容。"))
    hints = selectors.self_review_hints(review=review)
    return render(
        request,
        "meetings/selfreview_edit.html",
        {
            "review": review, "meeting": review.meeting, "form": form, "formset": formset, "errors": errors,
            "hints": hints, "aspects": review.meeting.review_aspects,
        },
        status=400 if errors else 200,
    )


@never_cache
@login_required
@require_POST
def selfreview_autosave(request, pk):
    """Autosave from static/js/meetings_autosave.js: the same fields as the edit page, answered in JSON."""
    review = _review(request, "meetings.edit_self_review", pk)
    form, formset = _review_forms(review, request.POST)
    if not (form.is_valid() and formset.is_valid()):
        errors = dict(form.errors)
        errors["problems"] = [e for e in formset.errors if e] + list(formset.non_form_errors())
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    try:
        review = _save_draft(review, form, formset, _version(request), request.POST.get("device", ""))
    except services.StaleDraft as exc:
        return JsonResponse(
            {"ok": False, "stale": True, "version": exc.review.version, "error": _("这份材料已在其他设备上更新，请刷新页面后再改。")},
            status=409,
        )
    except ValidationError as exc:
        return JsonResponse({"ok": False, "error": _error_text(_error_messages(exc))}, status=409)
    hints = selectors.review_hints(
        meeting=review.meeting, member=review.member,
        # One entry per row on the page, empty ones included, so hint indexes match the rows.
        problems=[(f.cleaned_data.get("text", ""), f.cleaned_data.get("measure", "")) for f in formset.forms],
        measures=review.measures,
    )
    return JsonResponse(
        {
            "ok": True, "version": review.version,
            "saved_at": timezone.localtime(review.updated_at).strftime("%H:%M:%S"), "hints": hints.as_dict(),
        }
    )


@login_required
def selfreview_detail(request, pk):
    review = _review(request, "meetings.view_self_review", pk)
    can_review = request.user.has_perm("meetings.review_self_reviews", review) and review.member_id is not None
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "return":
                    services.self_review_return(review=review, comment=form.cleaned_data["comment"])
                    messages.info(request, _("已退回 %(name)s 修改。") % {"name": review.member.name})
                else:
                    services.self_review_approve(review=review, comment=form.cleaned_data["comment"])
                    messages.success(request, _("已审核通过。"))
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                # On to the next one waiting for a decision, not back to the list (issue 24 item 15).
                following = selectors.self_review_neighbours(review=review).next_waiting
                if following is not None:
                    return redirect("meetings:selfreview_detail", pk=following.pk)
                messages.info(request, _("所有已提交的对照检查材料都已审核。"))
                return redirect("meetings:selfreview_list", pk=review.meeting_id)
    return render(
        request,
        "meetings/selfreview_detail.html",
        {
            "review": review, "meeting": review.meeting, "problems": review.problems.all(),
            "neighbours": selectors.self_review_neighbours(review=review) if can_review else None,
            "hints": selectors.self_review_hints(review=review), "form": form, "can_review": can_review,
            "can_edit": request.user.has_perm("meetings.edit_self_review", review),
        },
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- the member's home
@login_required
def my_home(request):
    if not request.user.has_perm("meetings.use_my_home"):
        raise PermissionDenied
    member = _member(request)
    home = selectors.my_home(member=member)
    reviewing = {g.meeting.pk for g in home.groups if request.user.has_perm("meetings.review_self_reviews", g.meeting)}
    return render(request, "meetings/my_home.html", {"home": home, "me": member, "reviewing": reviewing})


# ================================================================ issue 5: the meeting itself
def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or "application/json" in request.headers.get("Accept", "")


def _record_meeting(request, pk, perm="meetings.record_meeting"):
    return get_for_user(request.user, perm, Meeting.objects.select_related("branch"), pk=pk)


def _member_of(meeting, value) -> Member | None:
    if value in (None, "", "committee", "other"):
        return None
    pk = int_or_none(value)
    if pk is None:
        raise ValidationError(_("请选择党员。"))
    member = Member.objects.filter(branch_id=meeting.branch_id, pk=pk).first()
    if member is None:
        raise ValidationError(_("请选择本支部党员。"))
    return member


@login_required
def attendance(request, pk):
    """议程与出席: the agenda and who attended. Reading for everyone who may see the meeting; writing
    (POST) for the secretary, recorders and supervisors."""
    perm = "meetings.record_meeting" if request.method == "POST" else "meetings.view_record"
    meeting = _record_meeting(request, pk, perm)
    can_record = request.user.has_perm("meetings.record_meeting", meeting)
    room_closed = selectors.record_closed_reason(meeting=meeting)
    members = selectors.meeting_members(meeting=meeting)
    form = AttendanceForm(request.POST if request.method == "POST" else None, meeting=meeting, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_save(meeting=meeting, rows=form.rows(), supervisors_present=form.cleaned_data["supervisors_present"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存出席情况。"))
            return redirect("meetings:attendance", pk=meeting.pk)
    # A meeting planned before its agenda was stored shows the default until the first save (GET never writes).
    agenda = selectors.agenda(meeting=meeting) or (services.agenda_default(meeting=meeting) if can_record and meeting.closed_at is None else [])
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting, "form": form, "summary": selectors.attendance_summary(meeting=meeting, members=members),
            "agenda": agenda, "can_record": can_record, "room_closed": room_closed,
            "can_write": can_record and not room_closed,
            "can_open_evaluation": request.user.has_perm("evaluations.create_evaluation", meeting),
        },
        status=400 if form.errors else 200,
    )


@login_required
def agenda_edit(request, pk):
    meeting = _record_meeting(request, pk)
    # The stored agenda, or the default (pk empty) that the first save stores: GET never writes.
    items = selectors.agenda(meeting=meeting) or services.agenda_default(meeting=meeting)
    formset = AgendaFormSet(
        request.POST or None, prefix="agenda",
        initial=[{"pk": a.pk, "title": a.title, "kind": a.kind} for a in items],
    )
    if request.method == "POST" and formset.is_valid():
        rows = sorted(
            (f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")),
            key=lambda d: (d.get("ORDER") or 999),
        )
        try:
            services.agenda_save(
                meeting=meeting,
                items=[services.AgendaInput(title=d["title"], kind=d["kind"] or AgendaItem.Kind.OTHER, pk=d.get("pk")) for d in rows],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(_error_messages(exc)))
        else:
            messages.success(request, _("已保存议程。"))
            return redirect("meetings:attendance", pk=meeting.pk)
    return render(request, "meetings/agenda_form.html", {"meeting": meeting, "formset": formset}, status=400 if request.method == "POST" else 200)


@never_cache
@login_required
def record(request, pk):
    """The live record, typed in the meeting room on a laptop (static/js/meetings_record.js)."""
    meeting = _record_meeting(request, pk)
    if reason := selectors.record_closed_reason(meeting=meeting):
        return render(request, "meetings/room_not_open.html", {"meeting": meeting, "reason": reason})
    members = selectors.meeting_members(meeting=meeting)
    summary = selectors.attendance_summary(meeting=meeting, members=members)
    present_ids = {m.pk for m, a in summary.rows if a is None or a.status in Attendance.ATTENDED}
    speakers, rec = selectors.speaker_records(meeting=meeting, members=members, with_hints=True)
    # Present members first, in the roll's order; absent ones last (their self-criticism may be sent in writing).
    speakers.sort(key=lambda s: s.member.pk not in present_ids)
    received = {s.member.pk: len(s.received) for s in speakers}
    no_criticism = [s.member for s in speakers if s.member.pk in present_ids and not received[s.member.pk]] if summary.recorded else []
    actor = actor_of(request.user)
    own_supervisor = getattr(request.user, "supervisor", None)
    supervisors = list(meeting.supervisors.all())
    comments = {c.supervisor_id: c for c in rec.supervisor_comments}
    return render(
        request,
        "meetings/record.html",
        {
            "meeting": meeting, "members": members, "speakers": speakers, "rec": rec, "summary": summary,
            "agenda": selectors.agenda(meeting=meeting) or services.agenda_default(meeting=meeting), "no_criticism": no_criticism,
            "supervisor_rows": [(s, comments.get(s.pk)) for s in supervisors], "own_supervisor": own_supervisor,
            "me": actor.member, "can_close": request.user.has_perm("meetings.close_meeting", meeting),
        },
    )


def _entry_response(request, meeting, kind, entry, hints=()):
    if _wants_json(request):
        html = render_to_string("meetings/_entry.html", {"kind": kind, "e": entry, "meeting": meeting, "hints": hints, "can_edit": True}, request=request)
        return JsonResponse({"ok": True, "kind": kind, "id": entry.pk, "html": html, "hints": [h.as_dict() for h in hints]})
    return redirect(reverse("meetings:record", args=[meeting.pk]) + f"#{kind}-{entry.pk}")


@login_required
@require_POST
def record_entry(request, pk):
    """Append a criticism, a problem claimed on the spot, or a commitment. Idempotent on client_id."""
    meeting = _record_meeting(request, pk)
    form = RecordEntryForm(request.POST)
    if not form.is_valid():
        errors = [f"{(form.fields[k].label or '') if k in form.fields else ''}{';'.join(v)}" for k, v in form.errors.items()]
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": _error_text(errors)}, status=400)
        messages.error(request, _error_text(errors))
        return redirect("meetings:record", pk=meeting.pk)
    d = form.cleaned_data
    hints = []
    services.agenda_ensure_default(meeting=meeting)  # a meeting planned before agendas were stored gets it now
    try:
        member = _member_of(meeting, d["member"])
        common = {"meeting": meeting, "client_id": d["client_id"], "agenda_item_id": d["agenda_item"]}
        if d["kind"] == "criticism":
            entry = services.criticism_add(
                giver=_member_of(meeting, d["giver"]), giver_label=d["giver_label"], receiver=member, text=d["text"], **common
            )
            hints = selectors.criticism_hints(meeting=meeting, text=entry.text, receiver=entry.receiver)
        elif d["kind"] == "claim":
            criticism = Criticism.objects.filter(meeting=meeting, pk=d["criticism"]).first() if d["criticism"] else None
            entry = services.claim_add(member=member, text=d["text"], criticism=criticism, **common)
        else:
            entry = services.commitment_add(member=member, text=d["text"], due_on=d["due_on"], **common)
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": _error_text(_error_messages(exc))}, status=400)
        messages.error(request, _error_text(_error_messages(exc)))
        return redirect("meetings:record", pk=meeting.pk)
    return _entry_response(request, meeting, d["kind"], entry, hints)


ENTRY_MODELS = {"criticism": Criticism, "claim": ClaimedProblem, "commitment": Commitment}


@login_required
@require_POST
def record_entry_delete(request, pk, kind, entry_pk):
    meeting = _record_meeting(request, pk)
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404
    entry = get_object_or_404(model, meeting=meeting, pk=entry_pk)
    try:
        services.record_entry_delete(entry=entry)
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": _error_text(_error_messages(exc))}, status=409)
        raise PermissionDenied from exc
    if _wants_json(request):
        return JsonResponse({"ok": True})
    return redirect("meetings:record", pk=meeting.pk)


@never_cache
@login_required
@require_POST
def record_text(request, pk):
    """Autosave target for the long texts of the record: self-criticism, 讲评, 点评, closing, minutes."""
    meeting = _record_meeting(request, pk)
    kind = request.POST.get("kind", "")
    text = without_control_characters(request.POST.get("text", ""))  # no form here to do it (CleanTextMixin)
    hints = []
    try:
        if kind == "self_criticism":
            services.self_criticism_save(meeting=meeting, member=_member_of(meeting, request.POST.get("member")) or _no_member(), text=text)
        elif kind == "secretary_comment":
            services.comment_save(meeting=meeting, kind=MeetingComment.Kind.SECRETARY, member=_member_of(meeting, request.POST.get("member")), text=text)
        elif kind == "supervisor_comment":
            supervisor = meeting.supervisors.filter(pk=int_or_none(request.POST.get("supervisor")) or 0).first()
            services.comment_save(meeting=meeting, kind=MeetingComment.Kind.SUPERVISOR, supervisor=supervisor, text=text)
        elif kind in ("closing_statement", "minutes"):
            services.meeting_text_save(meeting=meeting, field=kind, text=text)
            if kind == "closing_statement":
                hints = quality.measure_hints(text)
        else:
            raise ValidationError(_("未知的记录项。"))
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": _error_text(_error_messages(exc))}, status=400)
        messages.error(request, _error_text(_error_messages(exc)))
        return redirect("meetings:record", pk=meeting.pk)
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "version": 0, "saved_at": timezone.localtime().strftime("%H:%M:%S"),
             "hints": {"problems": {}, "measures": [h.as_dict() for h in hints], "count": len(hints)}}
        )
    messages.success(request, _("已保存。"))
    return redirect("meetings:record", pk=meeting.pk)


def _no_member():
    raise ValidationError(_("请选择党员。"))


@login_required
@require_POST
def meeting_close(request, pk):
    meeting = _record_meeting(request, pk, "meetings.close_meeting")
    if request.POST.get("reopen"):
        services.meeting_reopen(meeting=meeting)
        messages.info(request, _("已重新打开会议记录。"))
        return redirect("meetings:record", pk=meeting.pk)
    try:
        result = services.meeting_close(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _error_text(_error_messages(exc)))
        return redirect("meetings:record", pk=meeting.pk) if meeting.closed_at is None else redirect("meetings:meeting_detail", pk=meeting.pk)
    if result.problems_created is None:
        messages.warning(request, _("会议已结束。问题清单暂未生成（整改模块不可用）。"))
    else:
        messages.success(request, _("会议已结束，问题清单新增 %(n)s 条。") % {"n": result.problems_created})
        # Straight to the problem list the message counts (a message cannot carry a link; issue 24 item 9).
        if request.user.has_perm("rectification.view_problem_list", meeting):
            return redirect("rectification:problem_list", pk=meeting.pk)
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@login_required
def report(request, pk):
    meeting = _record_meeting(request, pk, "meetings.view_report")
    can_edit = request.user.has_perm("meetings.change_meeting", meeting)
    form = NextStepsForm(request.POST or None, initial={"next_steps": meeting.next_steps})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            services.meeting_text_save(meeting=meeting, field="next_steps", text=form.cleaned_data["next_steps"])
            messages.success(request, _("已保存下一步工作打算。"))
            return redirect("meetings:report", pk=meeting.pk)
    return render(
        request, "meetings/report.html",
        {"meeting": meeting, "r": selectors.meeting_report(meeting=meeting), "form": form, "can_edit": can_edit},
        status=400 if form.errors else 200,
    )


@login_required
def report_pdf(request, pk):
    meeting = _record_meeting(request, pk, "meetings.view_report")
    content = render_pdf("meetings/report_pdf.html", {"meeting": meeting, "r": selectors.meeting_report(meeting=meeting)})
    return pdf_response(content, f"{meeting.branch.name}{meeting.title}情况报告.pdf")
