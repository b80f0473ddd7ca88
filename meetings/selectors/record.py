"""Reads of the meeting itself (issue 5): attendance, agenda, the record, when the room closes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.dates import cn_date
from organizations.models import Member

from .. import quality
from ..models import (
    AgendaItem,
    Attendance,
    ClaimedProblem,
    Commitment,
    Criticism,
    Meeting,
    MeetingComment,
    Opinion,
    SelfReview,
    SelfReviewProblem,
)
from .opinions import opinion_list
from .plan import meeting_members, member_order
from .self_reviews import earlier_texts


def record_closed_reason(*, meeting: Meeting, today: dt.date | None = None) -> str:
    """Why the room's records (attendance, the live record, supervisors present, comments, check-in and the
    in-room evaluation) cannot be written today; "" when they can. They open on the meeting's day, so a
    meeting not yet held can never report who attended it. A meeting that moved earlier moves its date."""
    today = today or timezone.localdate()
    if meeting.closed_at is not None:
        return _("会议已结束，记录不能再修改。")
    if meeting.held_on is None:
        return _("请先填写会议召开日期：会议当天起才能签到、登记出席和记录会议。")
    if today < meeting.held_on:
        return _("会议定于%(d)s召开，当天起才能签到、登记出席、记录会议和扫码测评。会议如提前召开，请先修改召开日期（会重新发出会议通知）。") % {
            "d": cn_date(meeting.held_on)
        }
    return ""


def members_present(*, meeting: Meeting) -> list[Member] | None:
    """Members marked present at the meeting; None while attendance has not been recorded."""
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("member"))
    if not rows:
        return None
    return sorted((r.member for r in rows if r.status in Attendance.ATTENDED), key=member_order)


@dataclass
class AttendanceSummary:
    total: int
    present: int  # attended: in the room, late or by video (Attendance.ATTENDED)
    absent: int
    leave: int
    unrecorded: int
    required_percent: int
    rows: list[tuple[Member, Attendance | None]]
    supervisors_present: list
    remote: int = 0
    late: int = 0

    @property
    def recorded(self) -> bool:
        return self.unrecorded < self.total

    @property
    def percent(self) -> int:
        return self.present * 100 // self.total if self.total else 0

    @property
    def below_required(self) -> bool:
        # Integers only: present / total < required % ⇔ present × 100 < required × total.
        return self.recorded and self.present * 100 < self.required_percent * self.total


def attendance_summary(*, meeting: Meeting, members: list[Member] | None = None) -> AttendanceSummary:
    members = members if members is not None else meeting_members(meeting=meeting)
    by_member = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    rows = [(m, by_member.get(m.pk)) for m in members]
    count = {s: sum(1 for _m, a in rows if a and a.status == s) for s in Attendance.Status.values}
    return AttendanceSummary(
        total=len(members),
        present=sum(count[s] for s in Attendance.ATTENDED),
        absent=count["absent"],
        leave=count["leave"],
        remote=count["remote"],
        late=count["late"],
        unrecorded=sum(1 for _m, a in rows if a is None),
        required_percent=meeting.branch.required_attendance_percent,
        rows=rows,
        supervisors_present=list(meeting.supervisors_present.all()),
    )


def agenda(*, meeting: Meeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))


def criticism_hints(*, meeting: Meeting, text: str, receiver: Member | None) -> list[quality.Hint]:
    """Seed 003: criticism must be specific, not an old problem recycled every year."""
    earlier = earlier_texts(member=receiver, before_year=meeting.year) if receiver else []
    return quality.problem_hints(text, earlier) + quality.measure_hints(text)


@dataclass
class SpeakerRecord:
    member: Member
    attendance: Attendance | None = None
    self_criticism: Criticism | None = None
    received: list[Criticism] = field(default_factory=list)
    given: list[Criticism] = field(default_factory=list)
    claims: list[ClaimedProblem] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    comment: MeetingComment | None = None
    hints: dict[int, list[quality.Hint]] = field(default_factory=dict)  # by criticism id


@dataclass
class MeetingRecord:
    opinions: list[Opinion] = field(default_factory=list)
    reviews: list[SelfReview] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)
    attendance: AttendanceSummary | None = None
    speakers: list[SpeakerRecord] = field(default_factory=list)
    to_committee: list[Criticism] = field(default_factory=list)
    committee_claims: list[ClaimedProblem] = field(default_factory=list)
    committee_commitments: list[Commitment] = field(default_factory=list)
    supervisor_comments: list[MeetingComment] = field(default_factory=list)
    no_criticism: list[Member] = field(default_factory=list)
    see_all: bool = False

    @property
    def criticism_count(self) -> int:
        return len(self.to_committee) + sum(len(s.received) for s in self.speakers)

    @property
    def hint_count(self) -> int:
        return sum(len(h) for s in self.speakers for h in s.hints.values())


def speaker_records(*, meeting: Meeting, members: list[Member], with_hints: bool = False) -> tuple[list[SpeakerRecord], MeetingRecord]:
    """Everything recorded at the meeting, grouped by member, in a fixed number of queries."""
    by_id = {m.pk: SpeakerRecord(member=m) for m in members}
    rec = MeetingRecord()
    for a in Attendance.objects.filter(meeting=meeting):
        if a.member_id in by_id:
            by_id[a.member_id].attendance = a
    for c in Criticism.objects.filter(meeting=meeting).select_related("giver", "receiver").order_by("created_at", "id"):
        if c.is_self:
            if c.giver_id in by_id:
                by_id[c.giver_id].self_criticism = c
            continue
        if c.receiver_id is None:
            rec.to_committee.append(c)
        elif c.receiver_id in by_id:
            by_id[c.receiver_id].received.append(c)
        if c.giver_id in by_id:
            by_id[c.giver_id].given.append(c)
    for c in ClaimedProblem.objects.filter(meeting=meeting).select_related("member").order_by("created_at", "id"):
        (by_id[c.member_id].claims if c.member_id in by_id else rec.committee_claims).append(c)
    for c in Commitment.objects.filter(meeting=meeting).select_related("member").order_by("created_at", "id"):
        (by_id[c.member_id].commitments if c.member_id in by_id else rec.committee_commitments).append(c)
    for c in MeetingComment.objects.filter(meeting=meeting).select_related("supervisor"):
        if c.kind == MeetingComment.Kind.SECRETARY and c.member_id in by_id:
            by_id[c.member_id].comment = c
        elif c.kind == MeetingComment.Kind.SUPERVISOR:
            rec.supervisor_comments.append(c)
    speakers = list(by_id.values())
    if with_hints:
        earlier = _earlier_by_member(meeting=meeting, member_ids=list(by_id))
        for s in speakers:
            for c in s.received:
                found = quality.problem_hints(c.text, earlier.get(s.member.pk, [])) + quality.measure_hints(c.text)
                if found:
                    s.hints[c.pk] = found
    return speakers, rec


def _earlier_by_member(*, meeting: Meeting, member_ids: list[int]) -> dict[int, list[quality.Earlier]]:
    """Earlier years' self-review problems and criticisms received, for many members in two queries."""
    earlier: dict[int, list[quality.Earlier]] = {}
    rows = SelfReviewProblem.objects.filter(
        review__member_id__in=member_ids, review__meeting__year__lt=meeting.year
    ).values_list("review__member_id", "review__meeting__year", "text")
    for member_id, year, text in rows:
        earlier.setdefault(member_id, []).append(quality.Earlier(year, text))
    rows = Criticism.objects.filter(
        receiver_id__in=member_ids, meeting__year__lt=meeting.year, is_self=False
    ).values_list("receiver_id", "meeting__year", "text")
    for member_id, year, text in rows:
        earlier.setdefault(member_id, []).append(quality.Earlier(year, text))
    return earlier


