"""Reads of 谈心谈话: coverage (the rule is meetings.talks), lists, talks waiting to be confirmed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from organizations.models import Member

from .. import talks
from ..models import Meeting, Talk, talk_awaiting_confirmation_q, talk_confirmer_q
from .plan import meeting_members


def talk_coverage(*, meeting: Meeting, members: list[Member] | None = None) -> talks.TalkCoverage:
    """Required talks (from the meeting's rule set), which are done and which are missing."""
    members = members if members is not None else meeting_members(meeting=meeting)
    talk_rows = list(Talk.objects.filter(meeting=meeting).select_related("member_a", "member_b"))
    return talks.coverage(rules=talks.rules_of(meeting), members=members, talks=talk_rows)


def talk_list(*, meeting: Meeting, search: str = "", member_ids: Sequence[int] = ()) -> QuerySet[Talk]:
    """The meeting's talks, newest first; `member_ids` (organizations.selectors.member_ids_named, the filter's
    党员 typed) keeps those where one of them is either side."""
    qs = Talk.objects.filter(meeting=meeting).select_related("member_a", "member_b")
    if search:
        qs = qs.filter(
            Q(member_a__name__icontains=search)
            | Q(member_b__name__icontains=search)
            | Q(other_name__icontains=search)
            | Q(topics__icontains=search)
        )
    if member_ids:
        qs = qs.filter(Q(member_a_id__in=member_ids) | Q(member_b_id__in=member_ids))
    return qs.order_by("-held_on", "-id")


@dataclass
class CoverageMatrix:
    members: list[Member]
    rows: list[tuple[Member, list[str]]]  # cell: "" | "self" | "done" | "pending" | "missing" | "extra"
    outside: list[talks.TalkPair]


CELL_RANK = {"missing": 1, "pending": 2, "done": 3}


def coverage_matrix(*, meeting: Meeting, members: list[Member], coverage: talks.TalkCoverage, talk_rows) -> CoverageMatrix:
    """Members × members: required and done, required and waiting for the other side's confirmation,
    required and missing, or talked although not required (a disputed talk marks nothing)."""
    index = {m.pk: i for i, m in enumerate(members)}
    cells = [["" for _m in members] for _n in members]
    for i in range(len(members)):
        cells[i][i] = "self"
    for talk in talk_rows:
        if talk.member_b_id and talk.member_a_id in index and talk.member_b_id in index:
            i, j = index[talk.member_a_id], index[talk.member_b_id]
            if talk.counts:
                cells[i][j] = cells[j][i] = "extra"
            elif talk.awaiting_confirmation and cells[i][j] != "extra":
                cells[i][j] = cells[j][i] = "pending"
    required: dict[tuple[int, int], str] = {}
    for pair in coverage.required:
        if pair.b is None or pair.a is None or pair.a.pk not in index or pair.b.pk not in index:
            continue
        i, j = sorted((index[pair.a.pk], index[pair.b.pk]))
        state = pair.state
        if CELL_RANK[state] > CELL_RANK.get(required.get((i, j), ""), 0):
            required[(i, j)] = state
    for (i, j), state in required.items():
        cells[i][j] = cells[j][i] = state
    outside = [p for p in coverage.required if p.other_kind]
    return CoverageMatrix(members=members, rows=list(zip(members, cells, strict=True)), outside=outside)


def talk_rows_with_state(*, meeting: Meeting, talk_rows, user) -> list[Talk]:
    """The talk list's rows, each with `.state_label`: the confirmation state, where a disputed talk is
    named as such only to whom the rule meetings.view_talk_dispute allows (the two, the recorder and the
    secretary); others read "未计入". No query per row."""
    rows = list(talk_rows)
    for t in rows:
        t.meeting = meeting  # what the rule reads (the branch), already loaded
        state = t.confirmation_state
        if state == Talk.State.DISPUTED and not user.has_perm("meetings.view_talk_dispute", t):
            t.state_label, t.show_dispute = _("未计入"), False
        else:
            t.state_label, t.show_dispute = Talk.State(state).label, state == Talk.State.DISPUTED
    return rows


def talks_to_confirm(*, member: Member) -> QuerySet[Talk]:
    """Talks this member must still confirm or dispute, in the branch's open meetings, oldest first.

    For other apps (the notification rule of issue 16 item 5). Each row is a `Talk` with `meeting`,
    `member_a`, `member_b` loaded; useful fields: `held_on`, `topics`, `partner_name`, `recorded_by_id`
    (the user who recorded it: the other party), `confirmed_at` and `disputed_at` (both None here),
    `dispute_note`; `meeting.talks_due_on` for a deadline. The member confirms at
    POST meetings:talk_confirm (pk) or disputes at POST meetings:talk_dispute (pk, optional `note`), both
    offered on 我的待办 (meetings:my_home, anchor #todo-confirm-<meeting pk>).
    Who must confirm is Talk.confirmer_id (the SQL twin: models.talk_confirmer_q).
    """
    return (
        Talk.objects.filter(talk_confirmer_q(member.pk), meeting__closed_at__isnull=True, meeting__branch_id=member.branch_id)
        .filter(confirmed_at__isnull=True, disputed_at__isnull=True)
        .select_related("meeting__branch", "member_a", "member_b")
        .order_by("held_on", "pk")
    )


def talks_awaiting_confirmation() -> QuerySet[Talk]:
    """Every talk still waiting for its other side, in open meetings (for a scan over all members): group
    the rows by `talk.confirmer_id` (the member who must answer; the rows carry member_a and member_b, so
    reading it costs no query) and only act where that member is still in the meeting's branch
    (`confirmer.branch_id == talk.meeting.branch_id`), as talks_to_confirm() does."""
    return (
        Talk.objects.filter(talk_awaiting_confirmation_q(), meeting__closed_at__isnull=True)
        .select_related("meeting__branch", "member_a", "member_b")
        .order_by("meeting_id", "held_on", "pk")
    )
