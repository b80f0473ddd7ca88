"""Writes of the meeting itself (issue 5): agenda, attendance, check-in, the record's entries, closing the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Member, Supervisor

from .. import selectors
from ..models import AgendaItem, Attendance, ClaimedProblem, Commitment, Criticism, Meeting, MeetingComment

DEFAULT_AGENDA = [
    (AgendaItem.Kind.COMMITTEE_REVIEW, "支部书记代表党支部作对照检查，党员对支部班子提出意见建议"),
    (AgendaItem.Kind.MEMBER_REVIEWS, "支部班子其他成员分别作对照检查，开展批评和自我批评"),
    (AgendaItem.Kind.SECRETARY_COMMENTS, "党支部书记结合党员开展批评和自我批评情况，对每名党员进行讲评"),
    (AgendaItem.Kind.SUPERVISOR_COMMENT, "与会督导对支委、班子成员情况作点评"),
    (AgendaItem.Kind.CLOSING, "支部书记根据与会领导点评情况和党员提出的意见建议作表态发言"),
]


def _require_not_closed(meeting: Meeting) -> None:
    if meeting.closed_at is not None:
        raise ValidationError(_("会议已结束，记录不能再修改。"))


def _require_open(meeting: Meeting) -> None:
    """The room's records are written on the meeting's day or later, until the meeting is closed."""
    if reason := selectors.record.record_closed_reason(meeting=meeting):
        raise ValidationError(reason)


def _same_branch(meeting: Meeting, *members: Member | None) -> None:
    for m in members:
        if m is not None and m.branch_id != meeting.branch_id:
            raise ValidationError(_("只能记录本支部党员。"))


def agenda_default(*, meeting: Meeting) -> list[AgendaItem]:
    """Seed 002's five items, unsaved (pk None): what a page shows before the agenda is stored."""
    return [AgendaItem(meeting=meeting, position=i, kind=kind, title=title) for i, (kind, title) in enumerate(DEFAULT_AGENDA)]


def agenda_ensure_default(*, meeting: Meeting) -> list[AgendaItem]:
    """Store seed 002's five items unless the meeting has an agenda. Called when the meeting is planned
    and on the first record POST, never on a GET (issue 21: GET never writes)."""
    if not AgendaItem.objects.filter(meeting=meeting).exists():
        AgendaItem.objects.bulk_create(agenda_default(meeting=meeting))
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))


@dataclass
class AgendaInput:
    title: str
    kind: str = AgendaItem.Kind.OTHER
    pk: int | None = None


@transaction.atomic
def agenda_save(*, meeting: Meeting, items: Sequence[AgendaInput]) -> list[AgendaItem]:
    """The agenda as listed, in that running order; items left out are removed."""
    _require_not_closed(meeting)
    items = [i for i in items if i.title.strip()]
    if not items:
        raise ValidationError(_("议程至少要有一项。"))
    existing = {a.pk: a for a in AgendaItem.objects.filter(meeting=meeting)}
    kept = []
    for position, item in enumerate(items):
        row = existing.pop(item.pk, None) if item.pk else None
        row = row or AgendaItem(meeting=meeting)
        row.position, row.kind, row.title = position, item.kind, item.title.strip()
        row.full_clean()
        row.save()
        kept.append(row)
    AgendaItem.objects.filter(pk__in=list(existing)).delete()
    return kept


@dataclass
class AttendanceInput:
    member: Member
    status: str
    reason: str = ""


@transaction.atomic
def attendance_save(*, meeting: Meeting, rows: Sequence[AttendanceInput], supervisors_present: Sequence[Supervisor]) -> None:
    _require_open(meeting)
    errors = []
    for row in rows:
        _same_branch(meeting, row.member)
        if row.status not in Attendance.ATTENDED and not row.reason.strip():
            errors.append(_("%(name)s：缺席或请假须注明原因。") % {"name": row.member.name})
    if errors:
        raise ValidationError(errors)
    for row in rows:
        Attendance.objects.update_or_create(
            meeting=meeting, member=row.member,
            defaults={"status": row.status, "reason": row.reason.strip()},
        )
    allowed = set(meeting.supervisors.values_list("pk", flat=True))
    meeting.supervisors_present.set([s for s in supervisors_present if s.pk in allowed])


