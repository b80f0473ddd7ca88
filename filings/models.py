"""Upward review (上报审核, issue 19 item 1): a branch files its meeting plan (方案报备) before the meeting and its
report (情况报告) after it with the node above; that node approves it or returns it with a reason.

One `Filing` per meeting and kind holds the current state and what was last submitted (a snapshot: the
reviewer judges what was sent, not what the branch typed since); every step is a `FilingEvent` (who, when,
the reason), never overwritten. "未报" is the absence of a Filing. The node that reviews is fixed when the
branch first submits (`reviewer`), so a changed rule does not move a filing already under review.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branchlife.storage import PrivateStorage
from meetings.models import Meeting
from organizations.models import BranchOwned, Organization


class Kind(models.TextChoices):
    PLAN = "plan", _("方案报备")
    REPORT = "report", _("情况报告")


class State(models.TextChoices):
    NOT_FILED = "not_filed", _("未报")
    PENDING = "pending", _("待审")
    RETURNED = "returned", _("退回")
    APPROVED = "approved", _("已通过")


class ReviewLevel(models.TextChoices):
    """Which node above a branch reviews its filings (the nearest ancestor of that level)."""

    TOWNSHIP = "township", _("乡镇（街道）党委")
    GENERAL_BRANCH = "general_branch", _("党总支（没有党总支的由乡镇党委审核）")
    COUNTY = "county", _("县（区）委")


class Filing(BranchOwned, models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="filings")
    # The meeting's branch, stated here so that dashboards select a subtree's filings by path in one query.
    branch = models.ForeignKey(Organization, verbose_name=_("党支部"), on_delete=models.CASCADE, related_name="filings")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    reviewer = models.ForeignKey(
        Organization, verbose_name=_("审核组织"), on_delete=models.PROTECT, related_name="filings_to_review"
    )
    content = models.JSONField(_("报送内容"), default=list, blank=True)
    note = models.TextField(_("报送说明"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("报送时间"))
    submissions = models.PositiveSmallIntegerField(_("报送次数"), default=1)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("驳回原因"), blank=True, max_length=2000)


    class Meta:
        verbose_name = _("上报材料")
        verbose_name_plural = _("上报材料")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind"], name="filing_one_per_meeting_kind"),
            models.CheckConstraint(condition=~Q(state="not_filed"), name="filing_row_is_filed"),
            models.CheckConstraint(condition=~Q(state="returned") | ~Q(return_reason=""), name="filing_return_has_reason"),
        ]
        indexes = [models.Index(fields=["reviewer", "state"], name="filing_reviewer_state_idx")]

    def __str__(self) -> str:
        return f"{self.meeting} {self.get_kind_display()}"

    @property
    def owner_meeting(self):  # for the permission predicates (organizations.models.BranchOwned)
        return self.meeting


class FilingEvent(models.Model):
    """One step of a filing's history (kept for good: who, when, and the reason of a return)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("报送")
        RESUBMIT = "resubmit", _("重新报送")
        RETURN = "return", _("退回")
        APPROVE = "approve", _("审核通过")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The name at the time: an account may be renamed or removed; the history stays readable.
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("原因或意见"), blank=True, max_length=2000)
    content = models.JSONField(_("报送内容"), default=list, blank=True)

    class Meta:
        verbose_name = _("上报审核记录")
        verbose_name_plural = _("上报审核记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(action="return") | ~Q(reason=""), name="filing_event_return_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def branch(self) -> Organization:
        return self.filing.branch


attachment_storage = PrivateStorage("filings/attachments")


def attachment_upload_to(instance, filename: str) -> str:
    return uuid.uuid4().hex  # no name or branch in the path; the original name is kept in `name`


class FilingAttachment(models.Model):
    """A file sent with a report (附件): optional, never required (seed 003's "减少留痕形式")."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(FilingEvent, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), storage=attachment_storage, upload_to=attachment_upload_to, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def branch(self) -> Organization:
        return self.filing.branch


class ReviewRule(models.Model):
    """A county (or township) names the level that reviews its branches' filings. The nearest rule on a
    branch's path applies; without one, settings.FILINGS_REVIEW_LEVEL (the township by default)."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="filing_review_rule"
    )
    level = models.CharField(_("审核层级"), max_length=20, choices=ReviewLevel.choices)

    class Meta:
        verbose_name = _("上报审核层级")
        verbose_name_plural = _("上报审核层级")

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_level_display()}"
