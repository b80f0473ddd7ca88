"""会后整改: "一单、一卡、一台账" (seed 000).

- Problem: one line of a problem list (问题清单), per member or for the branch, keeping its source.
- RectificationItem: one ledger row (整改事项) with 四明确一承诺 (seed 002).
- ItemProgress / Evidence: what a member reports, with optional files kept out of any public URL.
- FollowUpReview: 回头看 after closing.
- ItemHistory: append-only log of every change (who, when, what).
- PrintJob: a background PDF render (cards for many branches, or one PDF too big to render inside a
  request) with progress.

The ledger (整改台账) of a branch is not a table of its own: it is the branch's items, read through
`selectors.ledger_items`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branchlife.storage import PrivateStorage
from meetings.models import Meeting
from organizations.models import BranchOwned, MeetingOwned, Member, Organization

from .themes import Theme

evidence_storage = PrivateStorage("rectification/evidence")
print_storage = PrivateStorage("rectification/print")


def evidence_upload_to(instance, filename: str) -> str:
    # The stored name is random: the user's file name is kept in `original_name` only, so nothing
    # about a member's evidence can be guessed from the disk or from a path.
    suffix = Path(filename).suffix.lower()[:10]
    return f"{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}{suffix}"


def print_upload_to(instance, filename: str) -> str:
    return f"{secrets.token_urlsafe(24)}.pdf"


# How much a person may type into the lines that are printed (issue 22): the forms refuse more, with the
# count. The seeds' problems and measures are a sentence or two; a problem line of 1,000 characters fills
# 60% of an A4 page of the list. Rows are not cut on the way in: a criticism copied from the meeting
# record (up to 5,000) or a row stored before these bounds is kept whole, and the PDFs clip what they
# print to the same bounds, ending in "……（全文见系统）" (pdfs.clip).
PROBLEM_TEXT_MAX = 1000
ITEM_GOAL_MAX = 500
ITEM_MEASURES_MAX = 1000
ITEM_COMMITMENT_MAX = 500


class Problem(MeetingOwned, models.Model):
    """One line of a problem list; member=None is a problem of the branch (its committee) as a whole."""

    class SourceKind(models.TextChoices):
        SELF_REVIEW = "self_review", _("对照检查")
        CRITICISM = "criticism", _("批评意见")
        CLAIMED = "claimed", _("当场认领")
        OPINION = "opinion", _("认领的意见")
        ADDED = "added", _("书记添加")

    meeting = models.ForeignKey(Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="problems")
    member = models.ForeignKey(
        Member,
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        help_text=_("留空表示支部班子的问题"),
    )
    text = models.TextField(_("问题"))
    aspect = models.CharField(_("方面"), max_length=50, blank=True, default="")
    source_kind = models.CharField(_("来源"), max_length=20, choices=SourceKind.choices, default=SourceKind.ADDED)
    # The pk of the source row in the meetings app (Criticism, SelfReview problem, claim, Opinion).
    source_id = models.PositiveIntegerField(_("来源编号"), null=True, blank=True)
    # Issue 20: the theme is set by the keyword rule (themes.theme_of) when the list is built or a line is
    # edited; a secretary's correction sets theme_manual, and from then on no rebuild recomputes it.
    theme = models.CharField(_("主题"), max_length=20, choices=Theme.choices, default=Theme.OTHER)
    theme_manual = models.BooleanField(_("主题由书记修正"), default=False)
    # Issue 20: "this came back" — the same member's matching problem of the latest earlier year in the same
    # branch (meetings.quality's matcher), linked when the list is built (recurrence.link_meeting), and how
    # many years running the problem has now been found (1: new, or after a year without it).
    recurs_of = models.ForeignKey(
        "self",
        verbose_name=_("往年同类问题"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recurrences",
    )
    streak = models.PositiveSmallIntegerField(_("连续出现年数"), default=1)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")
        ordering = ["meeting", "member_id", "source_kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member", "source_kind", "source_id"],
                condition=Q(source_id__isnull=False),
                name="problem_unique_source",
            ),
            models.CheckConstraint(
                condition=Q(source_kind__in=["self_review", "criticism", "claimed", "opinion", "added"]),
                name="problem_source_kind_valid",
            ),
            models.CheckConstraint(condition=Q(theme__in=Theme.values), name="problem_theme_valid"),
        ]
        indexes = [models.Index(fields=["meeting", "member"], name="problem_meeting_member_idx")]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_criticism(self) -> bool:
        return self.source_kind == self.SourceKind.CRITICISM


class RectificationItem(BranchOwned, models.Model):
    """整改事项 with 四明确一承诺: goal, measures, responsible person, deadline, public commitment."""


    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("整改中")
        PENDING = "pending", _("待核验")
        CLOSED = "closed", _("已销号")

    branch = models.ForeignKey(
        Organization, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="rectification_items"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("组织生活会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectification_items",
    )
    problems = models.ManyToManyField(Problem, verbose_name=_("问题"), blank=True, related_name="items")
    title = models.CharField(_("整改事项"), max_length=200)
    # max_length on a TextField bounds the form only (Django does not enforce it in full_clean), so closing
    # or reopening an item stored before the bounds still works.
    goal = models.TextField(_("整改目标"), max_length=ITEM_GOAL_MAX)
    measures = models.TextField(_("整改措施"), max_length=ITEM_MEASURES_MAX)
    responsible = models.ForeignKey(
        Member, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="rectification_items"
    )
    deadline = models.DateField(_("完成时限"))
    commitment = models.TextField(_("公开承诺"), max_length=ITEM_COMMITMENT_MAX)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改台账")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "pending", "closed"]),
                name="item_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="item_closed_at_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "deadline"], name="item_branch_status_idx"),
            models.Index(fields=["responsible", "status"], name="item_responsible_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_meeting(self):  # for the permission predicates (organizations.models.BranchOwned)
        return self.meeting


class ItemProgress(models.Model):
    """A progress report on an item (进展): a note, optionally with evidence files."""

    item = models.ForeignKey(RectificationItem, verbose_name=_("整改事项"), on_delete=models.PROTECT, related_name="progress")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(_("填报人姓名"), max_length=50, blank=True)
    note = models.TextField(_("进展说明"))
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.note[:40]


class Evidence(models.Model):
    """An optional file attached to a progress report (seed 003: evidence serves the work, never required)."""

    progress = models.ForeignKey(ItemProgress, verbose_name=_("进展"), on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), storage=evidence_storage, upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class FollowUpReview(models.Model):
    """回头看: a later check that a closed item stayed fixed."""

    class Result(models.TextChoices):
        CONSOLIDATED = "consolidated", _("整改成效巩固")
        REBOUND = "rebound", _("出现反弹，需重新整改")

    item = models.ForeignKey(RectificationItem, verbose_name=_("整改事项"), on_delete=models.PROTECT, related_name="follow_ups")
    reviewed_on = models.DateField(_("回头看日期"))
    result = models.CharField(_("结果"), max_length=20, choices=Result.choices)
    note = models.TextField(_("情况说明"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")
        ordering = ["-reviewed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(result__in=["consolidated", "rebound"]), name="followup_result_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.reviewed_on}"


class HistoryQuerySet(models.QuerySet):
    """The history is append-only: bulk edits and deletes through the ORM are refused."""

    def update(self, **kwargs):
        raise PermissionError("ItemHistory is append-only")

    def delete(self):
        raise PermissionError("ItemHistory is append-only")


class ItemHistory(models.Model):
    """One change of an item (who, when, what). Rows are only ever inserted."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        EDITED = "edited", _("修改")
        STARTED = "started", _("开始整改")
        PROGRESS = "progress", _("填报进展")
        SUBMITTED = "submitted", _("申请核验")
        CLOSED = "closed", _("核验销号")
        REOPENED = "reopened", _("退回重新整改")
        FOLLOW_UP = "follow_up", _("回头看")

    item = models.ForeignKey(RectificationItem, verbose_name=_("整改事项"), on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as text too: the log must still say who acted after an account is removed.
    actor_name = models.CharField(_("操作人姓名"), max_length=50, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    detail = models.TextField(_("内容"), blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class PrintJob(models.Model):
    """A PDF rendered in the background, with progress for the waiting page: the cards, lists or ledgers of
    every branch under `organization`, or (`meeting` / `filters` set) the one PDF a page's link asked for
    when it was too big to render inside the request."""

    class Kind(models.TextChoices):
        CARDS = "cards", _("提醒卡")
        LIST = "list", _("问题清单")
        LEDGER = "ledger", _("整改台账")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Layout(models.TextChoices):
        # Reminder cards only: A6 pages, or four cards to an A4 sheet for the office printer.
        A6 = "a6", _("A6 单张（每张卡片正反两页）")
        A4 = "a4", _("A4 四合一（双面打印、长边翻转，裁成四张）")

    class Style(models.TextChoices):
        # Lists and ledgers only: rectification's own PDF, or the 公文 layout (GB/T 9704) of the documents
        # app, which renders it (printing.STYLE_RENDERERS) with the options kept in `options`.
        STANDARD = "standard", _("标准版式")
        GONGWEN = "gongwen", _("公文版式")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.CARDS)
    layout = models.CharField(_("提醒卡版式"), max_length=4, choices=Layout.choices, default=Layout.A6)
    style = models.CharField(_("版式"), max_length=10, choices=Style.choices, default=Style.STANDARD)
    # What a 公文 PDF asked for: {"red_header": bool, "doc_number": str, "day": "2026-12-06", "filename": str,
    # "language": "zh-hans"}, so the job prints what the request would have printed.
    options = models.JSONField(_("版式选项"), default=dict, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("范围"), on_delete=models.CASCADE, related_name="print_jobs"
    )
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    # Set for the PDF of one meeting (its problem list or cards) instead of each branch's latest meeting.
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The ledger's filters (selectors.LedgerFilters as a dict) when one branch's filtered ledger is printed.
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    result = models.FileField(_("文件"), storage=print_storage, upload_to=print_upload_to, blank=True, max_length=200)
    pages = models.PositiveIntegerField(_("页数"), default=0)
    # The chunks the job was split into and the indexes rendered so far (a join that needs no result
    # backend: the worker finishing the last chunk merges).
    plan = models.JSONField(_("分块计划"), default=list, blank=True)
    parts_done = models.JSONField(_("已完成分块"), default=list, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("打印任务")
        verbose_name_plural = _("打印任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]), name="printjob_status_valid"
            ),
            # Only a list or a ledger comes in the 公文 layout; cards are cards.
            models.CheckConstraint(
                condition=Q(style="standard") | Q(style="gongwen", kind__in=["list", "ledger"]),
                name="printjob_style_valid",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.CARDS and self.layout == self.Layout.A4:
            return f"{self.get_kind_display()}(A4) {self.organization}"
        if self.style == self.Style.GONGWEN:
            return _("%(kind)s（%(style)s） %(organization)s") % {
                "kind": self.get_kind_display(), "style": self.get_style_display(), "organization": self.organization
            }
        return f"{self.get_kind_display()} {self.organization}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.done * 100 // self.total)
