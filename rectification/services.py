"""Writes of the rectification app. Every change of an item also appends to its history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.permissions import actor_of
from branchlife.queue import enqueue_on_commit
from meetings.models import ClaimedProblem, Criticism, Meeting, OpinionClaim, SelfReview, SelfReviewProblem

from . import recurrence
from .models import Evidence, FollowUpReview, ItemHistory, ItemProgress, PrintJob, Problem, RectificationItem
from .themes import theme_of

NOT_GIVEN = object()

# The anchor the meetings app renders for each source row on the meeting page.
SOURCE_ANCHORS = {
    Problem.SourceKind.CRITICISM: "criticism",
    Problem.SourceKind.CLAIMED: "claim",
    Problem.SourceKind.SELF_REVIEW: "selfreview-problem",
    Problem.SourceKind.OPINION: "opinion",
}


@dataclass
class ProblemEntry:
    """One problem as the meetings app hands it over (see `problem_list_build`)."""

    member_id: int | None
    text: str
    source_kind: str
    source_id: int | None
    aspect: str = ""


def problem_source_url(problem: Problem) -> str:
    """Where the problem came from: the row on the meeting page, or "" for one the secretary added."""
    anchor = SOURCE_ANCHORS.get(problem.source_kind)
    if not anchor or problem.source_id is None:
        return ""
    base = reverse("meetings:meeting_detail", args=[problem.meeting_id])
    return f"{base}#{anchor}-{problem.source_id}"


def problem_entries(*, meeting: Meeting) -> list[ProblemEntry]:
    """For each member (and the committee, member None): criticisms received, problems claimed on the
    spot, the submitted self-review's problems and the opinions they claimed, each with its source row."""
    entries: list[ProblemEntry] = []
    for c in Criticism.objects.filter(meeting=meeting, is_self=False).order_by("created_at", "id"):
        entries.append(ProblemEntry(member_id=c.receiver_id, text=c.text, source_kind="criticism", source_id=c.pk))
    for c in ClaimedProblem.objects.filter(meeting=meeting).order_by("created_at", "id"):
        entries.append(ProblemEntry(member_id=c.member_id, text=c.text, source_kind="claimed", source_id=c.pk))
    problems = SelfReviewProblem.objects.filter(
        review__meeting=meeting, review__status__in=SelfReview.DONE_STATUSES
    ).select_related("review").order_by("review__kind", "review__member_id", "position", "id")
    for p in problems:
        entries.append(
            ProblemEntry(member_id=p.review.member_id, text=p.text, source_kind="self_review", source_id=p.pk, aspect=p.aspect)
        )
    # A claimed opinion's source is the claim (an integer id; opinions themselves have random keys).
    claims = OpinionClaim.objects.filter(opinion__meeting=meeting, opinion__merged_into__isnull=True).select_related("opinion")
    for claim in claims.order_by("id"):
        entries.append(ProblemEntry(member_id=claim.member_id, text=claim.opinion.text, source_kind="opinion", source_id=claim.pk))
    return entries


@transaction.atomic
def problem_list_build(*, meeting, entries: list[ProblemEntry]) -> int:
    """Add the meeting's problems to the list; entries already there (same source row) are skipped.

    Safe to run again whenever the meeting's records change: only new sources become new problems,
    and lines the secretary edited or merged are left alone. Returns the number created.
    """
    existing = set(
        Problem.objects.filter(meeting=meeting, source_id__isnull=False).values_list(
            "member_id", "source_kind", "source_id"
        )
    )
    created = 0
    for entry in entries:
        text = (entry.text or "").strip()
        if not text:
            continue
        if entry.source_id is not None:
            key = (entry.member_id, entry.source_kind, entry.source_id)
            if key in existing:
                continue
            existing.add(key)
        problem = Problem(
            meeting=meeting,
            member_id=entry.member_id,
            text=text,
            aspect=(entry.aspect or "")[:50],
            source_kind=entry.source_kind,
            source_id=entry.source_id,
            theme=theme_of(text),
        )
        problem.full_clean()
        problem.save()
        created += 1
    problem_themes_refresh(meeting=meeting)
    recurrence.link_meeting(meeting=meeting)
    return created


