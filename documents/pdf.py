"""The 公文 PDF of a document: its template inside templates/documents/gongwen_pdf.html (GB/T 9704 through
WeasyPrint, Noto Serif / Sans CJK SC embedded), rendered by the download itself or, for a problem list or
ledger too big for one request, by rectification's print job (registered in apps.py as the "gongwen" style
of rectification.printing).

A job keeps what the download asked for (`job_options`): the 红头 as decided for the branch, the 发文字号,
the day of the request (the document's date), the file name and the language, so the PDF a worker prints
later is the one the request would have printed.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from branchlife.pdf import render_pdf

from . import gongwen, selectors


def render(doc: selectors.Doc, gw: gongwen.Options) -> bytes:
    return render_pdf(
        "documents/gongwen_pdf.html",
        {
            **doc.context,
            "gw": gw,
            "template": doc.template,
            "g": gongwen.layout(),
            "landscape": doc.landscape,
            "doc_title": doc.title,
            # the list and ledger print their clipped texts, as every PDF does (rectification.pdfs.clip)
            "clipped": doc.printed is not None,
        },
    )


def job_options(doc: selectors.Doc, gw: gongwen.Options) -> dict:
    """What a print job keeps of a download's options (PrintJob.options, JSON)."""
    return {
        "red_header": gw.red_header,
        "doc_number": gw.doc_number,
        "day": gw.day.isoformat() if gw.day else "",
        "filename": f"{doc.filename_stem}.pdf",
        "language": translation.get_language() or "",
    }


def job_render(*, obj_id: int, kind: str, filters: dict | None, options: dict) -> bytes:
    """A print job's part (rectification.printing.render_chunk): the 公文 PDF of one meeting's problem list
    (kind "list", obj_id the meeting) or one branch's ledger ("ledger", obj_id the branch, with its filters)."""
    from meetings.models import Meeting
    from organizations.models import Organization
    from rectification.selectors import LedgerFilters

    language = options.get("language") or translation.get_language()
    with translation.override(language):
        if kind == "list":
            doc = selectors.problem_list_document(meeting=Meeting.objects.select_related("branch").get(pk=obj_id))
        elif kind == "ledger":
            doc = selectors.ledger_document(
                branch=Organization.objects.get(pk=obj_id), filters=LedgerFilters(**filters) if filters else None
            )
        else:
            raise ValueError(f"no 公文 layout for {kind!r}")
        gw = gongwen.Options(
            red_header=bool(options.get("red_header")),
            doc_number=options.get("doc_number", ""),
            organ=gongwen.organ_name(doc.branch),
            day=dt.date.fromisoformat(options["day"]) if options.get("day") else None,
        )
        return render(doc, gw)

