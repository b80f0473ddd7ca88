"""Word (.docx) and 公文 PDF downloads of the report, the minutes, a self-review, the problem list and the
ledger. Each asks the permission of the page it is linked from, takes its 公文 options from the query string
(?red_header=1/0, ?doc_number=…) and answers bad options with the options page, what was typed kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.pdf import pdf_response, render_pdf
from branchlife.views import get_for_user
from branchlife.xlsx import attachment
from meetings.models import Meeting, SelfReview
from organizations.models import Organization
from rectification.forms import LedgerFilterForm

from . import gongwen, selectors, word
from .forms import GongwenForm

MEETINGS = Meeting.objects.select_related("branch")


@dataclass
class Source:
    """One kind of document: how to fetch its object for this user, build it, and return to its page."""

    label: str
    fetch: Callable  # (request, pk) -> object, 404/403 as its page
    build: Callable  # (request, object) -> selectors.Doc
    back: Callable  # object -> the page's URL
    pdf: bool = False  # also offered as a 公文 PDF


def _ledger_branch(request, pk):
    return get_for_user(request.user, "rectification.view_ledger", Organization, pk=pk, level=Organization.Level.BRANCH)


def _ledger(request, branch):
    # The ledger as filtered on its page: the same filter form reads the same query string.
    return selectors.ledger_document(branch=branch, filters=LedgerFilterForm(request.GET or None, branch=branch).filters())


SOURCES = {
    "report": Source(
        _("情况报告"),
        lambda request, pk: get_for_user(request.user, "meetings.view_report", MEETINGS, pk=pk),
        lambda request, meeting: selectors.report_document(meeting=meeting),
        lambda meeting: reverse("meetings:report", args=[meeting.pk]),
        pdf=True,
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
    ),
    "ledger": Source(
        _("整改台账"),
        _ledger_branch,
        _ledger,
        lambda branch: reverse("rectification:ledger", args=[branch.pk]),
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
    if fmt == "pdf" and not source.pdf:
        raise Http404
    obj = source.fetch(request, pk)
    form = GongwenForm(request.GET)
    if not form.is_valid():
        return _options_page(request, kind, source, obj, form, status=400)
    doc = source.build(request, obj)
    context = {**doc.context, "gw": form.options(branch=doc.branch, day=timezone.localdate())}
    if fmt == "pdf":
        content = render_pdf(
            "documents/gongwen_pdf.html",
            {**context, "template": doc.template, "g": gongwen.layout(), "landscape": doc.landscape, "doc_title": doc.title},
        )
        return pdf_response(content, f"{doc.filename_stem}.pdf")
    html = render_to_string(doc.template, context)
    content = word.html_to_docx(html, title=doc.title, author=context["gw"].organ, landscape=doc.landscape)
    return attachment(content, f"{doc.filename_stem}.docx", word.DOCX_MIME)


@login_required
def download_docx(request, kind, pk):
    return _download(request, kind, pk, "docx")


@login_required
def download_pdf(request, kind, pk):
    return _download(request, kind, pk, "pdf")