def meeting_record(*, meeting: Meeting, user, see_all: bool) -> MeetingRecord:
    """What the meeting page shows: everything for the secretary, recorders, committee, officers and
    supervisors; for a member, what concerns them (their own material and record, the committee's,
    opinions to them or the committee, or claimed by them)."""
    from branchlife.permissions import actor_of

    me = actor_of(user).member
    members = meeting_members(meeting=meeting)
    speakers, rec = speaker_records(meeting=meeting, members=members, with_hints=see_all)
    opinions = opinion_list(meeting=meeting)
    done = Q(status__in=SelfReview.DONE_STATUSES)
    reviews = SelfReview.objects.filter(meeting=meeting).select_related("member").prefetch_related(
        Prefetch("problems", queryset=SelfReviewProblem.objects.order_by("position", "id"))
    )
    if see_all:
        reviews = reviews.filter(done | Q(member=me) if me else done)
        attendance = attendance_summary(meeting=meeting, members=members)
        if attendance.recorded:
            present = {m.pk for m, a in attendance.rows if a and a.status in Attendance.ATTENDED}
            rec.no_criticism = [s.member for s in speakers if s.member.pk in present and not s.received]
        rec.attendance = attendance
    else:
        opinions = opinions.filter(
            Q(target_kind=Opinion.Target.COMMITTEE) | Q(target_member=me) | Q(claims__member=me)
        ).distinct() if me else opinions.none()
        reviews = reviews.filter(Q(member=me) | (Q(kind=SelfReview.Kind.COMMITTEE) & done)) if me else reviews.none()
        speakers = [s for s in speakers if me and s.member.pk == me.pk]
        for s in speakers:
            s.given = []  # what they said about others stays in the full record
    rec.reviews = sorted(reviews, key=lambda r: (r.kind != SelfReview.Kind.COMMITTEE, member_order(r.member) if r.member else ()))
    rec.opinions = list(opinions)
    rec.agenda = agenda(meeting=meeting)
    rec.speakers = speakers
    rec.see_all = see_all
    return rec
