"""The three PDFs of "一单、一卡、一台账": problem list, reminder cards, ledger (WeasyPrint via branchlife.pdf).

Each is first a `Document` (template, context, size) and then bytes: the views render a document inside the
request only while its size is within its limit, and offer the background print job beyond (issue 22).
The sizes are bounded whatever members type: every printed text is clipped (`clip`), every card is two
pages, and the tables use a fixed layout, so that the time to render grows with the text, not its square.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife import pdf
from branchlife.pdf import html_to_pdf, render_html

from . import selectors
from .models import ITEM_COMMITMENT_MAX, ITEM_GOAL_MAX, ITEM_MEASURES_MAX, PROBLEM_TEXT_MAX, PrintJob

# What one request renders itself; a bigger PDF goes to the background print job. Sizes are in printed
# characters (a table row counts ROW_CHARS more: borders, padding, short cells) or in cards. Measured with
# benchmarks/bench_problem_pdf.py (2 cores, CPU time): a list at its limit takes about 0.7 s, a ledger
# about 2.5 s (its narrow columns cost three times as much per character; the demo's 96 items, 14,800,
# take 2 s), 40 cards about 2.3 s.
LIST_INLINE_MAX_CHARS = 24_000
LEDGER_INLINE_MAX_CHARS = 20_000
CARDS_INLINE_MAX = 40
ROW_CHARS = 60
# A problem in a ledger row only recalls what the item answers: its first sentences are enough.
LEDGER_PROBLEM_MAX = 200


def clip(text: str, limit: int) -> str:
    """The text as printed: whole up to `limit` characters, else its first `limit` and a pointer to the rest."""
    text = text or ""
    return text if len(text) <= limit else text[:limit] + _("……（全文见系统）")


@dataclass
class Document:
    """A PDF before rendering: the template and its context, and how big it is against what a request may
    render (`limit`, in the same unit as `size`)."""

    template: str
    context: dict
    size: int
    limit: int
    summary: str = ""  # what is in it, for the page that offers the print job ("共 120 条问题")

    @property
    def fits_in_request(self) -> bool:
        return self.size <= self.limit

    def html(self) -> str:
        return render_html(self.template, self.context)

    def render(self) -> bytes:
        return html_to_pdf(self.html())


def my_items_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("rectification:my_items")


# One QR per document, the same on every card.
_qr_png = lru_cache(maxsize=8)(pdf.qr_data_uri)


def qr_data_uri(url: str | None = None) -> str:
    return _qr_png(url or my_items_url())


def cards_doc(*, cards: list[selectors.Card], branch_name: str) -> Document:
    url = my_items_url()
    context = {
        "cards": cards,
        "branch_name": branch_name,
        "qr": qr_data_uri(url),
        "qr_url": url,
        "motto": _("卡片发到手，整改记心头，落实看行动"),
        "qr_label": _("扫码查看、更新我的整改事项"),
    }
    # A card is two A6 pages whatever its text (selectors.Card.fit): the size is the number of cards.
    return Document("rectification/pdf/cards.html", context, size=len(cards), limit=CARDS_INLINE_MAX,
                    summary=_("共 %(n)s 张提醒卡") % {"n": len(cards)})


def cards_html(*, cards: list[selectors.Card], branch_name: str) -> str:
    return cards_doc(cards=cards, branch_name=branch_name).html()


def meeting_cards_doc(*, meeting, member_ids: list[int] | None = None) -> Document:
    cards = selectors.cards_for_meeting(meeting=meeting, member_ids=member_ids)
    return cards_doc(cards=cards, branch_name=meeting.branch.name)


def render_cards(*, meeting, member_ids: list[int] | None = None) -> bytes:
    return meeting_cards_doc(meeting=meeting, member_ids=member_ids).render()


def problem_list_doc(*, meeting) -> Document:
    problems = list(selectors.problem_list(meeting=meeting))
    size = 0
    for p in problems:
        p.print_text = clip(p.text, PROBLEM_TEXT_MAX)
        size += len(p.print_text) + len(p.aspect) + ROW_CHARS
    branch_lines = [p for p in problems if p.member_id is None]
    by_member: dict[int, dict] = {}
    for p in problems:
        if p.member_id is None:
            continue
        entry = by_member.setdefault(p.member_id, {"member": p.member, "problems": []})
        entry["problems"].append(p)
    context = {
        "meeting": meeting,
        "branch": meeting.branch,
        "branch_lines": branch_lines,
        "members": sorted(by_member.values(), key=lambda e: (e["member"].name, e["member"].pk)),
        "total": len(problems),
        "printed_on": timezone.localdate(),
    }
    return Document("rectification/pdf/problem_list.html", context, size=size, limit=LIST_INLINE_MAX_CHARS,
                    summary=_("共 %(n)s 条问题") % {"n": len(problems)})


def render_problem_list(*, meeting) -> bytes:
    return problem_list_doc(meeting=meeting).render()


def ledger_doc(*, branch, filters: selectors.LedgerFilters | None = None) -> Document:
    items = list(selectors.ledger_items(branch=branch, filters=filters))
    size = 0
    for item in items:
        item.print_goal = clip(item.goal, ITEM_GOAL_MAX)
        item.print_measures = clip(item.measures, ITEM_MEASURES_MAX)
        item.print_commitment = clip(item.commitment, ITEM_COMMITMENT_MAX)
        item.print_problems = [clip(p.text, LEDGER_PROBLEM_MAX) for p in item.problems.all()]
        size += ROW_CHARS + sum(
            map(len, [item.title, item.print_goal, item.print_measures, item.print_commitment, *item.print_problems])
        )
    context = {
        "branch": branch,
        "items": items,
        "counts": selectors.ledger_counts(branch=branch),
        "printed_on": timezone.localdate(),
    }
    return Document("rectification/pdf/ledger.html", context, size=size, limit=LEDGER_INLINE_MAX_CHARS,
                    summary=_("共 %(n)s 项整改事项") % {"n": len(items)})


def render_ledger(*, branch, filters: selectors.LedgerFilters | None = None) -> bytes:
    return ledger_doc(branch=branch, filters=filters).render()


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
    return "(A4四合一）" if layout == PrintJob.Layout.A4 else ""


def cards_in_layout(pdf: bytes, layout: str) -> bytes:
    """The A6 card pages as they are, or four to an A4 sheet (PrintJob.Layout)."""
    return impose_four_up(pdf) if layout == PrintJob.Layout.A4 else pdf


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
