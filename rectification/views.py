import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from branchlife import xlsx
from branchlife.pdf import pdf_response
from branchlife.permissions import actor_of
from branchlife.views import apply_validation_error, get_for_user, int_or_none, paginate, search_text
from meetings.models import Meeting
from meetings.quality import measure_hints
from organizations.models import Organization

from . import pdfs, printing, recurrence, selectors, services
from .forms import (
    CloseForm,
    FollowUpForm,
    ItemForm,
    LedgerFilterForm,
    PrintJobForm,
    ProblemForm,
    ProblemMergeForm,
    ProblemThemeForm,
    ProgressForm,
    ReopenForm,
    SubmitForm,
)
from .models import Evidence, PrintJob, Problem, RectificationItem
from .themes import Theme

BRANCH = {"level": Organization.Level.BRANCH}


# ---------------------------------------------------------------- my items (a member, on a phone)
@login_required
def my_items(request):
    if not request.user.has_perm("rectification.use_my_items"):
        raise PermissionDenied
    member = actor_of(request.user).member
    items = list(selectors.my_items(member=member))
    # "this came back" (issue 20): the item's problems that repeat an earlier year's, in a fixed few queries
    came_back = recurrence.recurrences_of(p for i in items for p in i.problems.all())
    for i in items:
        i.came_back = [came_back[p.pk] for p in i.problems.all() if p.pk in came_back]
    return render(
        request,
        "rectification/my_items.html",
        {
            "member": member,
            "items": items,
            "open_count": sum(1 for i in items if i.status != RectificationItem.Status.CLOSED),
            "overdue_count": sum(1 for i in items if i.is_overdue),
            "can_view_ledger": request.user.has_perm("rectification.view_ledger", member.branch),
            "meeting": selectors.card_meeting(branch=member.branch),
        },
    )


@login_required
def my_card_pdf(request):
    if not request.user.has_perm("rectification.use_my_items"):
        raise PermissionDenied
    member = actor_of(request.user).member
    meeting = selectors.card_meeting(branch=member.branch)
    if meeting is None:
        raise Http404(_("还没有可打印的提醒卡。"))
    pdf = pdfs.render_cards(meeting=meeting, member_ids=[member.pk])
    return pdf_response(pdf, f"{member.name}-提醒卡.pdf")


# ---------------------------------------------------------------- a PDF now, or in the background
def _pdf_or_print_job(request, *, make_doc, filename: str, job: dict, title: str, back_url: str, finish=None):
    """A GET renders the PDF while it is small enough for one request (pdfs.Document.fits_in_request); a
    bigger one gets a page offering the background print job, whose button POSTs to the same URL to queue
    it. So a request never renders more than that, whatever members typed (issue 22)."""
    if request.method == "POST":
        return redirect("rectification:print_job", pk=services.print_job_create(user=request.user, **job).pk)
    doc = make_doc()
    if doc.fits_in_request:
        pdf = doc.render()
        return pdf_response(finish(pdf) if finish else pdf, filename)
    return render(
        request,
        "rectification/print_offer.html",
        {"title": title, "summary": doc.summary, "action": request.get_full_path(), "back_url": back_url},
    )


# ---------------------------------------------------------------- the ledger of a branch
@login_required
def ledger(request, pk):
    branch = get_for_user(request.user, "rectification.view_ledger", Organization, pk=pk, **BRANCH)
    form = LedgerFilterForm(request.GET or None, branch=branch)
    items = selectors.ledger_items(branch=branch, filters=form.filters())
    return render(
        request,
        "rectification/ledger.html",
        {
            "branch": branch,
            "form": form,
            "page": paginate(request, items, per_page=30),
            "counts": selectors.ledger_counts(branch=branch),
            "meetings": selectors.meetings_with_problems(branch=branch),
            # 新建整改事项 starts from the meeting whose problems are being rectified (the latest one with a
            # problem list), not the newest meeting, which is usually still in preparation (issue 24 item 9).
            "item_meeting": selectors.card_meeting(branch=branch),
            "can_manage": request.user.has_perm("rectification.manage_items", branch),
            "query": request.GET.urlencode(),
        },
    )


