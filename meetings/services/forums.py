"""Writes of 座谈会."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Member, Supervisor

from .. import selectors
from ..models import Forum, Meeting, Opinion
from .opinions import opinion_answer, opinion_submit, opinions_shuffle_day


def _validate_forum(forum: Forum, supervisors: Sequence[Supervisor], today: dt.date) -> None:
    errors: dict[str, list[str]] = {}
    meeting = forum.meeting
    if forum.held_on:
        # A forum gathers opinions for the meeting, so it is held before it (or on the day); and it is a
        # record of a forum that took place, with its real number of participants, so not a future one.
        if meeting.held_on and forum.held_on > meeting.held_on:
            errors.setdefault("held_on", []).append(
                _("座谈会是为组织生活会征求意见，日期不能晚于会议召开日期（%(d)s）。") % {"d": meeting.held_on}
            )
        if forum.held_on > today:
            errors.setdefault("held_on", []).append(_("只能登记已经召开的座谈会，日期不能晚于今天。"))
    for name in ("member_participants", "other_participants"):
        value = getattr(forum, name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(_("人数不能为负数。"))
    allowed = set(selectors.forums.forum_supervisor_choices(meeting=meeting, forum=forum).values_list("pk", flat=True))
    strangers = [s.name for s in supervisors if s.pk not in allowed]
    if strangers:
        errors.setdefault("supervisors", []).append(
            _("%(names)s 不是本次会议或本支部的督导。") % {"names": "、".join(strangers)}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def forum_save(
    *, meeting: Meeting, held_on: dt.date, topic: str, member_participants: int, other_participants: int = 0,
    place: str = "", notes: str = "", supervisors: Sequence[Supervisor] = (), forum: Forum | None = None,
    today: dt.date | None = None,
) -> Forum:
    """Create or change a forum. Moving its date moves the opinions gathered there (and answers given on
    the spot) to the new date, and reshuffles that day, as any opinion's day is."""
    if forum is not None and forum.meeting_id != meeting.pk:
        raise ValidationError(_("座谈会不属于这次组织生活会。"))
    forum = forum or Forum(meeting=meeting)
    old_day = forum.held_on if forum.pk else None
    forum.held_on, forum.topic, forum.place, forum.notes = held_on, topic.strip(), place.strip(), notes.strip()
    forum.member_participants, forum.other_participants = member_participants, other_participants
    _validate_forum(forum, supervisors, today or timezone.localdate())
    forum.full_clean()
    forum.save()
    forum.supervisors.set(supervisors)
    if old_day and old_day != held_on:
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        Opinion.objects.filter(forum=forum, answered_on=old_day).update(answered_on=held_on)
        Opinion.objects.filter(forum=forum).update(received_on=held_on)
        opinions_shuffle_day(meeting_id=meeting.pk, day=held_on)
    return forum


def forum_delete(*, forum: Forum) -> None:
    """The opinions gathered there stay (channel 座谈会), only their link to the forum goes."""
    forum.delete()


@transaction.atomic
def forum_opinion_record(
    *, forum: Forum, text: str, category: str = "", target_member: Member | None = None, answer: str = "",
    status: str = "", by: Member | None = None,
) -> Opinion:
    """An opinion gathered at the forum, anonymous (speakers at a forum are not registered). With an
    answer it was answered on the spot (当场答复) or resolved: answered_on is the forum's date."""
    answer = answer.strip()
    if status == Opinion.Status.OPEN:
        status = ""
    if answer and not status:
        status = Opinion.Status.ANSWERED
    if status and not answer:
        raise ValidationError({"answer": _("请填写当场答复或办理情况。")})
    if status and status not in (Opinion.Status.ANSWERED, Opinion.Status.RESOLVED):
        raise ValidationError({"status": _("请选择“已答复”或“已解决”。")})
    opinion = opinion_submit(
        meeting=forum.meeting, text=text, channel=Opinion.Channel.FORUM, is_anonymous=True,
        target_member=target_member, category=category, forum=forum,
    )
    if status:
        opinion = opinion_answer(opinion=opinion, answer=answer, status=status, by=by, answered_on=forum.held_on)
    return opinion
