"""Views of 征求意见 (and the public form)."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from branchlife import xlsx
from branchlife.http import client_ip_key
from branchlife.views import apply_validation_error, get_for_user, paginate

from .. import selectors, services
from ..forms.opinions import (
    MemberOpinionForm,
    OfflineOpinionForm,
    OpinionAnswerForm,
    OpinionFilterForm,
    OpinionSortForm,
    PublicOpinionForm,
)
from ..models import Meeting, Opinion
from .common import perm_flags, public_url, request_member

PUBLIC_POST_RATES = ("5/10m", "30/d")


@login_required
def opinion_list(request, pk):
    meeting = get_for_user(request.user, "meetings.view_opinions", Meeting.objects.select_related("branch"), pk=pk)
    form = OpinionFilterForm(request.GET or None, branch=meeting.branch)
    opinions = selectors.opinions.opinion_list(meeting=meeting, **form.filters())
    page = paginate(request, opinions, per_page=50)
    member = request_member(request)
    for o in page:
        o.claimed_by_me = bool(member) and any(c.member_id == member.pk for c in o.claims.all())
    return render(
        request,
        "meetings/opinion_list.html",
        {
            "meeting": meeting, "page": page, "filter_form": form, "me": member,
            "summary": selectors.opinions.opinions_summary(meeting=meeting),
            "can_submit": request.user.has_perm("meetings.submit_opinion", meeting) and selectors.opinions.opinions_open(meeting=meeting),
            "can_claim": request.user.has_perm("meetings.claim_opinion", meeting),
            "public_url": public_url(meeting),
            **perm_flags(request.user, meeting),
        },
    )


@login_required
def opinion_export(request, pk):
    meeting = get_for_user(request.user, "meetings.view_opinions", Meeting.objects.select_related("branch"), pk=pk)
    form = OpinionFilterForm(request.GET or None, branch=meeting.branch)
    opinions = selectors.opinions.opinion_list(meeting=meeting, **form.filters())
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
    return render(request, "meetings/opinion_stats.html", {"meeting": meeting, **selectors.opinions.opinion_stats(meeting=meeting)})


@never_cache
@sensitive_post_parameters()  # an anonymous opinion never reaches an error report or log
@login_required
def opinion_new(request, pk):
    meeting = get_for_user(request.user, "meetings.submit_opinion", Meeting.objects.select_related("branch"), pk=pk)
    is_open = selectors.opinions.opinions_open(meeting=meeting)
    form = MemberOpinionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and is_open and form.is_valid():
        anonymous = form.cleaned_data["is_anonymous"]
        try:
            services.opinions.opinion_submit(
                meeting=meeting, channel=Opinion.Channel.MEMBER_ONLINE, text=form.cleaned_data["text"],
                is_anonymous=anonymous, author_member=None if anonymous else request_member(request),
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
            services.opinions.opinion_submit(
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
            services.opinions.opinion_sort(
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
    member = request_member(request)
    if request.POST.get("undo"):
        services.opinions.opinion_unclaim(opinion=opinion, member=member)
        messages.info(request, _("已取消认领。"))
    else:
        services.opinions.opinion_claim(opinion=opinion, member=member)
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
            services.opinions.opinion_answer(opinion=opinion, by=request_member(request), **form.cleaned_data)
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
    segno.make(public_url(meeting), error="m").save(buf, kind="png", scale=10, border=2)
    return HttpResponse(buf.getvalue(), content_type="image/png")


@login_required
def opinion_poster(request, pk):
    meeting = get_for_user(request.user, "meetings.manage_opinions", Meeting.objects.select_related("branch"), pk=pk)
    return render(request, "meetings/opinion_poster.html", {"meeting": meeting, "public_url": public_url(meeting)})


@never_cache
@sensitive_post_parameters()
@ratelimit(key=client_ip_key, rate=PUBLIC_POST_RATES[0], method="POST", block=False, group="meetings.public_opinion.burst")
@ratelimit(key=client_ip_key, rate=PUBLIC_POST_RATES[1], method="POST", block=False, group="meetings.public_opinion.day")
@ratelimit(key=client_ip_key, rate="120/h", method="GET", block=False, group="meetings.public_opinion.view")
def public_opinion(request, token):
    """群众 give opinions without an account, through the printed QR code. Nothing about them is stored."""
    meeting = selectors.opinions.public_meeting(token=token)
    if meeting is None:
        return render(request, "meetings/public_opinion.html", {"missing": True}, status=404)
    context = {"meeting": meeting, "sent": request.GET.get("sent") == "1"}
    if not selectors.opinions.opinions_open(meeting=meeting):
        return render(request, "meetings/public_opinion.html", {**context, "closed": True}, status=410)
    if getattr(request, "limited", False):
        form = PublicOpinionForm(request.POST or None)
        form.is_valid()
        return render(request, "meetings/public_opinion.html", {**context, "form": form, "limited": True}, status=429)
    form = PublicOpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not d["website"]:
            services.opinions.opinion_submit(
                meeting=meeting, channel=Opinion.Channel.PUBLIC_LINK, text=d["text"],
                is_anonymous=not d["author_label"].strip(), author_label=d["author_label"], target_text=d["target_text"],
            )
        return redirect(reverse("meetings:public_opinion", args=[token]) + "?sent=1")
    return render(request, "meetings/public_opinion.html", {**context, "form": form}, status=400 if form.errors else 200)