LEDGER_HEADERS = [
    gettext_lazy("序号"), gettext_lazy("整改事项"), gettext_lazy("对应问题"), gettext_lazy("问题来源"), gettext_lazy("整改目标"),
    gettext_lazy("整改措施"), gettext_lazy("责任人"), gettext_lazy("完成时限"), gettext_lazy("公开承诺"), gettext_lazy("状态"),
    gettext_lazy("是否逾期"), gettext_lazy("销号时间"),
]


def _ledger_rows(items):
    for n, item in enumerate(items, start=1):
        problems = list(item.problems.all())
        yield [
            n,
            item.title,
            "\n".join(p.text for p in problems),
            "、".join(dict.fromkeys(p.get_source_kind_display() for p in problems)),
            item.goal,
            item.measures,
            item.responsible.name,
            item.deadline,
            item.commitment,
            item.get_status_display(),
            _("是") if item.is_overdue else _("否"),
            item.closed_at,
        ]


@login_required
def ledger_export(request, pk):
    branch = get_for_user(request.user, "rectification.view_ledger", Organization, pk=pk, **BRANCH)
    form = LedgerFilterForm(request.GET or None, branch=branch)
    items = selectors.ledger_items(branch=branch, filters=form.filters())
    return xlsx.xlsx_response(
        filename=f"{branch.name}-整改台账.xlsx", title=_("整改台账"), headers=LEDGER_HEADERS, rows=_ledger_rows(items)
    )


@login_required
def ledger_pdf(request, pk):
    branch = get_for_user(request.user, "rectification.view_ledger", Organization, pk=pk, **BRANCH)
    filters = LedgerFilterForm(request.GET or None, branch=branch).filters()
    return _pdf_or_print_job(
        request,
        make_doc=lambda: pdfs.ledger_doc(branch=branch, filters=filters),
        filename=f"{branch.name}-整改台账.pdf",
        job={"organization": branch, "kind": PrintJob.Kind.LEDGER, "filters": dataclasses.asdict(filters)},
        title=_("%(name)s整改台账") % {"name": branch.name},
        back_url=reverse("rectification:ledger", args=[branch.pk]),
    )


# ---------------------------------------------------------------- the problem list of a meeting
def _meeting(request, pk, perm):
    return get_for_user(request.user, perm, Meeting.objects.select_related("branch"), pk=pk)


@login_required
def meeting_entry(request, pk):
    """会后整改 of a meeting (linked from the meeting's timeline): the list for readers, own items for members."""
    meeting = get_object_or_404(Meeting.objects.select_related("branch"), pk=pk)
    if request.user.has_perm("rectification.view_problem_list", meeting):
        return redirect("rectification:problem_list", pk=meeting.pk)
    if request.user.has_perm("rectification.view_own_items_of_meeting", meeting):
        return redirect("rectification:my_items")
    raise PermissionDenied


@login_required
def problem_list(request, pk):
    meeting = _meeting(request, pk, "rectification.view_problem_list")
    q = search_text(request)
    source = request.GET.get("source", "")
    source = source if source in Problem.SourceKind.values else ""
    theme = request.GET.get("theme", "")
    theme = theme if theme in Theme.values else ""
    problems = list(selectors.problem_list(meeting=meeting, search=q, source=source, theme=theme))
    came_back = recurrence.recurrences_of(problems)
    for p in problems:
        p.source_url = services.problem_source_url(p)
        p.came_back = came_back.get(p.pk)
    return render(
        request,
        "rectification/problem_list.html",
        {
            "meeting": meeting,
            "branch": meeting.branch,
            "problems": problems,
            "q": q,
            "source": source,
            "sources": Problem.SourceKind.choices,
            "theme": theme,
            "themes": Theme.choices,
            "came_back_count": len(came_back),
            "can_manage": request.user.has_perm("rectification.manage_problem_list", meeting),
            "can_make_items": request.user.has_perm("rectification.manage_items", meeting.branch),
        },
    )