def problem_themes_refresh(*, meeting) -> int:
    """Tag the meeting's problems by the keyword rule again (issue 20), leaving alone every line whose theme
    the secretary corrected (theme_manual). Returns the number of lines whose theme changed."""
    changed = []
    for problem in Problem.objects.filter(meeting=meeting, theme_manual=False).only("id", "text", "theme"):
        theme = theme_of(problem.text)
        if theme != problem.theme:
            problem.theme = theme
            changed.append(problem)
    Problem.objects.bulk_update(changed, ["theme"])
    return len(changed)


def problem_theme_set(*, problem: Problem, theme: str) -> Problem:
    """The secretary's correction of a line's theme; it is kept through any rebuild. `theme=""` hands the
    line back to the rule."""
    if theme:
        problem.theme, problem.theme_manual = theme, True
    else:
        problem.theme, problem.theme_manual = theme_of(problem.text), False
    problem.full_clean()
    problem.save(update_fields=["theme", "theme_manual", "updated_at"])
    return problem


# ---------------------------------------------------------------- problem list (the secretary edits it)
def problem_add(*, meeting, member, text: str, aspect: str = "") -> Problem:
    problem = Problem(
        meeting=meeting, member=member, text=text.strip(), aspect=aspect.strip(), source_kind=Problem.SourceKind.ADDED,
        theme=theme_of(text),
    )
    problem.full_clean()
    problem.save()
    recurrence.link_meeting(meeting=meeting)
    return problem


def problem_update(*, problem: Problem, text: str, aspect: str = "", member=NOT_GIVEN) -> Problem:
    problem.text = text.strip()
    problem.aspect = aspect.strip()
    if not problem.theme_manual:
        problem.theme = theme_of(problem.text)
    if member is not NOT_GIVEN:
        problem.member = member
    problem.full_clean()
    problem.save()
    recurrence.link_meeting(meeting=problem.meeting)
    return problem


@transaction.atomic
def problem_merge(*, target: Problem, others: list[Problem]) -> int:
    """Fold duplicates into `target`: they leave the list (kept, marked merged) and their items follow."""
    if target.merged_into_id:
        raise ValidationError(_("目标问题本身已被合并，请选择其他问题。"))
    merged = 0
    for other in others:
        if other.pk == target.pk or other.meeting_id != target.meeting_id:
            raise ValidationError(_("只能合并同一次组织生活会中的不同问题。"))
        if other.member_id != target.member_id:
            raise ValidationError(_("只能合并同一名党员（或同为支部班子）的问题。"))
        for item in other.items.all():
            item.problems.add(target)
        other.merged_into = target
        other.full_clean()
        other.save(update_fields=["merged_into", "updated_at"])
        merged += 1
    Problem.objects.filter(merged_into__in=[o.pk for o in others]).update(merged_into=target)
    return merged


def problem_unmerge(*, problem: Problem) -> Problem:
    problem.merged_into = None
    problem.save(update_fields=["merged_into", "updated_at"])
    return problem


# ---------------------------------------------------------------- items and their history
def _actor_name(user) -> str:
    if user is None:
        return ""
    member = actor_of(user).member
    return member.name if member else (user.get_full_name() or user.get_username())


def history_append(*, item: RectificationItem, actor, action: str, detail: str = "") -> ItemHistory:
    """The only writer of ItemHistory: rows are inserted, never changed."""
    entry = ItemHistory(item=item, actor=actor, actor_name=_actor_name(actor)[:50], action=action, detail=detail)
    entry.full_clean()
    entry.save(force_insert=True)
    return entry


