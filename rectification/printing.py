"""Background printing: split a job into chunks, render each, merge. Called by the thin tasks in tasks.py.

A job is the cards, lists or ledgers of every branch under a node (the 后台打印 page), or one meeting's list
or cards, or one branch's filtered ledger: the PDF a page's link asked for when it was too big to render
inside the request (pdfs.Document.fits_in_request).

A branch is normally one chunk (its cards share one font subset and render fastest as one document);
a county is split so that no chunk holds more than CHUNK_MAX_CARDS cards: memory grows with the document,
and chunks render in parallel on as many workers as there are (PDF.md).

A list or ledger job may ask for another layout (PrintJob.style): the 公文 PDF of the documents app, queued
by its download when too big for a request. That app renders it: it registers its renderer here
(`style_renderer_register`, from its AppConfig.ready), so rectification never imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Organization

from . import pdfs, selectors
from .models import PrintJob, RectificationItem, print_storage

logger = logging.getLogger(__name__)

CHUNK_MAX_CARDS = 200

# style -> renderer(obj_id=, kind=, filters=, options=) -> PDF bytes: a list (obj_id a meeting's) or a ledger
# (a branch's, `filters` the ledger's filters or None) in that layout, with the job's options.
STYLE_RENDERERS: dict[str, Callable[..., bytes]] = {}


def style_renderer_register(style: str, renderer: Callable[..., bytes]) -> None:
    STYLE_RENDERERS[style] = renderer


def styled_job_create(*, user, style: str, options: dict, **job) -> PrintJob:
    """Queue a list or ledger PDF in another layout: services.print_job_create (the same job, the same
    queue and progress page, the same request twice one job) with its style and options."""
    from .services import print_job_create

    return print_job_create(user=user, style=style, options=options, **job)


def _part(job: PrintJob, kind: str, obj_id: int, extra) -> list:
    """One part of a chunk: [kind, id, extra], or for a styled job [style, id, {kind, filters, options}]."""
    if job.style == PrintJob.Style.STANDARD:
        return [kind, obj_id, extra]
    return [job.style, obj_id, {"kind": kind, "filters": extra, "options": job.options}]


def plan_chunks(*, job: PrintJob) -> list[dict]:
    """The job's chunks: each {"parts": [[kind, object id, member ids or None], ...], "units": n}.

    A ledger part carries the ledger's filters (a dict) in the third place instead of member ids; a part of a
    styled job (the 公文 layout) is [style, object id, {"kind", "filters", "options"}] (`_part`)."""
    org = job.organization
    if job.kind == PrintJob.Kind.LEDGER and job.filters:
        return [{"parts": [_part(job, "ledger", org.pk, job.filters)], "units": 1}]
    if job.kind == PrintJob.Kind.LEDGER:
        branch_ids = (
            RectificationItem.objects.filter(branch__path__startswith=org.path)
            .order_by("branch__path")
            .values_list("branch_id", flat=True)
            .distinct()
        )
        return [{"parts": [_part(job, "ledger", bid, None)], "units": 1} for bid in dict.fromkeys(branch_ids)]
    if job.meeting_id:  # the one meeting a page asked for
        pairs = [(job.meeting.branch, job.meeting)]
    else:
        pairs = selectors.print_branches(organization=org, year=job.year)
    if job.kind == PrintJob.Kind.LIST:
        return [{"parts": [_part(job, "list", meeting.pk, None)], "units": 1} for _branch, meeting in pairs]
    chunks: list[dict] = []
    current: dict = {"parts": [], "units": 0}
    for _branch, meeting in pairs:
        ids = selectors.card_member_ids(meeting=meeting)
        # A branch bigger than a chunk is split by member; otherwise branches are packed together.
        for start in range(0, len(ids), CHUNK_MAX_CARDS):
            piece = ids[start : start + CHUNK_MAX_CARDS]
            if current["units"] and current["units"] + len(piece) > CHUNK_MAX_CARDS:
                chunks.append(current)
                current = {"parts": [], "units": 0}
            whole = len(piece) == len(ids)
            current["parts"].append(["cards", meeting.pk, None if whole else piece])
            current["units"] += len(piece)
    if current["units"]:
        chunks.append(current)
    return chunks


def render_chunk(chunk: dict) -> bytes:
    from meetings.models import Meeting

    cards: list[selectors.Card] = []
    outputs: list[bytes] = []
    for kind, obj_id, extra in chunk["parts"]:
        if kind == "cards":
            meeting = Meeting.objects.select_related("branch").get(pk=obj_id)
            cards += selectors.cards_for_meeting(meeting=meeting, member_ids=extra)
        elif kind == "list":
            outputs.append(pdfs.render_problem_list(meeting=Meeting.objects.select_related("branch").get(pk=obj_id)))
        elif kind == "ledger":
            filters = selectors.LedgerFilters(**extra) if extra else None
            outputs.append(pdfs.render_ledger(branch=Organization.objects.get(pk=obj_id), filters=filters))
        elif kind in STYLE_RENDERERS:
            outputs.append(STYLE_RENDERERS[kind](obj_id=obj_id, **extra))
        else:
            raise ValueError(f"no renderer for {kind!r} parts")
    if cards:
        # All cards of the chunk in one document: one font subset, one layout pass.
        outputs.append(pdfs.cards_doc(cards=cards, branch_name=cards[0].branch_name).render())
    return outputs[0] if len(outputs) == 1 else pdfs.merge_pdfs(outputs)


def _part_name(job_id: int, index: int) -> str:
    return f"parts/{job_id}/{index:05d}.pdf"


def job_start(*, job_id: int) -> list[int]:
    """Plan the job; returns the chunk indexes still to render (empty when finished or gone)."""
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (PrintJob.Status.DONE, PrintJob.Status.FAILED):
            return []
        if not job.plan:
            plan = plan_chunks(job=job)
            if not plan:
                job.status = PrintJob.Status.FAILED
                job.error = _("所选范围内没有可打印的内容。")
                job.finished_at = timezone.now()
                job.save(update_fields=["status", "error", "finished_at"])
                return []
            job.plan = plan
            job.total = sum(c["units"] for c in plan)
        job.status = PrintJob.Status.RUNNING
        job.save(update_fields=["plan", "total", "status"])
        return [i for i in range(len(job.plan)) if i not in job.parts_done]


def chunk_run(*, job_id: int, index: int) -> bool:
    """Render one chunk and record it; returns True when this was the last chunk (the caller merges)."""
    job = PrintJob.objects.filter(pk=job_id).first()
    if job is None or job.status != PrintJob.Status.RUNNING or index in job.parts_done:
        return False
    chunk = job.plan[index]
    name = _part_name(job_id, index)
    if print_storage.exists(name):
        print_storage.delete(name)
    print_storage.save(name, ContentFile(render_chunk(chunk)))
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().get(pk=job_id)
        if index in job.parts_done:
            return False
        job.parts_done = [*job.parts_done, index]
        job.done = F("done") + chunk["units"]
        job.save(update_fields=["parts_done", "done"])
        return len(job.parts_done) == len(job.plan)


def job_merge(*, job_id: int) -> None:
    job = PrintJob.objects.filter(pk=job_id).first()
    if job is None or job.status != PrintJob.Status.RUNNING or len(job.parts_done) != len(job.plan):
        return
    names = [_part_name(job_id, i) for i in range(len(job.plan))]
    parts = []
    for name in names:
        with print_storage.open(name, "rb") as fh:
            parts.append(fh.read())
    pdf = parts[0] if len(parts) == 1 else pdfs.merge_pdfs(parts)
    if job.kind == PrintJob.Kind.CARDS:
        pdf = pdfs.cards_in_layout(pdf, job.layout)  # after merging: a sheet takes four cards across chunks
    job.result.save(f"{job.pk}.pdf", ContentFile(pdf), save=False)
    job.pages = pdfs.page_count(pdf)
    job.status = PrintJob.Status.DONE
    job.done = job.total
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "pages", "status", "done", "finished_at"])
    for name in names:
        print_storage.delete(name)


def job_fail(*, job_id: int, error: str) -> None:
    PrintJob.objects.filter(pk=job_id).exclude(status=PrintJob.Status.DONE).update(
        status=PrintJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def filename_for(job: PrintJob) -> str:
    if job.options.get("filename"):  # a styled job is named as its download would have been
        return job.options["filename"]
    year = f"{job.year}年" if job.year else ""
    layout = pdfs.layout_suffix(job.layout) if job.kind == PrintJob.Kind.CARDS else ""
    return f"{job.organization.name}{year}{job.get_kind_display()}{layout}.pdf"
