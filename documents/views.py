"""Word (.docx) and 公文 PDF downloads of the report, the minutes, a self-review, the problem list and the
ledger. Each asks the permission of the page it is linked from, takes its 公文 options from the query string
(?red_header=1/0, ?doc_number=…) and answers bad options with the options page, what was typed kept.

The PDF of a problem list or ledger too big for one request (rectification's rule, pdfs.Document.fits_in_request)
is not rendered: a GET answers with rectification's page offering the print job, whose button POSTs to the same
URL, which queues it (rectification.printing.styled_job_create) and opens the job's progress page."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from branchlife.pdf import pdf_response
from branchlife.views import get_for_user
from branchlife.xlsx import attachment
from meetings.models import Meeting, SelfReview
from organizations.models import Organization
from rectification import printing
from rectification.forms import LedgerFilterForm
from rectification.models import PrintJob

from . import gongwen, pdf, selectors, word
from .forms import GongwenForm

MEETINGS = Meeting.objects.select_related("branch")


@dataclass
class Source:
    """One kind of document: how to fetch its object for this user, build it, and return to its page."""

    label: str
    fetch: Callable  # (request, pk) -> object, 404/403 as its page
    build: Callable  # (request, object) -> selectors.Doc
    back: Callable  # object -> the page's URL
    # (request, object) -> services.print_job_create's arguments, for a PDF too big for a request (list, ledger)
    job: Callable | None = None


def _ledger_branch(request, pk):
    return get_for_user(request.user, "rectification.view_ledger", Organization, pk=pk, level=Organization.Level.BRANCH)


def _ledger_filters(request, branch):
    # The ledger as filtered on its page: the same filter form reads the same query string.
    return LedgerFilterForm(request.GET or None, branch=branch).filters()


def _ledger(request, branch):
    return selectors.ledger_document(branch=branch, filters=_ledger_filters(request, branch))


def _ledger_job(request, branch):
    filters = dataclasses.asdict(_ledger_filters(request, branch))
    return {"organization": branch, "kind": PrintJob.Kind.LEDGER, "filters": filters}


SOURCES = {
    "report": Source(
        _("情况报告"),
        lambda request, pk: get_for_user(request.user, "meetings.view_report", MEETINGS, pk=pk),
        lambda request, meeting: selectors.report_document(meeting=meeting),
        lambda meeting: reverse("meetings:report", args=[meeting.pk]),
    ),
    "record": Source(
        _("会议记录"),
        lambda request, pk: get_for_user(request.user, "documents.download_record", MEETINGS, pk=pk),
        lambda request, meeting: selectors.record_document(meeting=meeting, user=request.user),
        lambda meeting: reverse("meetings:meeting_detail", args=[meeting.pk]),
    ),
    "self-review": Source(
        _("对照检查材料"),
        lambda request, pk: get_for_user(
            request.user, "meetings.view_self_review", SelfReview.objects.select_related("meeting__branch", "member"), pk=pk
        ),
        lambda request, review: selectors.self_review_document(review=review),
        lambda review: reverse("meetings:selfreview_detail", args=[review.pk]),
    ),
    "problems": Source(
        _("问题清单"),
        lambda request, pk: get_for_user(request.user, "rectification.view_problem_list", MEETINGS, pk=pk),
        lambda request, meeting: selectors.problem_list_document(meeting=meeting),
        lambda meeting: reverse("rectification:problem_list", args=[meeting.pk]),
        lambda request, meeting: {"organization": meeting.branch, "kind": PrintJob.Kind.LIST, "meeting": meeting},
    ),
    "ledger": Source(
        _("整改台账"),
        _ledger_branch,
        _ledger,
        lambda branch: reverse("rectification:ledger", args=[branch.pk]),
        _ledger_job,
    ),
}


def _source(kind: str) -> Source:
    if kind not in SOURCES:
        raise Http404
    return SOURCES[kind]


def _branch_of(obj) -> Organization:
    if isinstance(obj, Organization):
        return obj
    meeting = obj.meeting if isinstance(obj, SelfReview) else obj
    return meeting.branch


def _options_page(request, kind, source, obj, form, status=200):
    return render(
        request,
        "documents/options.html",
        {
            "kind": kind, "source": source, "form": form, "back_url": source.back(obj), "pk": obj.pk,
            "red_header_default": gongwen.red_header_default(_branch_of(obj)),
            # The ledger's filters travel with the options, so the Word file is the list the page showed.
            "carry": [(key, value) for key, values in request.GET.lists() if key not in form.fields for value in values],
        },
        status=status,
    )


@login_required
def options(request, kind, pk):
    """The 公文 options (红头, 发文字号) of one document before downloading it."""
    source = _source(kind)
    obj = source.fetch(request, pk)
    return _options_page(request, kind, source, obj, GongwenForm(initial=request.GET.dict()))


def _download(request, kind, pk, fmt):
    source = _source(kind)
    if request.method == "POST" and source.job is None:
        return HttpResponseNotAllowed(["GET"])  # only a list's or ledger's PDF is ever queued
    obj = source.fetch(request, pk)
    form = GongwenForm(request.GET)
    if not form.is_valid():
        return _options_page(request, kind, source, obj, form, status=400)
    doc = source.build(request, obj)
    gw = form.options(branch=doc.branch, day=timezone.localdate())
    if fmt == "pdf":
        if request.method == "POST":
            job = printing.styled_job_create(
                user=request.user, style=PrintJob.Style.GONGWEN, options=pdf.job_options(doc, gw), **source.job(request, obj)
            )
            return redirect("rectification:print_job", pk=job.pk)
        if doc.printed is not None and not doc.printed.fits_in_request:
            return _print_offer(request, source, obj, doc)
        return pdf_response(pdf.render(doc, gw), f"{doc.filename_stem}.pdf")
    html = render_to_string(doc.template, {**doc.context, "gw": gw})
    content = word.html_to_docx(html, title=doc.title, author=gw.organ, landscape=doc.landscape)
    return attachment(content, f"{doc.filename_stem}.docx", word.DOCX_MIME)


def _print_offer(request, source, obj, doc):
    """rectification's page offering the background print job; its button POSTs to this same URL (a GET
    never writes), the query string (options, ledger filters) kept."""
    return render(
        request,
        "rectification/print_offer.html",
        {
            "title": gettext("%(title)s（公文版 PDF）") % {"title": doc.title},
            "summary": doc.printed.summary,
            "action": request.get_full_path(),
            "back_url": source.back(obj),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def download_docx(request, kind, pk):
    return _download(request, kind, pk, "docx")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def download_pdf(request, kind, pk):
    return _download(request, kind, pk, "pdf")
