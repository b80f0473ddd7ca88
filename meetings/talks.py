"""谈心谈话 rules: which talks a meeting requires, derived from committee posts and roles.

A rule produces requirements. A requirement names a member (`a`) and who they must talk with:
- one exact member (`partners` = {b}), e.g. two committee members with each other;
- any one of a group (`partners` = the group; `b` is the suggested partner, spread round-robin so that
  the work is shared), e.g. each member with a committee member;
- someone outside the branch (`other_kind`), e.g. the secretary with the leader in charge.

Seed 000's 三个必谈: among committee members; committee members with members; members with each other.
Seed 002's 四个必谈: among committee members; the leader in charge with the secretary; member with
member; the secretary with service recipients. A meeting uses one of these presets or any set of rules.

Issue 16 item 5: a talk recorded by one of its two members counts once the other confirms it
(meetings.models.Talk.confirmer_id / .counts); until then the requirement is pending (待对方确认), neither
done nor missing, and a talk the other side disputed counts for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from django.utils.translation import gettext_lazy as _

RULES: dict[str, str] = {
    "committee_each_other": _("支委之间"),
    "committee_with_members": _("支委与党员之间"),
    "members_each_other": _("党员与党员之间"),
    "leader_with_secretary": _("分管领导与支部书记之间"),
    "secretary_with_recipients": _("支部书记与服务对象之间"),
    "secretary_with_each": _("支部书记与每名党员之间"),
}

PRESETS: dict[str, list[str]] = {
    "three": ["committee_each_other", "committee_with_members", "members_each_other"],
    "four": ["committee_each_other", "leader_with_secretary", "members_each_other", "secretary_with_recipients"],
}


def rules_of(meeting) -> list[str]:
    if meeting.talk_rule_set == "custom":
        return [key for key in meeting.custom_talk_rules if key in RULES]
    return list(PRESETS.get(meeting.talk_rule_set, PRESETS["three"]))


@dataclass
class TalkPair:
    """One required talk. `b` is the partner: the one who talked when done (or pending), else the
    required/suggested one. `talk` is the talk that counts; `pending_talk` one that would count once the
    other side confirms it (Talk.confirmer_id); a talk the other side disputed counts for nothing."""

    a: object | None
    b: object | None
    rule: str
    rule_label: str
    partners: frozenset[int] = field(default_factory=frozenset)
    other_kind: str = ""
    partner_label: str = ""
    talk: object | None = None
    pending_talk: object | None = None

    @property
    def done(self) -> bool:
        return self.talk is not None

    @property
    def pending(self) -> bool:
        """Talked, and waiting for the other side to confirm: neither done nor missing."""
        return self.talk is None and self.pending_talk is not None

    @property
    def state(self) -> str:
        return "done" if self.done else ("pending" if self.pending else "missing")

    def __iter__(self):
        # Lets callers unpack a pair as (a, b, label).
        return iter((self.a, self.b, self.rule_label))


@dataclass
class TalkCoverage:
    """`required` = `done` + `pending` + `missing`. `talks`: every talk of the meeting that was matched
    against the rules (the caller's rows, oldest first)."""

    required: list[TalkPair]
    done: list[TalkPair]
    missing: list[TalkPair]
    pending: list[TalkPair] = field(default_factory=list)
    talks: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.pending

    @property
    def counts(self) -> tuple[int, int]:
        return len(self.done), len(self.required)


def _requirements(rule: str, members: Sequence, secretary) -> Iterable[TalkPair]:
    committee = [m for m in members if m.is_committee]
    ordinary = [m for m in members if not m.is_committee]
    label = str(RULES[rule])
    if rule == "committee_each_other":
        for a, b in combinations(committee, 2):
            yield TalkPair(a, b, rule, label, frozenset({b.pk}))
    elif rule == "committee_with_members" and committee:
        ids = frozenset(m.pk for m in committee)
        for i, a in enumerate(ordinary):
            yield TalkPair(a, committee[i % len(committee)], rule, label, ids, partner_label=str(_("任一支委")))
    elif rule == "members_each_other":
        group = ordinary if len(ordinary) > 1 else list(members)
        for i, a in enumerate(ordinary if len(ordinary) > 1 else []):
            ids = frozenset(m.pk for m in group if m.pk != a.pk)
            yield TalkPair(a, group[(i + 1) % len(group)], rule, label, ids, partner_label=str(_("任一党员")))
    elif rule == "leader_with_secretary" and secretary:
        yield TalkPair(secretary, None, rule, label, other_kind="leader", partner_label=str(_("分管领导")))
    elif rule == "secretary_with_recipients" and secretary:
        yield TalkPair(secretary, None, rule, label, other_kind="recipient", partner_label=str(_("服务对象")))
    elif rule == "secretary_with_each" and secretary:
        for b in members:
            if b.pk != secretary.pk:
                yield TalkPair(secretary, b, rule, label, frozenset({b.pk}))


def required_count(rule: str, *, members: int, committee: int, has_secretary: bool) -> int:
    """How many requirements `_requirements` yields for `rule`, from the sizes alone (for the dashboard,
    which counts in SQL rather than loading members). A test checks it against _requirements."""
    ordinary = members - committee
    if rule == "committee_each_other":
        return committee * (committee - 1) // 2
    if rule == "committee_with_members":
        return ordinary if committee else 0
    if rule == "members_each_other":
        return ordinary if ordinary > 1 else 0
    if rule in ("leader_with_secretary", "secretary_with_recipients"):
        return int(has_secretary)
    if rule == "secretary_with_each":
        return max(0, members - 1) if has_secretary else 0
    return 0


@dataclass
class TalkCounts:
    """Raw talk facts of one meeting, counted in SQL by the dashboard (dashboard.selectors._talk_counts)."""

    has_secretary: bool = False
    committee_pairs_done: int = 0  # distinct pairs of committee members who talked
    ordinary_with_committee: int = 0  # ordinary members who talked with some committee member
    ordinary_with_ordinary: int = 0  # ordinary members who talked with another ordinary member
    secretary_partners: int = 0  # distinct members the secretary talked with
    secretary_leader: bool = False  # the secretary talked with the leader in charge
    secretary_recipient: bool = False  # the secretary talked with service recipients

    def done(self, rule: str) -> int:
        """The requirements of `rule` met, as counted (capped by required_count by the caller)."""
        return {
            "committee_each_other": self.committee_pairs_done,
            "committee_with_members": self.ordinary_with_committee,
            "members_each_other": self.ordinary_with_ordinary,
            "leader_with_secretary": int(self.secretary_leader),
            "secretary_with_recipients": int(self.secretary_recipient),
            "secretary_with_each": self.secretary_partners,
        }.get(rule, 0)


def talk_requirements(*, rules: Sequence[str], members: int, committee: int, counts: TalkCounts) -> tuple[int, int]:
    """(done, required) of the required talks from counts: the same rules as `coverage` (required_count
    per rule; a rule that requires nothing counts nothing done)."""
    done = required = 0
    for rule in rules:
        n = required_count(rule, members=members, committee=committee, has_secretary=counts.has_secretary)
        if n:
            required += n
            done += counts.done(rule)
    return min(done, required), required


def _partner(pair: TalkPair, talk) -> int | None:
    """The partner's id (0 for someone outside the branch) when `talk` meets the requirement, else None."""
    if pair.other_kind:
        if talk.member_b_id is None and talk.other_kind == pair.other_kind and talk.member_a_id == pair.a.pk:
            return 0
        return None
    other = talk.member_b_id if talk.member_a_id == pair.a.pk else talk.member_a_id
    return other if other in pair.partners else None


def coverage(*, rules: Sequence[str], members: Sequence, talks: Sequence) -> TalkCoverage:
    """Match talks to the requirements of `rules` over `members` (active, in display order).

    A requirement is done by a talk that counts (Talk.counts: confirmed by the other side, or needing no
    confirmation); failing that it is pending while a talk awaits confirmation (Talk.awaiting_confirmation);
    a disputed talk is ignored. Pure: the caller loads members and talks (with member_a/member_b, which
    Talk.confirmer_id reads) in two queries.
    """
    secretary = next((m for m in members if m.committee_post == "secretary"), None) or next(
        (m for m in members if m.is_secretary), None
    )
    ordered = sorted(talks, key=lambda t: (t.held_on, t.pk))
    by_member: dict[int, list] = {}
    for talk in ordered:
        by_member.setdefault(talk.member_a_id, []).append(talk)
        if talk.member_b_id:
            by_member.setdefault(talk.member_b_id, []).append(talk)
    members_by_id = {m.pk: m for m in members}
    required, done, pending, missing = [], [], [], []
    for rule in rules:
        for pair in _requirements(rule, members, secretary):
            for talk in by_member.get(pair.a.pk, []):
                other = _partner(pair, talk)
                if other is None:
                    continue
                if talk.counts:
                    pair.talk = talk
                elif talk.awaiting_confirmation and pair.pending_talk is None:
                    pair.pending_talk = talk
                else:
                    continue
                if other:
                    pair.b = members_by_id.get(other, pair.b)
                if pair.talk is not None:
                    break
            required.append(pair)
            {"done": done, "pending": pending, "missing": missing}[pair.state].append(pair)
    return TalkCoverage(required=required, done=done, missing=missing, pending=pending, talks=ordered)