@login_required
def problem_list_export(request, pk):
    meeting = _meeting(request, pk, "rectification.view_problem_list")
    rows = (
        [n, p.member.name if p.member else _("支部班子"), p.aspect, p.get_source_kind_display(), p.text, p.item_count]
        for n, p in enumerate(selectors.problem_list(meeting=meeting), start=1)
    )
    return xlsx.xlsx_response(
        filename=f"{meeting.branch.name}{meeting.year}年问题清单.xlsx",
        title=_("问题清单"),
        headers=[_("序号"), _("党员"), _("方面"), _("来源"), _("问题"), _("整改事项数")],
        rows=rows,
    )


@login_required
def problem_list_pdf(request, pk):
    meeting = _meeting(request, pk, "rectification.view_problem_list")
    name = f"{meeting.branch.name}{meeting.year}年问题清单"
    return _pdf_or_print_job(
        request,
        make_doc=lambda: pdfs.problem_list_doc(meeting=meeting),
        filename=f"{name}.pdf",
        job={"organization": meeting.branch, "kind": PrintJob.Kind.LIST, "meeting": meeting},
        title=name,
        back_url=reverse("rectification:problem_list", args=[meeting.pk]),
    )


@login_required
def cards_pdf(request, pk):
    meeting = _meeting(request, pk, "rectification.print_cards")
    layout = request.GET.get("layout", PrintJob.Layout.A6)
    layout = layout if layout in PrintJob.Layout.values else PrintJob.Layout.A6
    name = f"{meeting.branch.name}{meeting.year}年整改提醒卡{pdfs.layout_suffix(layout)}"
    return _pdf_or_print_job(
        request,
        make_doc=lambda: pdfs.meeting_cards_doc(meeting=meeting),
        finish=lambda pdf: pdfs.cards_in_layout(pdf, layout),
        filename=f"{name}.pdf",
        job={"organization": meeting.branch, "kind": PrintJob.Kind.CARDS, "meeting": meeting, "layout": layout},
        title=name,
        back_url=reverse("rectification:problem_list", args=[meeting.pk]),
    )