def member_check_in(*, meeting: Meeting, member: Member | None, via: str, now: dt.datetime | None = None) -> Attendance:
    """A member checks themself in (扫码签到 in the room, or the read-out code when joining by video).

    Once only: a second check-in is refused, not recorded again. A row the secretary entered before (say
    请假, and the member came after all) is turned into attendance; the secretary corrects it afterwards."""
    if member is None:
        raise ValidationError(_("只有本支部党员可以签到。"))
    if member.branch_id != meeting.branch_id:
        raise ValidationError(_("你不是本支部党员，不能在本次会议签到。"))
    _require_open(meeting)
    now = now or timezone.now()
    status = Attendance.Status.REMOTE if via == Attendance.Via.CODE else Attendance.Status.PRESENT
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
        if row is not None and row.checked_in_at is not None:
            raise ValidationError(
                _("你已于%(t)s签到，无需重复签到。") % {"t": timezone.localtime(row.checked_in_at).strftime("%H:%M")}
            )
        row = row or Attendance(meeting=meeting, member=member)
        if row.status not in Attendance.ATTENDED or row.pk is None:
            row.status, row.reason = status, ""
        row.checked_in_via, row.checked_in_at = via, now
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # the same member checking in twice at once: one row wins
            raise ValidationError(_("你已经签到，无需重复签到。")) from None
    return row


def _entry_exists(model, meeting: Meeting, client_id):
    if client_id is None:
        return None
    return model.objects.filter(meeting=meeting, client_id=client_id).first()


def _agenda_item(meeting: Meeting, agenda_item_id) -> AgendaItem | None:
    if not agenda_item_id:
        return None
    return AgendaItem.objects.filter(meeting=meeting, pk=agenda_item_id).first()


def criticism_add(
    *, meeting: Meeting, text: str, receiver: Member | None, giver: Member | None = None, giver_label: str = "",
    client_id=None, agenda_item_id: int | None = None,
) -> Criticism:
    """A criticism given at the meeting (receiver None = to the branch committee). Idempotent on client_id."""
    _require_open(meeting)
    _same_branch(meeting, giver, receiver)
    if found := _entry_exists(Criticism, meeting, client_id):
        return found
    if giver is None and not giver_label.strip():
        raise ValidationError({"giver": _("请选择提出批评的人。")})
    if giver is not None and receiver is not None and giver.pk == receiver.pk:
        raise ValidationError({"receiver": _("自我批评请写在“自我批评”栏。")})
    criticism = Criticism(
        meeting=meeting, giver=giver, giver_label="" if giver else giver_label.strip(), receiver=receiver,
        is_self=False, text=text.strip(), agenda_item=_agenda_item(meeting, agenda_item_id),
    )
    if client_id is not None:
        criticism.client_id = client_id
    criticism.full_clean()
    criticism.save()
    return criticism


def self_criticism_save(*, meeting: Meeting, member: Member, text: str) -> Criticism | None:
    """The member's self-criticism, one text per member, saved as it is typed."""
    _require_open(meeting)
    _same_branch(meeting, member)
    text = text.strip()
    existing = Criticism.objects.filter(meeting=meeting, giver=member, is_self=True).first()
    if not text:
        if existing:
            existing.delete()
        return None
    criticism = existing or Criticism(meeting=meeting, giver=member, receiver=member, is_self=True)
    criticism.text = text
    criticism.full_clean()
    criticism.save()
    return criticism


