"""Writes of the upward review: a branch submits (or resubmits) its plan or report; the reviewing node
approves it or returns it with a reason. Each step is a FilingEvent; notices follow from the events
(notifications/rules/filings.py), found by the reminder scan."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Meeting

from . import selectors
from .models import Filing, FilingAttachment, FilingEvent, Kind, ReviewRule, State

ATTACHMENTS_PER_SUBMISSION = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
ATTACHMENT_ACCEPT = ",".join(sorted(set(ATTACHMENT_TYPES.values()) | {".jpeg"}))


def _name(user) -> str:
    """The person's name as the history shows it: the roster's, the officer's, else the account's."""
    from branchlife.permissions import actor_of

    member = actor_of(user).member
    if member is not None:
        return member.name
    officer = getattr(user, "officer", None)  # RelatedObjectDoesNotExist is an AttributeError
    return officer.name if officer is not None else (user.get_full_name() or user.get_username())


def why_not_submittable(*, meeting: Meeting, kind: str, filing: Filing | None) -> str:
    """Why the branch cannot send this now ("" when it can): the meeting's stage and the filing's state."""
    if filing is not None and filing.state == State.PENDING:
        return _("已报送，正在等待审核。")
    if filing is not None and filing.state == State.APPROVED:
        return _("已审核通过，无需再次报送。")
    if kind == Kind.PLAN and meeting.held_on is None:
        return _("请先确定会议召开日期，再报送会议方案。")
    if kind == Kind.REPORT and meeting.closed_at is None:
        return _("会议结束后才能报送情况报告。")
    return ""


def check_attachments(uploads: Sequence) -> None:
    """Optional files with a report: at most five, PDF, pictures, Word or Excel, up to 10 MB each."""
    errors = []
    if len(uploads) > ATTACHMENTS_PER_SUBMISSION:
        errors.append(_("每次最多上传 %(n)s 个附件。") % {"n": ATTACHMENTS_PER_SUBMISSION})
    for upload in uploads:
        content_type = (getattr(upload, "content_type", "") or "").lower()
        if content_type not in ATTACHMENT_TYPES:
            errors.append(_("附件只能是 PDF、图片、Word 或 Excel 文件：%(name)s。") % {"name": upload.name})
        elif upload.size > ATTACHMENT_MAX_BYTES:
            errors.append(_("附件不能超过 10 MB：%(name)s。") % {"name": upload.name})
    if errors:
        raise ValidationError({"attachments": errors})


@transaction.atomic
def filing_submit(*, meeting: Meeting, kind: str, user, note: str = "", attachments: Sequence = ()) -> Filing:
    """Send the plan or the report as it stands now to the reviewing node (first time or after a return)."""
    if kind not in Kind.values:
        raise ValidationError(_("未知的报送类型。"))
    meeting = Meeting.objects.select_for_update().select_related("branch").get(pk=meeting.pk)
    filing = Filing.objects.select_for_update().filter(meeting=meeting, kind=kind).first()
    reason = why_not_submittable(meeting=meeting, kind=kind, filing=filing)
    if reason:
        raise ValidationError(reason)
    if kind == Kind.PLAN and attachments:
        raise ValidationError({"attachments": _("会议方案不带附件；附件随情况报告报送。")})
    check_attachments(attachments)
    now = timezone.now()
    content = selectors.content_for(meeting=meeting, kind=kind)
    if filing is None:
        reviewer = selectors.reviewer_for(branch=meeting.branch)
        if reviewer is None:
            raise ValidationError(_("该支部没有上级组织，无法报送审核。"))
        filing = Filing(meeting=meeting, branch=meeting.branch, kind=kind, reviewer=reviewer, submissions=0)
        action = FilingEvent.Action.SUBMIT
    else:
        action = FilingEvent.Action.RESUBMIT
    # The last return reason stays on the filing while it waits again: the branch and the reviewer see
    # what was asked for; the history keeps every reason.
    filing.state, filing.content, filing.note = State.PENDING, content, note.strip()
    filing.submitted_at, filing.reviewed_at = now, None
    filing.submissions += 1
    filing.full_clean()
    filing.save()
    event = FilingEvent.objects.create(filing=filing, action=action, actor=user, actor_name=_name(user), at=now,
                                       reason=note.strip(), content=content)
    for upload in attachments:
        attachment = FilingAttachment(filing=filing, event=event, name=upload.name[:200],
                                      content_type=upload.content_type.lower(), size=upload.size)
        attachment.file.save("attachment", upload, save=False)
        attachment.save()
    return filing


@transaction.atomic
def filing_review(*, filing: Filing, user, approve: bool, reason: str = "") -> Filing:
    """Approve, or return with a reason (驳回原因, required). Only a filing waiting for review."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    reason = reason.strip()
    if filing.state != State.PENDING:
        raise ValidationError(_("该材料当前不是待审状态（%(state)s），不能审核。") % {"state": filing.get_state_display()})
    if not approve and not reason:
        raise ValidationError({"reason": _("退回时请填写驳回原因。")})
    now = timezone.now()
    filing.state = State.APPROVED if approve else State.RETURNED
    filing.reviewed_at = now
    if not approve:
        filing.return_reason = reason
    filing.full_clean()
    filing.save()
    FilingEvent.objects.create(
        filing=filing, action=FilingEvent.Action.APPROVE if approve else FilingEvent.Action.RETURN,
        actor=user, actor_name=_name(user), at=now, reason=reason,
    )
    return filing


def review_rule_set(*, organization, level: str) -> ReviewRule | None:
    """Name the level reviewing the branches under `organization` ("" removes the node's own rule)."""
    if not level:
        ReviewRule.objects.filter(organization=organization).delete()
        return None
    rule, _created = ReviewRule.objects.update_or_create(organization=organization, defaults={"level": level})
    rule.full_clean()
    return rule
