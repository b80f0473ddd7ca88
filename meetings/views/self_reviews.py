"""Views of 对照检查材料."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branchlife import xlsx
from branchlife.views import apply_validation_error, get_for_user, int_or_none

from .. import selectors, services
from ..forms.self_reviews import (
    ProblemFormSet,
    ReviewDecisionForm,
    SelfReviewFilterForm,
    SelfReviewForm,
)
from ..models import Meeting, SelfReview
from .common import error_messages, error_text, perm_flags, request_member


@login_required
def selfreview_list(request, pk):
    meeting = get_for_user(request.user, "meetings.list_self_reviews", Meeting.objects.select_related("branch"), pk=pk)
    form = SelfReviewFilterForm(request.GET or None)
    status = search = ""
    if request.GET and form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"].strip()
    members = selectors.plan.meeting_members(meeting=meeting)
    all_rows = selectors.self_reviews.self_review_rows(meeting=meeting, members=members)
    rows = selectors.self_reviews.self_review_rows(meeting=meeting, members=members, status=status, search=search) if (status or search) else all_rows
    done = sum(1 for _m, r in all_rows if r and r.status in SelfReview.DONE_STATUSES)
    return render(
        request,
        "meetings/selfreview_list.html",
        {
            "meeting": meeting, "rows": rows, "filter_form": form, "done": done, "total": len(all_rows),
            "committee": selectors.self_reviews.committee_review(meeting=meeting), **perm_flags(request.user, meeting),
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
    for m in selectors.plan.meeting_members(meeting=meeting):
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
    review = services.self_reviews.self_review_get_or_create(meeting=meeting, member=request_member(request))
    if review.is_editable and meeting.closed_at is None:
        return redirect("meetings:selfreview_edit", pk=review.pk)
    return redirect("meetings:selfreview_detail", pk=review.pk)


@login_required
def selfreview_committee(request, pk):
    meeting = get_for_user(request.user, "meetings.review_self_reviews", Meeting.objects.select_related("branch"), pk=pk)
    review = services.self_reviews.self_review_get_or_create(meeting=meeting, member=None)
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


def _problem_inputs(formset) -> list[services.self_reviews.ProblemInput]:
    return [
        services.self_reviews.ProblemInput(aspect=f.cleaned_data.get("aspect", ""), text=f.cleaned_data.get("text", ""), measure=f.cleaned_data.get("measure", ""))
        for f in formset.forms
        if f.cleaned_data
    ]


def _save_draft(review, form, formset, base_version, device=""):
    return services.self_reviews.self_review_save_draft(
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
                    services.self_reviews.self_review_submit(review=review)
                    messages.success(request, _("对照检查材料已提交，等待书记审核。"))
                    return redirect("meetings:selfreview_detail", pk=review.pk)
                messages.success(request, _("草稿已保存。"))
                return redirect("meetings:selfreview_edit", pk=review.pk)
            except services.self_reviews.StaleDraft:
                errors.append(_("这份材料已在其他设备上更新。您输入的内容仍在本页，请复制保存后刷新页面。"))
            except ValidationError as exc:
                errors.extend(error_messages(exc))
                review.refresh_from_db()
        else:
            errors.append(_("请检查下面标红的内容。"))
    hints = selectors.self_reviews.self_review_hints(review=review)
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
    except services.self_reviews.StaleDraft as exc:
        return JsonResponse(
            {"ok": False, "stale": True, "version": exc.review.version, "error": _("这份材料已在其他设备上更新，请刷新页面后再改。")},
            status=409,
        )
    except ValidationError as exc:
        return JsonResponse({"ok": False, "error": error_text(error_messages(exc))}, status=409)
    hints = selectors.self_reviews.review_hints(
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
                    services.self_reviews.self_review_return(review=review, comment=form.cleaned_data["comment"])
                    messages.info(request, _("已退回 %(name)s 修改。") % {"name": review.member.name})
                else:
                    services.self_reviews.self_review_approve(review=review, comment=form.cleaned_data["comment"])
                    messages.success(request, _("已审核通过。"))
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                # On to the next one waiting for a decision, not back to the list (issue 24 item 15).
                following = selectors.self_reviews.self_review_neighbours(review=review).next_waiting
                if following is not None:
                    return redirect("meetings:selfreview_detail", pk=following.pk)
                messages.info(request, _("所有已提交的对照检查材料都已审核。"))
                return redirect("meetings:selfreview_list", pk=review.meeting_id)
    return render(
        request,
        "meetings/selfreview_detail.html",
        {
            "review": review, "meeting": review.meeting, "problems": review.problems.all(),
            "neighbours": selectors.self_reviews.self_review_neighbours(review=review) if can_review else None,
            "hints": selectors.self_reviews.self_review_hints(review=review), "form": form, "can_review": can_review,
            "can_edit": request.user.has_perm("meetings.edit_self_review", review),
        },
        status=400 if form.errors else 200,
    )
