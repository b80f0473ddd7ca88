"""Writes of the plan: create, update, mark ready."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Member, Organization, Supervisor
from organizations.selectors import supervisors_in_reach

from .. import selectors, talks
from ..models import Meeting
from .record import agenda_ensure_default

MEETING_FIELDS = (
    "kind", "theme", "year", "held_on", "starts_at", "place", "excellent_quota", "opinions_close_on",
    "talks_due_on", "self_reviews_due_on", "ballot_closes_at", "rectification_plans_due_on", "basis",
    "talk_rule_set", "custom_talk_rules", "review_aspects", "claim_target_member", "claim_target_committee",
    "video_link",
)


# What a calendar event shows of the meeting's when and where: a change raises its SEQUENCE.
CALENDAR_FIELDS = ("held_on", "starts_at", "place", "video_link")


def _validate_meeting(meeting: Meeting) -> None:
    errors: dict[str, list[str]] = {}
    if not meeting.branch.is_branch:
        errors.setdefault("branch", []).append(_("只能为党支部安排组织生活会。"))
    if meeting.kind == Meeting.Kind.SPECIAL and not meeting.theme.strip():
        errors.setdefault("theme", []).append(_("专题组织生活会须填写主题。"))
    if meeting.held_on:
        for name in ("opinions_close_on", "talks_due_on", "self_reviews_due_on"):
            value = getattr(meeting, name)
            if value and value > meeting.held_on:
                errors.setdefault(name, []).append(_("应不晚于召开日期（%(d)s）。") % {"d": meeting.held_on})
        if meeting.rectification_plans_due_on and meeting.rectification_plans_due_on < meeting.held_on:
            errors.setdefault("rectification_plans_due_on", []).append(_("应在召开日期之后。"))
        if meeting.ballot_closes_at and timezone.localtime(meeting.ballot_closes_at).date() < meeting.held_on:
            errors.setdefault("ballot_closes_at", []).append(_("测评应在会议召开当天或之后截止。"))
    if meeting.talk_rule_set == Meeting.TalkRuleSet.CUSTOM:
        keys = meeting.custom_talk_rules or []
        if not keys or any(k not in talks.RULES for k in keys):
            errors.setdefault("custom_talk_rules", []).append(_("请至少选择一条必谈规则。"))
    aspects = meeting.review_aspects
    if not isinstance(aspects, list) or not aspects or not all(isinstance(a, str) and a.strip() for a in aspects):
        errors.setdefault("review_aspects", []).append(_("请至少填写一个对照检查的方面。"))
    if errors:
        raise ValidationError(errors)


def _clean_save(meeting: Meeting) -> Meeting:
    meeting.full_clean()
    _validate_meeting(meeting)
    meeting.save()
    return meeting


def _check_supervisors(branch: Organization, supervisors: Sequence[Supervisor]) -> None:
    """A supervisor named on a meeting reads the branch's meeting: only one in reach of the branch."""
    allowed = set(supervisors_in_reach(branches=[branch]).values_list("pk", flat=True))
    strangers = [s.name for s in supervisors if s.pk not in allowed]
    if strangers:
        raise ValidationError(
            {"supervisors": _("%(names)s 不是本支部或其上级党组织的督导。") % {"names": "、".join(strangers)}}
        )


@transaction.atomic
def meeting_create(
    *, branch: Organization, supervisors: Sequence[Supervisor] = (), recorders: Sequence[Member] = (), **fields
) -> Meeting:
    _check_supervisors(branch, supervisors)
    meeting = Meeting(branch=branch, **{k: v for k, v in fields.items() if k in MEETING_FIELDS})
    _clean_save(meeting)
    meeting.supervisors.set(supervisors)
    meeting.recorders.set([m for m in recorders if m.branch_id == branch.pk])
    agenda_ensure_default(meeting=meeting)  # planned with seed 002's agenda, so the record pages only read it
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, supervisors: Sequence[Supervisor] | None = None, recorders: Sequence[Member] | None = None, **fields
) -> Meeting:
    if supervisors is not None:
        _check_supervisors(meeting.branch, supervisors)
    # From the row, not the instance: a ModelForm has already put the new values on it.
    before = Meeting.objects.filter(pk=meeting.pk).values_list(*CALENDAR_FIELDS).first()
    for key, value in fields.items():
        if key in MEETING_FIELDS:
            setattr(meeting, key, value)
    if before is not None and before != tuple(getattr(meeting, f) for f in CALENDAR_FIELDS):
        meeting.calendar_sequence += 1  # the calendar event moved (meetings/calendar.py)
    _clean_save(meeting)
    if supervisors is not None:
        meeting.supervisors.set(supervisors)
    if recorders is not None:
        meeting.recorders.set([m for m in recorders if m.branch_id == meeting.branch_id])
    return meeting


def meeting_mark_ready(*, meeting: Meeting, note: str = "") -> Meeting:
    """The meeting is ready only when the required talks are all done, or the secretary says why not."""
    coverage = selectors.talks.talk_coverage(meeting=meeting)
    note = note.strip()
    if not coverage.complete and not note:
        # A talk waiting for the other side's confirmation is not done either (issue 16 item 5).
        pending = _("（待对方确认）")
        missing = "、".join(
            f"{p.a.name if p.a else ''}—{p.b.name if p.b else p.partner_label}{pending if p.pending else ''}"
            for p in (coverage.missing + coverage.pending)[:10]
        )
        raise ValidationError(
            {"note": _("还有 %(n)s 对必谈未完成（%(missing)s），请先完成，或写明未完成的原因。")
             % {"n": len(coverage.missing) + len(coverage.pending), "missing": missing}}
        )
    meeting.ready_at = timezone.now()
    meeting.ready_note = note if not coverage.complete else ""
    meeting.save(update_fields=["ready_at", "ready_note"])
    return meeting


def meeting_unmark_ready(*, meeting: Meeting) -> Meeting:
    meeting.ready_at = None
    meeting.ready_note = ""
    meeting.save(update_fields=["ready_at", "ready_note"])
    return meeting