ITEM_FIELDS = ("title", "goal", "measures", "responsible", "deadline", "commitment")


@transaction.atomic
def item_create(
    *,
    branch,
    meeting=None,
    problems=(),
    title: str,
    goal: str,
    measures: str,
    responsible,
    deadline: dt.date,
    commitment: str,
    actor,
) -> RectificationItem:
    item = RectificationItem(
        branch=branch,
        meeting=meeting,
        title=title.strip(),
        goal=goal.strip(),
        measures=measures.strip(),
        responsible=responsible,
        deadline=deadline,
        commitment=commitment.strip(),
    )
    _check_item(item, problems)
    item.save()
    item.problems.set(problems)
    history_append(
        item=item,
        actor=actor,
        action=ItemHistory.Action.CREATED,
        detail=_("责任人：%(who)s；完成时限：%(when)s") % {"who": responsible.name, "when": deadline.isoformat()},
    )
    return item


def _check_item(item: RectificationItem, problems) -> None:
    item.full_clean()
    if item.responsible.branch_id != item.branch_id:
        raise ValidationError({"responsible": _("责任人必须是本支部党员。")})
    if item.meeting_id and item.meeting.branch_id != item.branch_id:
        raise ValidationError({"meeting": _("只能选择本支部的组织生活会。")})
    ids = [p.pk for p in problems]
    if ids and Problem.objects.filter(pk__in=ids).exclude(meeting__branch_id=item.branch_id).exists():
        raise ValidationError({"problems": _("只能关联本支部问题清单中的问题。")})


@transaction.atomic
def item_update(*, item: RectificationItem, actor, problems=None, **changes) -> RectificationItem:
    """Edit the 四明确一承诺 of an open item; the history keeps what changed, before and after."""
    item = RectificationItem.objects.select_for_update().get(pk=item.pk)
    if item.status == RectificationItem.Status.CLOSED:
        raise ValidationError(_("已销号的事项不能修改，如需继续整改请先退回。"))
    diffs = []
    for name, value in changes.items():
        if name not in ITEM_FIELDS:
            raise TypeError(name)
        if isinstance(value, str):
            value = value.strip()
        old = getattr(item, name)
        if old != value:
            label = RectificationItem._meta.get_field(name).verbose_name
            diffs.append(f"{label}:{_display(old)} → {_display(value)}")
            setattr(item, name, value)
    _check_item(item, problems if problems is not None else item.problems.all())
    old_problems = set(item.problems.values_list("pk", flat=True))
    if problems is not None and set(p.pk for p in problems) != old_problems:
        diffs.append(_("关联问题：%(n)s 条") % {"n": len(problems)})
        item.problems.set(problems)
    if diffs:
        item.save()
        history_append(item=item, actor=actor, action=ItemHistory.Action.EDITED, detail="\n".join(diffs))
    return item