def claim_add(
    *, meeting: Meeting, member: Member | None, text: str, criticism: Criticism | None = None, client_id=None,
    agenda_item_id: int | None = None,
) -> ClaimedProblem:
    _require_open(meeting)
    _same_branch(meeting, member)
    if found := _entry_exists(ClaimedProblem, meeting, client_id):
        return found
    if criticism is not None and criticism.meeting_id != meeting.pk:
        raise ValidationError(_("只能认领本次会议的批评意见。"))
    text = text.strip() or (criticism.text if criticism else "")
    claim = ClaimedProblem(meeting=meeting, member=member, criticism=criticism, text=text, agenda_item=_agenda_item(meeting, agenda_item_id))
    if client_id is not None:
        claim.client_id = client_id
    claim.full_clean()
    claim.save()
    return claim


def commitment_add(
    *, meeting: Meeting, member: Member | None, text: str, due_on: dt.date | None = None, client_id=None,
    agenda_item_id: int | None = None,
) -> Commitment:
    _require_open(meeting)
    _same_branch(meeting, member)
    if found := _entry_exists(Commitment, meeting, client_id):
        return found
    commitment = Commitment(meeting=meeting, member=member, text=text.strip(), due_on=due_on, agenda_item=_agenda_item(meeting, agenda_item_id))
    if client_id is not None:
        commitment.client_id = client_id
    commitment.full_clean()
    commitment.save()
    return commitment


def record_entry_delete(*, entry) -> None:
    _require_open(entry.meeting)
    entry.delete()


def comment_save(*, meeting: Meeting, kind: str, text: str, member: Member | None = None, supervisor: Supervisor | None = None) -> MeetingComment:
    """讲评 on one member, or a supervisor's 点评; saved as typed (an empty text is kept empty)."""
    _require_open(meeting)
    if kind == MeetingComment.Kind.SECRETARY:
        if member is None:
            raise ValidationError(_("请选择讲评的党员。"))
        _same_branch(meeting, member)
        comment, _created = MeetingComment.objects.get_or_create(meeting=meeting, kind=kind, member=member)
    else:
        if supervisor is None or not meeting.supervisors.filter(pk=supervisor.pk).exists():
            raise ValidationError(_("只有本次会议的督导可以写点评。"))
        comment, _created = MeetingComment.objects.get_or_create(meeting=meeting, kind=kind, supervisor=supervisor)
    comment.text = text.strip()
    comment.full_clean()
    comment.save()
    return comment


MEETING_TEXTS = ("closing_statement", "minutes", "next_steps")


def meeting_text_save(*, meeting: Meeting, field: str, text: str) -> Meeting:
    if field not in MEETING_TEXTS:
        raise ValidationError(_("未知的记录项。"))
    if field != "next_steps":
        _require_open(meeting)
    limit = Meeting._meta.get_field(field).max_length
    if len(text) > limit:
        raise ValidationError(_("内容过长（最多 %(n)s 字）。") % {"n": limit})
    setattr(meeting, field, text.strip())
    meeting.save(update_fields=[field])
    return meeting


@transaction.atomic
def meeting_record_close(*, meeting: Meeting) -> Meeting:
    """End the meeting's record: from now on it is read-only. The meeting, locked, is returned; closing a
    meeting also builds its problem list, so pages and the demo call lifecycle.services.meeting_close."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.held_on is None:
        raise ValidationError(_("请先填写会议召开日期。"))
    if meeting.held_on > timezone.localdate():
        raise ValidationError(_("会议尚未召开（%(d)s），不能结束。") % {"d": meeting.held_on})
    if not Attendance.objects.filter(meeting=meeting).exists():
        raise ValidationError(_("请先登记出席情况。"))
    if meeting.closed_at is None:
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["closed_at"])
    return meeting


def meeting_reopen(*, meeting: Meeting) -> Meeting:
    meeting.closed_at = None
    meeting.save(update_fields=["closed_at"])
    return meeting