@login_required
def problem_add(request, pk):
    meeting = _meeting(request, pk, "rectification.manage_problem_list")
    form = ProblemForm(request.POST or None, branch=meeting.branch)
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_add(meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已添加问题。"))
            return redirect("rectification:problem_list", pk=meeting.pk)
    return render(
        request,
        "rectification/problem_form.html",
        {"meeting": meeting, "form": form, "title": _("添加问题")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def problem_edit(request, pk):
    problem = get_for_user(
        request.user, "rectification.manage_problem_list", Problem.objects.select_related("meeting__branch"), pk=pk
    )
    meeting = problem.meeting
    initial = {"member": problem.member, "aspect": problem.aspect, "text": problem.text}
    form = ProblemForm(request.POST or None, initial=initial, branch=meeting.branch)
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_update(problem=problem, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("rectification:problem_list", pk=meeting.pk)
    return render(
        request,
        "rectification/problem_form.html",
        {"meeting": meeting, "form": form, "problem": problem, "title": _("修改问题"),
         "source_url": services.problem_source_url(problem)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def problem_merge(request, pk):
    meeting = _meeting(request, pk, "rectification.manage_problem_list")
    form = ProblemMergeForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.problem_merge(target=form.cleaned_data["target"], others=list(form.cleaned_data["others"]))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已合并 %(n)s 条问题。") % {"n": n})
            return redirect("rectification:problem_list", pk=meeting.pk)
    return render(
        request,
        "rectification/problem_merge.html",
        {"meeting": meeting, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def problem_theme(request, pk):
    """The secretary corrects a line's theme on the problem list (issue 20); the correction is kept."""
    problem = get_for_user(
        request.user, "rectification.manage_problem_list", Problem.objects.select_related("meeting__branch"), pk=pk
    )
    form = ProblemThemeForm(request.POST)
    if form.is_valid():
        services.problem_theme_set(problem=problem, theme=form.cleaned_data["theme"])
        messages.success(request, _("已修改主题：%(theme)s。") % {"theme": problem.get_theme_display()})
    else:
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
    return redirect(f"{reverse('rectification:problem_list', args=[problem.meeting_id])}#problem-{problem.pk}")


@login_required
@require_POST
def problem_unmerge(request, pk):
    problem = get_for_user(
        request.user, "rectification.manage_problem_list", Problem.objects.select_related("meeting__branch"), pk=pk
    )
    services.problem_unmerge(problem=problem)
    messages.success(request, _("已取消合并。"))
    return redirect("rectification:problem_list", pk=problem.meeting_id)


# ---------------------------------------------------------------- items
@login_required
def item_create(request, pk):
    branch = get_for_user(request.user, "rectification.manage_items", Organization, pk=pk, **BRANCH)
    meeting = Meeting.objects.filter(branch=branch, pk=int_or_none(request.GET.get("meeting")) or 0).first()
    initial = {}
    problem_ids = request.GET.getlist("problem")
    if problem_ids:
        chosen = list(Problem.objects.filter(meeting__branch=branch, pk__in=[i for i in map(int_or_none, problem_ids) if i is not None]))
        initial["problems"] = chosen
        if chosen and chosen[0].member_id:
            initial["responsible"] = chosen[0].member_id
        if chosen:
            initial["title"] = chosen[0].text[:200]
    form = ItemForm(request.POST or None, initial=initial, branch=branch, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(branch=branch, meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已建立整改事项。"))
            _measure_hints(request, item.measures)
            return redirect("rectification:item_detail", pk=item.pk)
    return render(
        request,
        "rectification/item_form.html",
        {"branch": branch, "meeting": meeting, "form": form, "title": _("新建整改事项")},
        status=400 if request.method == "POST" else 200,
    )


def _measure_hints(request, measures: str) -> None:
    """The self-review's vague-wording hints, on a saved item's measures (issue 24 item 12): a warning, not a
    refusal — the secretary may keep the wording, but sees why it reads as a promise not kept."""
    for hint in measure_hints(measures):
        messages.warning(request, hint.message)


def _item(request, pk, perm):
    return get_for_user(request.user, perm, selectors.item_detail(pk=pk), pk=pk)


@login_required
def item_detail(request, pk):
    item = _item(request, pk, "rectification.view_item")
    return render(request, "rectification/item_detail.html", _item_context(request, item))


def _item_context(request, item, **forms):
    user = request.user
    problems = list(item.problems.all())
    for p in problems:
        p.source_url = services.problem_source_url(p)
    return {
        "item": item,
        "branch": item.branch,
        "problems": problems,
        "measures": selectors._split_measures(item.measures),
        "can_update": user.has_perm("rectification.update_item", item),
        "can_verify": user.has_perm("rectification.verify_item", item),
        "can_view_ledger": user.has_perm("rectification.view_ledger", item.branch),
        # The breadcrumb offers "我的整改事项" only on one's own item (a secretary reading a member's is in the ledger).
        "is_mine": item.responsible.user_id is not None and item.responsible.user_id == user.pk,
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "submit_form": forms.get("submit_form") or SubmitForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "Status": RectificationItem.Status,
    }


def _item_action(request, pk, perm, form_class, form_key, action, success):
    """POST-only item actions: permission → form → one service call → redirect (or the page with errors)."""
    item = _item(request, pk, perm)
    if request.method != "POST":
        return redirect("rectification:item_detail", pk=item.pk)
    form = form_class(request.POST, request.FILES or None)
    if form.is_valid():
        try:
            action(item, form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("rectification:item_detail", pk=item.pk)
    # A rule broken by the item's state (not by a field) is shown on top: the form may not be on the page.
    for error in form.non_field_errors():
        messages.error(request, error)
    item = selectors.item_detail(pk=item.pk).get()
    return render(request, "rectification/item_detail.html", _item_context(request, item, **{form_key: form}), status=400)


@login_required
def item_progress(request, pk):
    return _item_action(
        request, pk, "rectification.update_item", ProgressForm, "progress_form",
        lambda item, d: services.item_progress_post(item=item, actor=request.user, note=d["note"], files=d["files"]),
        _("已填报进展。"),
    )


@login_required
def item_submit(request, pk):
    return _item_action(
        request, pk, "rectification.update_item", SubmitForm, "submit_form",
        lambda item, d: services.item_submit(item=item, actor=request.user, note=d["note"]),
        _("已申请核验，请等待支部书记核验销号。"),
    )


@login_required
def item_close(request, pk):
    return _item_action(
        request, pk, "rectification.verify_item", CloseForm, "close_form",
        lambda item, d: services.rectification_item_close(item=item, actor=request.user, note=d["note"]),
        _("已核验销号。"),
    )


@login_required
def item_reopen(request, pk):
    return _item_action(
        request, pk, "rectification.verify_item", ReopenForm, "reopen_form",
        lambda item, d: services.item_reopen(item=item, actor=request.user, reason=d["reason"]),
        _("已退回，事项回到整改中。"),
    )


@login_required
def item_follow_up(request, pk):
    return _item_action(
        request, pk, "rectification.verify_item", FollowUpForm, "follow_up_form",
        lambda item, d: services.follow_up_record(item=item, actor=request.user, **d),
        _("已记录回头看。"),
    )


@login_required
def item_edit(request, pk):
    item = _item(request, pk, "rectification.manage_items")
    form = ItemForm(request.POST or None, instance=item, branch=item.branch, meeting=item.meeting)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        problems = list(data.pop("problems"))
        # the ModelForm wrote the new values onto `item`; the service compares against the stored row
        try:
            services.item_update(item=item, actor=request.user, problems=problems, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存修改。"))
            _measure_hints(request, item.measures)
            return redirect("rectification:item_detail", pk=item.pk)
    return render(
        request,
        "rectification/item_form.html",
        {"branch": item.branch, "meeting": item.meeting, "form": form, "item": item, "title": _("修改整改事项")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def evidence_download(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("progress__item__branch"), pk=pk)
    if not request.user.has_perm("rectification.view_item", evidence.progress.item):
        raise PermissionDenied
    try:
        fh = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(fh, content_type=evidence.content_type, as_attachment=True, filename=evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- background printing
@login_required
def print_job_start(request, pk):
    org = get_for_user(request.user, "rectification.start_print_job", Organization, pk=pk)
    form = PrintJobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = services.print_job_create(user=request.user, organization=org, **form.cleaned_data)
        return redirect("rectification:print_job", pk=job.pk)
    return render(
        request,
        "rectification/print_job_start.html",
        {"org": org, "form": form, "jobs": selectors.print_jobs_of(user=request.user)[:10]},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def print_job(request, pk):
    job = get_for_user(request.user, "rectification.view_print_job", PrintJob.objects.select_related("organization"), pk=pk)
    return render(request, "rectification/print_job.html", {"job": job, "status": _job_status(job)})


def _job_status(job: PrintJob) -> dict:
    return {
        "status": job.status,
        "status_display": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "pages": job.pages,
        "error": job.error,
        "download_url": reverse("rectification:print_job_download", args=[job.pk])
        if job.status == PrintJob.Status.DONE
        else "",
    }


@login_required
def print_job_status(request, pk):
    job = get_for_user(request.user, "rectification.view_print_job", PrintJob, pk=pk)
    response = JsonResponse(_job_status(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def print_job_download(request, pk):
    job = get_for_user(request.user, "rectification.view_print_job", PrintJob.objects.select_related("organization"), pk=pk)
    if job.status != PrintJob.Status.DONE or not job.result:
        raise Http404(_("文件尚未生成。"))
    try:
        fh = job.result.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(fh, content_type="application/pdf", as_attachment=True, filename=printing.filename_for(job))
