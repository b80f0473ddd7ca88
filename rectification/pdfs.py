"""The three PDFs of "一单、一卡、一台账": problem list, reminder cards, ledger (WeasyPrint via branchlife.pdf)."""

from __future__ import annotations

import io
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife import pdf
from branchlife.pdf import html_to_pdf, render_html

from . import selectors
from .models import PrintJob


def my_items_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("rectification:my_items")


# One QR per document, the same on every card.
_qr_png = lru_cache(maxsize=8)(pdf.qr_data_uri)


def qr_data_uri(url: str | None = None) -> str:
    return _qr_png(url or my_items_url())


def cards_html(*, cards: list[selectors.Card], branch_name: str) -> str:
    url = my_items_url()
    return render_html(
        "rectification/pdf/cards.html",
        {
            "cards": cards,
            "branch_name": branch_name,
            "qr": qr_data_uri(url),
            "qr_url": url,
            "motto": _("卡片发到手,整改记心头,落实看行动"),
            "qr_label": _("扫码查看、更新我的整改事项"),
        },
    )


def render_cards(*, meeting, member_ids: list[int] | None = None) -> bytes:
    cards = selectors.cards_for_meeting(meeting=meeting, member_ids=member_ids)
    return html_to_pdf(cards_html(cards=cards, branch_name=meeting.branch.name))


def render_problem_list(*, meeting) -> bytes:
    problems = list(selectors.problem_list(meeting=meeting))
    branch_lines = [p for p in problems if p.member_id is None]
    by_member: dict[int, dict] = {}
    for p in problems:
        if p.member_id is None:
            continue
        entry = by_member.setdefault(p.member_id, {"member": p.member, "problems": []})
        entry["problems"].append(p)
    return html_to_pdf(
        render_html(
            "rectification/pdf/problem_list.html",
            {
                "meeting": meeting,
                "branch": meeting.branch,
                "branch_lines": branch_lines,
                "members": sorted(by_member.values(), key=lambda e: (e["member"].name, e["member"].pk)),
                "total": len(problems),
                "printed_on": timezone.localdate(),
            },
        )
    )


def render_ledger(*, branch, filters: selectors.LedgerFilters | None = None) -> bytes:
    items = list(selectors.ledger_items(branch=branch, filters=filters))
    return html_to_pdf(
        render_html(
            "rectification/pdf/ledger.html",
            {
                "branch": branch,
                "items": items,
                "counts": selectors.ledger_counts(branch=branch),
                "printed_on": timezone.localdate(),
            },
        )
    )


def merge_pdfs(parts: list[bytes]) -> bytes:
    """Concatenate PDFs with pypdf (pdfunite blew the size up, PDF.md); shared fonts are not re-embedded twice
    when identical objects are deduplicated by compress_identical_objects."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    try:
        writer.compress_identical_objects()
    except Exception:  # an optimisation only; an older pypdf without it still merges correctly
        pass
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


MM = 72 / 25.4  # PDF points per millimetre


@lru_cache(maxsize=1)
def _cut_guides() -> bytes:
    # One A4 page with dashed lines where the sheet is cut; laid over every sheet (made once per process).
    return html_to_pdf(render_html("rectification/pdf/cut_guides.html", {}))


def impose_four_up(pdf: bytes) -> bytes:
    """Lay the A6 card pages (front, back, front, back …) four cards to an A4 sheet.

    Each sheet is two pages: the fronts of four cards in reading order, then their backs with left and
    right swapped, so that printing double-sided with a long-edge flip puts each card's back behind its
    front. A last sheet with fewer than four cards leaves its other places blank."""
    from pypdf import PdfReader, PdfWriter, Transformation

    pages = PdfReader(io.BytesIO(pdf)).pages
    if len(pages) % 2:
        raise ValueError("reminder cards come as front/back pairs")
    sheet_w, sheet_h = 210 * MM, 297 * MM
    guides = PdfReader(io.BytesIO(_cut_guides())).pages[0]
    writer = PdfWriter()

    def place(sheet, page, slot: int) -> None:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        col, row = slot % 2, slot // 2
        sheet.merge_transformed_page(page, Transformation().translate(col * w, sheet_h - (row + 1) * h))

    cards = [(pages[i], pages[i + 1]) for i in range(0, len(pages), 2)]
    for start in range(0, len(cards), 4):
        group = cards[start:start + 4]
        front = writer.add_blank_page(width=sheet_w, height=sheet_h)
        back = writer.add_blank_page(width=sheet_w, height=sheet_h)
        for slot, (card_front, card_back) in enumerate(group):
            place(front, card_front, slot)
            place(back, card_back, slot ^ 1)  # the mirror place: 0↔1, 2↔3
        front.merge_page(guides)
        back.merge_page(guides)
    try:
        writer.compress_identical_objects()
    except Exception:  # an optimisation only
        pass
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def layout_suffix(layout: str) -> str:
    """What a cards file name says about its layout: nothing for A6, "(A4四合一)" for four to a sheet."""
    return "(A4四合一)" if layout == PrintJob.Layout.A4 else ""


def cards_in_layout(pdf: bytes, layout: str) -> bytes:
    """The A6 card pages as they are, or four to an A4 sheet (PrintJob.Layout)."""
    return impose_four_up(pdf) if layout == PrintJob.Layout.A4 else pdf


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
