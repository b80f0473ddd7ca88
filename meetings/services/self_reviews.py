"""Writes of 对照检查材料: drafts, submit, return, approve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Member

from ..models import Meeting, SelfReview, SelfReviewProblem


def self_review_get_or_create(*, meeting: Meeting, member: Member | None) -> SelfReview:
    """The member's review (a draft on first use); member=None is the branch committee's review."""
    if member is None:
        review, _created = SelfReview.objects.get_or_create(meeting=meeting, kind=SelfReview.Kind.COMMITTEE)
        return review
    if member.branch_id != meeting.branch_id:
        raise ValidationError(_("只能为本支部的会议撰写对照检查材料。"))
    review, _created = SelfReview.objects.get_or_create(meeting=meeting, member=member, defaults={"kind": SelfReview.Kind.MEMBER})
    return review


@dataclass
class ProblemInput:
    aspect: str
    text: str
    measure: str = ""


class StaleDraft(Exception):
    """The draft changed on another device since this one loaded it."""

    def __init__(self, review: SelfReview):
        super().__init__("stale draft")
        self.review = review


@transaction.atomic
def self_review_save_draft(
    *, review: SelfReview, root_causes: str, measures: str, direction: str, problems: Sequence[ProblemInput],
    base_version: int | None = None, device: str = "",
) -> SelfReview:
    """Save what is there, however unfinished (autosave). Problems are kept in place by position so their
    ids stay stable for links from the problem list."""
    review = SelfReview.objects.select_for_update().get(pk=review.pk)
    if not review.is_editable:
        raise ValidationError(_("材料已提交，不能再修改；如需修改请联系书记退回。"))
    # Stale only when another browser saved since this one loaded the text: the same browser's own late
    # saves (a beacon sent as the page closed, then the reloaded page's restore) carry its newest text.
    same_device = bool(device) and device == review.saved_by_device
    if base_version is not None and base_version < review.version and not same_device:
        raise StaleDraft(review)
    aspects = set(review.meeting.review_aspects)
    kept = [p for p in problems if p.text.strip() or p.measure.strip()]
    for p in kept:
        if p.aspect and p.aspect not in aspects:
            raise ValidationError({"problems": _("“%(a)s”不是本次会议设定的方面。") % {"a": p.aspect}})
    review.root_causes, review.measures, review.direction = root_causes.strip(), measures.strip(), direction.strip()
    review.saved_by_device = device[:40]
    review.version += 1
    review.full_clean()
    review.save()
    existing = list(review.problems.order_by("position", "id"))
    for i, p in enumerate(kept):
        row = existing[i] if i < len(existing) else SelfReviewProblem(review=review)
        row.position, row.aspect, row.text, row.measure = i, p.aspect, p.text.strip(), p.measure.strip()
        row.full_clean(exclude=["review"])
        row.save()
    SelfReviewProblem.objects.filter(pk__in=[r.pk for r in existing[len(kept):]]).delete()
    return review


def self_review_submit(*, review: SelfReview) -> SelfReview:
    if not review.is_editable:
        raise ValidationError(_("材料已提交。"))
    errors = []
    if not review.problems.exists():
        errors.append(_("请至少查摆一个问题。"))
    if not review.problems.exclude(aspect="").exists() and review.member_id:
        errors.append(_("请为问题选择所属方面。"))
    if not review.root_causes.strip():
        errors.append(_("请填写原因剖析。"))
    if not (review.measures.strip() or review.problems.exclude(measure="").exists()):
        errors.append(_("请填写整改措施。"))
    if errors:
        raise ValidationError(errors)
    review.status = SelfReview.Status.SUBMITTED
    review.submitted_at = timezone.now()
    # The committee's review is written by the secretary, who is also its reviewer.
    if review.kind == SelfReview.Kind.COMMITTEE:
        review.status = SelfReview.Status.APPROVED
        review.reviewed_at = review.submitted_at
    review.version += 1
    review.save(update_fields=["status", "submitted_at", "reviewed_at", "version", "updated_at"])
    return review


def self_review_return(*, review: SelfReview, comment: str) -> SelfReview:
    """把关: the secretary sends it back with comments; the author edits and submits again."""
    if review.status not in (SelfReview.Status.SUBMITTED, SelfReview.Status.APPROVED):
        raise ValidationError(_("只有已提交的材料可以退回。"))
    if not comment.strip():
        raise ValidationError({"comment": _("退回时请写明修改意见。")})
    review.status = SelfReview.Status.RETURNED
    review.secretary_comment = comment.strip()
    review.reviewed_at = timezone.now()
    review.version += 1
    review.save(update_fields=["status", "secretary_comment", "reviewed_at", "version", "updated_at"])
    return review


def self_review_approve(*, review: SelfReview, comment: str = "") -> SelfReview:
    if review.status != SelfReview.Status.SUBMITTED:
        raise ValidationError(_("只有待审核的材料可以审核通过。"))
    review.status = SelfReview.Status.APPROVED
    if comment.strip():
        review.secretary_comment = comment.strip()
    review.reviewed_at = timezone.now()
    review.version += 1
    review.save(update_fields=["status", "secretary_comment", "reviewed_at", "version", "updated_at"])
    return review
