"""The five documents an office files, each drawn from the same selectors as its page (enter once, report
many): nothing here decides what a report says, only how it is laid out.

A `Doc` is a template and its context. The template renders plain HTML (h1 title, h2/h3 headings, p,
table) that the Word writer (documents/word.py) and the 公文 PDF (templates/documents/gongwen_pdf.html) both
read, so the Word file and the PDF of a document never say different things — except that the PDF of the
list and the ledger prints each text up to its bound, as rectification's own PDFs do (issue 22).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from lifecycle import selectors as lifecycle_selectors
from meetings import selectors as meeting_selectors
from meetings.models import Meeting, SelfReview
from organizations.models import Organization
from rectification import pdfs as rectification_pdfs
from rectification import selectors as rectification_selectors


@dataclass
class Doc:
    template: str
    context: dict
    title: str
    branch: Organization
    landscape: bool = False
    filename: str = ""  # without extension; the title when empty
    # The list's and ledger's rectification.pdfs.Document: its size against what a request may render decides
    # whether their PDF is rendered now or queued as a print job (fits_in_request, the one rule), and its
    # context holds the clipped texts (print_text …) that every PDF prints. None: always rendered now.
    printed: rectification_pdfs.Document | None = None

    @property
    def filename_stem(self) -> str:
        return self.filename or self.title


def meeting_title(meeting: Meeting) -> str:
    """"2026年度组织生活会" / "2026年度专题组织生活会（主题）": Meeting.title, the one place that names a meeting
    (issue 19 item 3), so that every document names it as the pages do."""
    return meeting.title


def report_document(*, meeting: Meeting) -> Doc:
    """情况报告: the report page's own body (meetings/_report_body.html) from lifecycle.selectors.meeting_report."""
    report = lifecycle_selectors.meeting_report(meeting=meeting)
    title = _("%(branch)s%(meeting)s情况报告") % {"branch": meeting.branch.name, "meeting": report.meeting_title}
    return Doc("documents/report.html", {"meeting": meeting, "r": report}, title, meeting.branch)


def record_document(*, meeting: Meeting, user) -> Doc:
    """会议记录: the whole record as the meeting page shows it to those who see all of it."""
    record = meeting_selectors.meeting_record(meeting=meeting, user=user, see_all=True)
    report = lifecycle_selectors.meeting_report(meeting=meeting)
    title = _("%(branch)s%(meeting)s会议记录") % {"branch": meeting.branch.name, "meeting": meeting_title(meeting)}
    # Only those with something recorded get a numbered section, so the numbers run without gaps.
    speakers = [
        s for s in record.speakers
        if s.self_criticism or s.received or s.claims or s.commitments or (s.comment and s.comment.text)
    ]
    return Doc(
        "documents/record.html",
        {"meeting": meeting, "record": record, "r": report, "speakers": speakers, "recorders": list(meeting.recorders.all())},
        title,
        meeting.branch,
    )


def self_review_document(*, review: SelfReview) -> Doc:
    """对照检查材料: a member's (or the committee's) self-review as its page shows it."""
    meeting = review.meeting
    who = review.member.name if review.member_id else _("支部班子")
    title = _("%(who)s对照检查材料") % {"who": who}
    context = {
        "review": review,
        "meeting": meeting,
        "meeting_title": meeting_title(meeting),
        "problems": list(review.problems.order_by("position", "id")),
        "who": who,
    }
    return Doc("documents/self_review.html", context, title, meeting.branch,
               filename=_("%(who)s-%(meeting)s对照检查材料") % {"who": who, "meeting": meeting_title(meeting)})


def problem_list_document(*, meeting: Meeting) -> Doc:
    """问题清单: the list as rectification prints it (rectification.pdfs.problem_list_doc groups it), whole
    texts: a Word file is edited and archived, not rendered against a request's time limit."""
    printed = rectification_pdfs.problem_list_doc(meeting=meeting)
    context = dict(printed.context)
    context["meeting_title"] = meeting_title(meeting)
    title = _("%(branch)s问题清单") % {"branch": meeting.branch.name}
    return Doc("documents/problem_list.html", context, title, meeting.branch,
               filename=_("%(branch)s%(meeting)s问题清单") % {"branch": meeting.branch.name, "meeting": meeting_title(meeting)},
               printed=printed)


def ledger_document(*, branch: Organization, filters: rectification_selectors.LedgerFilters | None = None) -> Doc:
    """整改台账: the ledger as filtered on its page (rectification.selectors.ledger_items), in landscape."""
    printed = rectification_pdfs.ledger_doc(branch=branch, filters=filters)
    context = dict(printed.context)
    title = _("%(branch)s整改台账") % {"branch": branch.name}
    return Doc("documents/ledger.html", context, title, branch, landscape=True, printed=printed)
