"""Writes of 谈心谈话: save (a member records only their own talks), confirm, dispute."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Member

from ..models import Meeting, Talk


def talk_save(
    *, meeting: Meeting, member_a: Member, held_on: dt.date, topics: str, summary: str = "",
    member_b: Member | None = None, other_kind: str = "", other_name: str = "", recorded_by=None, talk: Talk | None = None,
    as_member: Member | None = None,
) -> Talk:
    """Record or correct a talk. `as_member`: the member recording it when they are not the secretary;
    a member records only their own talks (issue 21: the rule lives here, the form only echoes it)."""
    if as_member is not None and as_member.pk not in (member_a.pk, member_b.pk if member_b else None):
        raise ValidationError({"member_b": _("只能记录自己参加的谈话。")})
    if member_a.branch_id != meeting.branch_id or (member_b and member_b.branch_id != meeting.branch_id):
        raise ValidationError(_("谈话双方须为本支部党员（或填写支部以外的谈话对象）。"))
    if member_b is not None and member_b.pk == member_a.pk:
        raise ValidationError({"member_b": _("不能与自己谈话。")})
    if member_b is None and not other_kind:
        raise ValidationError({"member_b": _("请选择谈话对象，或注明支部以外的对象类型。")})
    talk = talk or Talk(meeting=meeting, recorded_by=recorded_by)
    talk.member_a, talk.member_b = member_a, member_b
    talk.other_kind = "" if member_b else other_kind
    talk.other_name = "" if member_b else other_name.strip()
    talk.held_on, talk.topics, talk.summary = held_on, topics.strip(), summary.strip()
    # An edited talk is confirmed afresh by the other side (Talk.confirmer_id), whatever they said before.
    talk.confirmed_at = talk.disputed_at = None
    talk.dispute_note = ""
    talk.full_clean()
    talk.save()
    return talk


def talk_delete(*, talk: Talk) -> None:
    talk.delete()


def _talk_to_answer(talk: Talk, member: Member) -> Talk:
    """The talk, locked, once it is established that `member` may still confirm or dispute it."""
    talk = Talk.objects.select_for_update(of=("self",)).select_related("meeting", "member_a", "member_b").get(pk=talk.pk)
    if talk.meeting.closed_at is not None:
        raise ValidationError(_("会议已结束，谈心谈话不能再确认。"))
    if talk.confirmer_id is None or talk.confirmer_id != member.pk:
        raise ValidationError(_("只有谈话的另一方可以确认这次谈话。"))
    if talk.confirmed_at is not None:
        raise ValidationError(_("这次谈话已经确认过了。"))
    if talk.disputed_at is not None:
        raise ValidationError(_("您已表示这次谈话未进行；记录人修改后会请您重新确认。"))
    return talk


@transaction.atomic
def talk_confirm(*, talk: Talk, member: Member, now: dt.datetime | None = None) -> Talk:
    """确认: the party who did not record the talk says it took place; from then on it counts."""
    talk = _talk_to_answer(talk, member)
    talk.confirmed_at = now or timezone.now()
    talk.full_clean()
    talk.save(update_fields=["confirmed_at"])
    return talk


@transaction.atomic
def talk_dispute(*, talk: Talk, member: Member, note: str = "", now: dt.datetime | None = None) -> Talk:
    """未进行/有异议: the other party says the talk did not take place (as recorded). It does not count; the
    secretary and the recorder see it, and the recorder corrects or deletes it."""
    talk = _talk_to_answer(talk, member)
    talk.disputed_at = now or timezone.now()
    talk.dispute_note = note.strip()
    talk.full_clean()
    talk.save(update_fields=["disputed_at", "dispute_note"])
    return talk
