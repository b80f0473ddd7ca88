"""Writes for the meetings app: plan, study, opinions, talks, self-reviews (issue 4)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.db import tables_rewrite
from organizations.models import Member, Organization, Supervisor
from organizations.selectors import supervisors_in_reach

from . import selectors, talks
from .models import (
    AgendaItem,
    Attendance,
    ClaimedProblem,
    Commitment,
    Criticism,
    Forum,
    Meeting,
    MeetingComment,
    Opinion,
    OpinionClaim,
    SelfReview,
    SelfReviewProblem,
    StudySession,
    Talk,
    new_sort_key,
)

MEETING_FIELDS = (
    "kind", "theme", "year", "held_on", "starts_at", "place", "excellent_quota", "opinions_close_on",
    "talks_due_on", "self_reviews_due_on", "ballot_closes_at", "rectification_plans_due_on", "basis",
    "talk_rule_set", "custom_talk_rules", "review_aspects", "claim_target_member", "claim_target_committee",
    "video_link",
)

# What a calendar event shows of the meeting's when and where: a change raises its SEQUENCE.
CALENDAR_FIELDS = ("held_on", "starts_at", "place", "video_link")


# ---------------------------------------------------------------- the plan
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
    coverage = selectors.talk_coverage(meeting=meeting)
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


# ---------------------------------------------------------------- study sessions
@transaction.atomic
def study_session_save(
    *, meeting: Meeting, attendees: Sequence[Member], session: StudySession | None = None,
    held_on: dt.date, topic: str, form: str = "", materials: str = "",
) -> StudySession:
    session = session or StudySession(meeting=meeting)
    if session.pk and session.held_on != held_on:
        session.calendar_sequence += 1  # its calendar event moved (meetings/calendar.py)
    session.held_on, session.topic, session.form, session.materials = held_on, topic, form, materials
    session.full_clean()
    session.save()
    session.attendees.set([m for m in attendees if m.branch_id == meeting.branch_id])
    return session


def study_session_delete(*, session: StudySession) -> None:
    session.delete()


# ---------------------------------------------------------------- opinions
def _shuffle_day(*, meeting_id: int, day: dt.date) -> None:
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
    _shuffle_day(meeting_id=meeting.pk, day=opinion.received_on)
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


# ---------------------------------------------------------------- forums (座谈会)
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
    allowed = set(selectors.forum_supervisor_choices(meeting=meeting, forum=forum).values_list("pk", flat=True))
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
        _shuffle_day(meeting_id=meeting.pk, day=held_on)
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


# ---------------------------------------------------------------- talks
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


# ---------------------------------------------------------------- self-reviews
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


# ================================================================ issue 5: the meeting itself
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
    if reason := selectors.record_closed_reason(meeting=meeting):
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


def problem_entries(*, meeting: Meeting) -> list:
    """For each member (and the committee, member None): criticisms received, problems claimed on the
    spot, the submitted self-review's problems and the opinions they claimed, each with its source row."""
    from rectification.services import ProblemEntry

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


@dataclass
class CloseResult:
    problems_created: int | None  # None when the rectification app cannot take the list (yet)


@transaction.atomic
def meeting_close(*, meeting: Meeting) -> CloseResult:
    """End the meeting: the record becomes read-only and every member's problem list is built (issue 7
    takes it from there). Safe to call again: only new sources become new problems."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.held_on is None:
        raise ValidationError(_("请先填写会议召开日期。"))
    if meeting.held_on > timezone.localdate():
        raise ValidationError(_("会议尚未召开（%(d)s），不能结束。") % {"d": meeting.held_on})
    if not Attendance.objects.filter(meeting=meeting).exists():
        raise ValidationError(_("请先登记出席情况。"))
    created = None
    try:
        from rectification.services import problem_list_build
    except ImportError:
        problem_list_build = None
    if problem_list_build is not None:
        created = problem_list_build(meeting=meeting, entries=problem_entries(meeting=meeting))
    if meeting.closed_at is None:
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["closed_at"])
    return CloseResult(problems_created=created)


def meeting_reopen(*, meeting: Meeting) -> Meeting:
    meeting.closed_at = None
    meeting.save(update_fields=["closed_at"])
    return meeting
