"""Writes of 征求意见: submit (anonymous), sort, claim, answer, purge."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.db import tables_rewrite
from organizations.models import Member

from ..models import Forum, Meeting, Opinion, OpinionClaim, new_sort_key


def opinions_shuffle_day(*, meeting_id: int, day: dt.date) -> None:
    """Rewrite the day's opinions of a meeting one by one in a random order.

    Each row gets a fresh random sort key, and the rows are written in that random order, so their
    physical order (PostgreSQL's ctid, SQLite's rowid) no longer follows the order of submission. On
    PostgreSQL an UPDATE writes a new row version, and the versions are written in the loop's order; on
    SQLite the rowid itself is replaced by a random one. The caller holds the meeting's row lock.
    """
    ids = list(Opinion.objects.filter(meeting_id=meeting_id, received_on=day).values_list("pk", flat=True))
    secrets.SystemRandom().shuffle(ids)
    sqlite = connection.vendor == "sqlite"
    for pk in ids:
        Opinion.objects.filter(pk=pk).update(sort_key=new_sort_key())
        if sqlite:
            _randomize_sqlite_rowid(pk)


def _randomize_sqlite_rowid(pk) -> None:
    table = Opinion._meta.db_table
    for _attempt in range(5):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET rowid = %s WHERE id = %s", [secrets.randbelow(2**62) + 1, pk.hex])
            return
        except IntegrityError:  # the random rowid is taken: draw again
            continue


@transaction.atomic
def opinion_submit(
    *, meeting: Meeting, text: str, channel: str, is_anonymous: bool = False, author_member: Member | None = None,
    author_label: str = "", target_kind: str = Opinion.Target.COMMITTEE, target_member: Member | None = None,
    target_text: str = "", category: str = "", received_on: dt.date | None = None, forum: Forum | None = None,
) -> Opinion:
    """Store one opinion. An anonymous one keeps nothing about its author, whatever the caller passes.

    An opinion gathered at a forum (座谈会) carries the forum, the forum channel and the forum's date."""
    # Serializes submissions per meeting so that two day-shuffles never interleave (no deadlocks).
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if is_anonymous:
        author_member, author_label = None, ""
    if forum is not None:
        if forum.meeting_id != meeting.pk:
            raise ValidationError({"forum": _("只能登记到本次组织生活会的座谈会。")})
        if channel != Opinion.Channel.FORUM:
            raise ValidationError({"channel": _("座谈会上收集的意见，渠道须为“座谈会”。")})
        if received_on is not None and received_on != forum.held_on:
            raise ValidationError({"received_on": _("座谈会上收集的意见，收到日期应为座谈会召开日期（%(d)s）。") % {"d": forum.held_on}})
        received_on = forum.held_on
    if target_member is not None:
        if target_member.branch_id != meeting.branch_id:
            raise ValidationError({"target_member": _("只能针对本支部党员。")})
        target_kind = Opinion.Target.MEMBER
    elif target_kind == Opinion.Target.MEMBER:
        raise ValidationError({"target_member": _("请选择针对的党员。")})
    opinion = Opinion(
        meeting=meeting,
        received_on=received_on or timezone.localdate(),
        channel=channel,
        text=text.strip(),
        is_anonymous=is_anonymous,
        author_member=author_member,
        author_label=author_label.strip(),
        target_kind=target_kind,
        target_member=target_member,
        target_text=target_text.strip(),
        category=category,
        forum=forum,
    )
    opinion.full_clean()
    opinion.save(force_insert=True)
    opinions_shuffle_day(meeting_id=meeting.pk, day=opinion.received_on)
    return opinion


def opinions_purge() -> bool:
    """Rewrite the opinions table so that no superseded version of an opinion — nor the order in which the
    day's reshuffles wrote them — is left in its pages (`branchlife.db.tables_rewrite`). Beat runs it every
    OPINIONS_PURGE_EVERY_SECONDS (10 minutes): the table is small, the lock brief."""
    return tables_rewrite(Opinion)


def opinion_sort(
    *, opinion: Opinion, category: str, target_kind: str, target_member: Member | None, merged_into: Opinion | None = None
) -> Opinion:
    """梳理: the secretary sets the category and the target, or merges a duplicate into another opinion."""
    if target_kind == Opinion.Target.MEMBER and target_member is None:
        raise ValidationError({"target_member": _("请选择针对的党员。")})
    if target_member is not None and target_member.branch_id != opinion.meeting.branch_id:
        raise ValidationError({"target_member": _("只能针对本支部党员。")})
    if merged_into is not None:
        if merged_into.pk == opinion.pk or merged_into.meeting_id != opinion.meeting_id:
            raise ValidationError({"merged_into": _("只能合并到同一次会议的另一条意见。")})
        if merged_into.merged_into_id:
            merged_into = merged_into.merged_into
    opinion.category = category
    opinion.target_kind = target_kind
    opinion.target_member = target_member if target_kind == Opinion.Target.MEMBER else None
    opinion.merged_into = merged_into
    opinion.full_clean()
    with transaction.atomic():
        opinion.save()
        if merged_into is not None:
            # Duplicates of this one follow it; its claims move to the opinion it joins.
            Opinion.objects.filter(merged_into=opinion).update(merged_into=merged_into)
            for claim in list(opinion.claims.all()):
                OpinionClaim.objects.get_or_create(
                    opinion=merged_into, member_id=claim.member_id, defaults={"claimed_on": claim.claimed_on}
                )
    return opinion


def opinion_claim(*, opinion: Opinion, member: Member) -> OpinionClaim:
    if member.branch_id != opinion.meeting.branch_id:
        raise ValidationError(_("只能认领本支部的意见。"))
    if opinion.merged_into_id:
        opinion = opinion.merged_into
    claim, _created = OpinionClaim.objects.get_or_create(
        opinion=opinion, member=member, defaults={"claimed_on": timezone.localdate()}
    )
    return claim


def opinion_unclaim(*, opinion: Opinion, member: Member) -> None:
    OpinionClaim.objects.filter(opinion=opinion, member=member).delete()


def opinion_answer(
    *, opinion: Opinion, answer: str, status: str, by: Member | None, answered_on: dt.date | None = None
) -> Opinion:
    """answered_on is the day the opinion was first answered: today, or the forum's date when its recorder
    answers on the spot; correcting an answer later keeps it (or the forum's "当场答复" would be lost)."""
    if status != Opinion.Status.OPEN and not answer.strip():
        raise ValidationError({"answer": _("请填写答复或办理情况。")})
    already_answered = opinion.status != Opinion.Status.OPEN and opinion.answered_on is not None
    opinion.answer = answer.strip()
    opinion.status = status
    if status == Opinion.Status.OPEN:
        opinion.answered_on, opinion.answered_by = None, None
    else:
        opinion.answered_on = answered_on or (opinion.answered_on if already_answered else timezone.localdate())
        opinion.answered_by = by
    opinion.full_clean()
    opinion.save(update_fields=["answer", "status", "answered_on", "answered_by"])
    return opinion