def _display(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


# ---------------------------------------------------------------- evidence files
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 5
# extension → (content type, the first bytes every such file starts with)
EVIDENCE_TYPES = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def evidence_check(upload) -> str:
    """Return the content type of an acceptable upload, or raise ValidationError with a Chinese message.

    The type is decided by the extension AND the file's first bytes, never by what the browser claims.
    """
    name = getattr(upload, "name", "") or ""
    suffix = Path(name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError(
            _("“%(name)s”的类型不支持，只接受 jpg、png、pdf、docx、xlsx 文件。") % {"name": name}
        )
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("“%(name)s”超过 10 MB。") % {"name": name})
    if upload.size == 0:
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": name})
    content_type, magics = EVIDENCE_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(_("“%(name)s”的内容与扩展名不符。") % {"name": name})
    return content_type


# ---------------------------------------------------------------- progress and status
Status = RectificationItem.Status


def _lock(item: RectificationItem) -> RectificationItem:
    return RectificationItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def item_progress_post(*, item: RectificationItem, actor, note: str, files=()) -> ItemProgress:
    """A progress report; the first one moves the item from 未开始 to 整改中."""
    item = _lock(item)
    if item.status == Status.CLOSED:
        raise ValidationError(_("该事项已销号，不能再填报进展。"))
    files = list(files)
    if len(files) > EVIDENCE_MAX_FILES:
        raise ValidationError(_("每次最多上传 %(n)s 个文件。") % {"n": EVIDENCE_MAX_FILES})
    types = [evidence_check(f) for f in files]
    progress = ItemProgress(item=item, author=actor, author_name=_actor_name(actor)[:50], note=note.strip())
    progress.full_clean()
    progress.save()
    for upload, content_type in zip(files, types, strict=True):
        evidence = Evidence(
            progress=progress,
            original_name=Path(upload.name).name[:200],
            content_type=content_type,
            size=upload.size,
        )
        evidence.file.save(Path(upload.name).name, upload, save=False)
        evidence.save()
    detail = progress.note
    if files:
        detail += "\n" + _("附佐证材料 %(n)s 个") % {"n": len(files)}
    history_append(item=item, actor=actor, action=ItemHistory.Action.PROGRESS, detail=detail)
    if item.status == Status.NOT_STARTED:
        item.status = Status.IN_PROGRESS
        item.save(update_fields=["status", "updated_at"])
        history_append(item=item, actor=actor, action=ItemHistory.Action.STARTED, detail=_("状态：未开始 → 整改中"))
    return progress


@transaction.atomic
def item_submit(*, item: RectificationItem, actor, note: str = "") -> RectificationItem:
    """The responsible member reports the item done and asks the secretary to verify (→ 待核验)."""
    item = _lock(item)
    if item.status not in (Status.NOT_STARTED, Status.IN_PROGRESS):
        raise ValidationError(_("只有未开始或整改中的事项可以申请核验。"))
    if not item.progress.exists() and not note.strip():
        raise ValidationError(_("请先填报整改进展，或写明完成情况。"))
    old = item.get_status_display()
    item.status = Status.PENDING
    item.save(update_fields=["status", "updated_at"])
    history_append(
        item=item,
        actor=actor,
        action=ItemHistory.Action.SUBMITTED,
        detail=(_("状态：%(old)s → 待核验") % {"old": old}) + (f"\n{note.strip()}" if note.strip() else ""),
    )
    return item


@transaction.atomic
def rectification_item_close(*, item: RectificationItem, actor, note: str = "") -> RectificationItem:
    """The secretary verifies a 待核验 item and closes it (销号)."""
    item = _lock(item)
    if item.status != Status.PENDING:
        raise ValidationError(_("只有待核验的事项可以核验销号。"))
    item.status = Status.CLOSED
    item.closed_at = timezone.now()
    item.closed_by = actor
    item.full_clean()
    item.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    history_append(
        item=item,
        actor=actor,
        action=ItemHistory.Action.CLOSED,
        detail=_("核验通过，予以销号") + (f"\n{note.strip()}" if note.strip() else ""),
    )
    return item


@transaction.atomic
def item_reopen(*, item: RectificationItem, actor, reason: str) -> RectificationItem:
    """Send a 待核验 or 已销号 item back to 整改中; a reason is required and kept in the history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    item = _lock(item)
    if item.status not in (Status.PENDING, Status.CLOSED):
        raise ValidationError(_("只有待核验或已销号的事项可以退回。"))
    old = item.get_status_display()
    item.status = Status.IN_PROGRESS
    item.closed_at = None
    item.closed_by = None
    item.full_clean()
    item.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    history_append(
        item=item,
        actor=actor,
        action=ItemHistory.Action.REOPENED,
        detail=_("状态：%(old)s → 整改中；原因：%(reason)s") % {"old": old, "reason": reason},
    )
    return item


@transaction.atomic
def follow_up_record(
    *, item: RectificationItem, actor, reviewed_on: dt.date, result: str, note: str = ""
) -> FollowUpReview:
    """回头看 on a closed item. A rebound sends the item back to 整改中 with the review as the reason."""
    item = _lock(item)
    if item.status != Status.CLOSED:
        raise ValidationError(_("回头看针对已销号的事项。"))
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("回头看日期不能晚于今天。")})
    if item.closed_at and reviewed_on < timezone.localtime(item.closed_at).date():
        raise ValidationError({"reviewed_on": _("回头看日期不能早于销号日期。")})
    review = FollowUpReview(item=item, reviewed_on=reviewed_on, result=result, note=note.strip(), reviewer=actor)
    review.full_clean()
    review.save()
    history_append(
        item=item,
        actor=actor,
        action=ItemHistory.Action.FOLLOW_UP,
        detail=f"{reviewed_on.isoformat()} {review.get_result_display()}" + (f"\n{review.note}" if review.note else ""),
    )
    if result == FollowUpReview.Result.REBOUND:
        item_reopen(item=item, actor=actor, reason=_("回头看发现反弹：%(note)s") % {"note": review.note or "—"})
    return review


# ---------------------------------------------------------------- background printing
# A request for a PDF that is the same as one of the person's own still queued or being rendered, made within
# this long of it, is that job: a double click, a second tap on a slow phone or a resubmitted form.
PRINT_JOB_SAME_REQUEST_WINDOW = dt.timedelta(minutes=10)


@transaction.atomic
def print_job_create(*, user, organization, kind: str = PrintJob.Kind.CARDS, year: int | None = None,
                     layout: str = PrintJob.Layout.A6, meeting=None, filters: dict | None = None,
                     style: str = PrintJob.Style.STANDARD, options: dict | None = None) -> PrintJob:
    """Queue a background PDF: every branch under `organization`, or one meeting's list or cards
    (`meeting`, whose branch is then the organization), or one branch's ledger with `filters`; a list or a
    ledger in another layout with `style` and its `options` (rectification.printing). The same request
    again while the first is still queued or running returns the first job instead of rendering twice."""
    from .tasks import print_job_run as print_job_run_task

    if kind != PrintJob.Kind.CARDS:
        layout = PrintJob.Layout.A6  # only cards come in two layouts
    if meeting is not None:
        if kind == PrintJob.Kind.LEDGER:
            raise ValidationError(_("整改台账按党支部打印，不按组织生活会。"))
        organization, year = meeting.branch, meeting.year
    if filters and kind != PrintJob.Kind.LEDGER:
        raise ValidationError(_("只有整改台账可以按筛选条件打印。"))
    job = PrintJob(kind=kind, organization=organization, year=year, requested_by=user, layout=layout,
                   meeting=meeting, filters=filters or {}, style=style, options=options or {})
    job.full_clean()
    same = _print_job_same_as(job)
    if same is not None:
        return same
    job.save()
    enqueue_on_commit(print_job_run_task, job.pk)
    return job


def _print_job_same_as(job: PrintJob) -> PrintJob | None:
    """The requester's own job asking for the same PDF, still queued or running and recent, if any. The
    requester's row is locked first, so of two clicks arriving together the second waits for the first's
    job and finds it."""
    if job.requested_by_id is None:
        return None
    get_user_model().objects.select_for_update().filter(pk=job.requested_by_id).first()
    candidates = PrintJob.objects.filter(
        requested_by_id=job.requested_by_id, kind=job.kind, layout=job.layout, style=job.style,
        organization=job.organization, year=job.year, meeting=job.meeting,
        status__in=[PrintJob.Status.PENDING, PrintJob.Status.RUNNING],
        created_at__gte=timezone.now() - PRINT_JOB_SAME_REQUEST_WINDOW,
    ).order_by("created_at", "pk")
    # The filters and options compared here, not in SQL: JSON equality differs between the databases.
    return next((c for c in candidates if c.filters == job.filters and c.options == job.options), None)
