"""Writes of the evaluations app: set-up, casting, paper entry, sealing, determination, publication."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.dates import cn_date
from branchlife.db import tables_rewrite
from branchlife.queue import enqueue_on_commit
from meetings.quota import Quota
from meetings.selectors import members_present, record_closed_reason
from organizations.models import Member

from .models import (
    Ballot,
    BallotMark,
    Candidate,
    CommitteeGrade,
    Evaluation,
    FollowUpTalk,
    Grade,
    Handling,
    PaperEntry,
    PeerMark,
    Qualification,
    SelfGrade,
    Voter,
)
from .policy import COMMITTEE_ORDER, GRADE_ORDER, excellent_quota
from .tasks import ballot_tables_purge as ballot_tables_purge_task

# No 0/O, 1/I/L: the code is read off a phone screen and may be typed back by hand.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 12  # about 59 bits
QUALIFICATION_FIELDS = [q.value for q in Qualification]
# The three tables whose physical order must not follow the voting order once the voting has closed.
SEALED_MODELS = (Voter, Ballot, BallotMark, SelfGrade, PeerMark)


# ---------------------------------------------------------------- receipt codes
def receipt_code_new() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def receipt_hash(code: str) -> str:
    """Only this hash is stored, on the ballot: the code itself never reaches the database or a session."""
    return hashlib.sha256(f"branchlife-receipt:{receipt_normalize(code)}".encode()).hexdigest()


# ---------------------------------------------------------------- set-up
def default_voters(*, meeting) -> list[Member]:
    """The members present at the meeting when the meeting record knows them, else the active roster."""
    present = members_present(meeting=meeting)
    if present is not None:
        return present
    return list(Member.objects.filter(branch=meeting.branch, is_active=True))


def default_candidates(*, meeting) -> list[Member]:
    return list(Member.objects.filter(branch=meeting.branch, is_active=True, in_service=True))


FROM_MEETING = object()  # evaluation_create's quota when none is given: the meeting's


def evaluation_create(
    *,
    meeting,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    self_rating: bool = True,
    with_qualifications: bool = False,
    with_committee_rating: bool = True,
    with_peer_review: bool = False,
    candidates: Iterable[Member] | None = None,
    voters: Iterable[Member] | None = None,
    excellent_quota=FROM_MEETING,
) -> Evaluation:
    """`excellent_quota`: the form's choice (None: no cap), else the meeting's. Given here, not changed
    afterwards: a vote that opens at once can no longer change its settings (issue 24 item 13)."""
    if Evaluation.objects.filter(meeting=meeting).exists():
        raise ValidationError(_("这次组织生活会已经有民主评议了。"))
    evaluation = Evaluation(
        meeting=meeting,
        excellent_quota=meeting.excellent_quota if excellent_quota is FROM_MEETING else excellent_quota,
        self_rating=self_rating,
        with_qualifications=with_qualifications,
        with_committee_rating=with_committee_rating,
        with_peer_review=with_peer_review,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    _clean_times(evaluation)
    evaluation.full_clean()
    with transaction.atomic():
        evaluation.save()
        _roster_replace(
            evaluation=evaluation,
            candidates=list(candidates) if candidates is not None else default_candidates(meeting=meeting),
            voters=list(voters) if voters is not None else default_voters(meeting=meeting),
        )
    return evaluation


def _clean_times(evaluation: Evaluation) -> None:
    if evaluation.opens_at and evaluation.closes_at and evaluation.closes_at <= evaluation.opens_at:
        raise ValidationError({"closes_at": _("投票截止时间须晚于开始时间。")})
    # The vote follows the meeting (issue 17): a meeting not yet held cannot have a result.
    held_on = evaluation.meeting.held_on
    if held_on is None:
        raise ValidationError(_("请先填写会议召开日期：民主评议在会议当天或之后进行。"))
    if evaluation.opens_at and timezone.localdate(evaluation.opens_at) < held_on:
        raise ValidationError(
            {"opens_at": _("开始投票不能早于会议召开日期（%(d)s）。") % {"d": cn_date(held_on)}}
        )


SETTINGS_FIELDS = [
    "excellent_quota", "self_rating", "with_qualifications", "with_committee_rating", "with_peer_review", "opens_at",
]


def evaluation_update(*, evaluation: Evaluation, data: Mapping) -> Evaluation:
    """Change the settings. Once voting has started only the closing time may move, and only forward."""
    now = timezone.now()
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if current.is_closed(now):
            raise ValidationError(_("测评已截止，不能再修改设置。"))
        started = current.has_started(now)
        for name in SETTINGS_FIELDS:
            if name in data and data[name] != getattr(current, name):
                if started:
                    raise ValidationError(_("投票已经开始：只能调整截止时间，其他设置不能再改。"))
                setattr(current, name, data[name])
        if "closes_at" in data:
            if started and data["closes_at"] <= now:
                raise ValidationError({"closes_at": _("截止时间须晚于现在；要立即结束请用“立即截止”。")})
            current.closes_at = data["closes_at"]
        _clean_times(current)
        current.full_clean()
        current.save()
    return current


def evaluation_roster_set(*, evaluation: Evaluation, candidates: Iterable[Member], voters: Iterable[Member]) -> None:
    candidates, voters = list(candidates), list(voters)
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().select_related("meeting").get(pk=evaluation.pk)
        if current.has_started():
            raise ValidationError(_("投票已经开始，评议对象和投票人不能再改。"))
        branch_id = current.meeting.branch_id
        if any(m.branch_id != branch_id for m in candidates + voters):
            raise ValidationError(_("只能选择本支部的党员。"))
        if not candidates:
            raise ValidationError(_("请至少选择一名评议对象。"))
        if not voters:
            raise ValidationError(_("请至少选择一名投票人。"))
        _roster_replace(evaluation=current, candidates=candidates, voters=voters)


def _roster_replace(*, evaluation: Evaluation, candidates: list[Member], voters: list[Member]) -> None:
    Candidate.objects.filter(evaluation=evaluation).exclude(member__in=candidates).delete()
    have = set(Candidate.objects.filter(evaluation=evaluation).values_list("member_id", flat=True))
    Candidate.objects.bulk_create(
        [Candidate(evaluation=evaluation, member=m) for m in sorted(candidates, key=lambda m: m.pk) if m.pk not in have]
    )
    Voter.objects.filter(evaluation=evaluation).exclude(member__in=voters).delete()
    have = set(Voter.objects.filter(evaluation=evaluation).values_list("member_id", flat=True))
    Voter.objects.bulk_create(
        [Voter(evaluation=evaluation, member=m) for m in sorted(voters, key=lambda m: m.pk) if m.pk not in have]
    )


# ---------------------------------------------------------------- ballot content
@dataclass
class BallotContent:
    """What one ballot says: a grade per candidate id, the qualifications marked not met, the committee."""

    grades: dict[int, str] = field(default_factory=dict)
    unmet: dict[int, set[str]] = field(default_factory=dict)
    committee_grade: str = ""

    def excellent_count(self) -> int:
        return sum(1 for g in self.grades.values() if g == Grade.EXCELLENT)


def quota_for(evaluation: Evaluation, candidate_count: int) -> int | None:
    return excellent_quota(quota=evaluation.excellent_quota, candidates=candidate_count)


def _check_content(
    *, evaluation: Evaluation, candidate_ids: set[int], content: BallotContent, skip_id: int | None, complete: bool
) -> dict[str, list[str]]:
    """The problems with a ballot's content, keyed by form field ("__all__" for the ballot as a whole)."""
    errors: dict[str, list[str]] = {}
    unknown = set(content.grades) - candidate_ids
    if unknown:
        errors.setdefault("__all__", []).append(_("票上有不在评议名单中的人。"))
    grades = frozenset(Grade.values)  # ChoicesType.values builds a new list on every access
    for cid, grade in content.grades.items():
        if grade not in grades:
            errors.setdefault(f"g_{cid}", []).append(_("等次无效。"))
    if skip_id is not None and skip_id in content.grades:
        errors.setdefault(f"g_{skip_id}", []).append(_("本次测评不评价本人。"))
    if complete:
        missing = [cid for cid in candidate_ids if cid != skip_id and cid not in content.grades]
        if missing:
            errors.setdefault("__all__", []).append(
                _("还有 %(n)d 位党员未选择等次，请为每位党员选择等次。") % {"n": len(missing)}
            )
            for cid in missing:
                errors.setdefault(f"g_{cid}", []).append(_("请选择等次。"))
    if content.unmet:
        if not evaluation.with_qualifications:
            errors.setdefault("__all__", []).append(_("本次测评不评价“四个合格”。"))
        elif any(not set(codes) <= set(QUALIFICATION_FIELDS) for codes in content.unmet.values()):
            errors.setdefault("__all__", []).append(_("“四个合格”的选项无效。"))
        elif set(content.unmet) - set(content.grades):
            errors.setdefault("__all__", []).append(_("只能对已选择等次的党员标注“四个合格”。"))
    if content.committee_grade:
        if not evaluation.with_committee_rating:
            errors.setdefault("committee_grade", []).append(_("本次测评不进行班子测评。"))
        elif content.committee_grade not in CommitteeGrade.values:
            errors.setdefault("committee_grade", []).append(_("班子测评等次无效。"))
    elif complete and evaluation.with_committee_rating:
        errors.setdefault("committee_grade", []).append(_("请对支部班子作出评价。"))
    return errors


def _over_quota_message(quota: int, chosen: int) -> str:
    return _("优秀最多只能选 %(q)d 名，这张票选了 %(n)d 名。") % {"q": quota, "n": chosen}


def _marks(evaluation: Evaluation, content: BallotContent) -> list[BallotMark]:
    asks = evaluation.with_qualifications
    marks = []
    for cid, grade in content.grades.items():
        unmet = content.unmet.get(cid, set())
        quals = {q: (q not in unmet) if asks else None for q in QUALIFICATION_FIELDS}
        marks.append(BallotMark(evaluation_id=evaluation.pk, candidate_id=cid, grade=grade, **quals))
    # Insertion order inside a ballot would say nothing, but costs nothing to hide either.
    random.shuffle(marks)
    return marks


def _lock(evaluation_id: int, *, shared: bool) -> Evaluation:
    """Lock the evaluation row: shared for voters (they do not block each other), exclusive for the seal.

    The seal takes the exclusive lock, so it waits for ballots being cast to commit, and a ballot that
    arrives after it sees the row only once the seal is done — and then finds the voting closed.
    """
    if shared and connection.vendor == "postgresql":
        evaluation = Evaluation.objects.raw(
            "SELECT * FROM evaluations_evaluation WHERE id = %s FOR SHARE", [evaluation_id]
        )[0]
    else:
        # SQLite serializes writers anyway (transaction_mode IMMEDIATE); elsewhere take the row lock.
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation_id)
    return evaluation


# ---------------------------------------------------------------- online voting
def ballot_cast(
    *, evaluation: Evaluation, member: Member, content: BallotContent, candidates: Mapping[int, int] | None = None
) -> str:
    """Cast one online ballot; returns the receipt code, which is shown once and never stored.

    `candidates` (candidate id → member id) may be passed by a caller that has just read them.
    """
    if candidates is None:
        candidates = dict(Candidate.objects.filter(evaluation=evaluation).values_list("id", "member_id"))
    skip_id = None
    if not evaluation.self_rating:
        skip_id = next((cid for cid, mid in candidates.items() if mid == member.pk), None)
    errors = _check_content(
        evaluation=evaluation, candidate_ids=set(candidates), content=content, skip_id=skip_id, complete=True
    )
    quota = quota_for(evaluation, len(candidates))
    if quota is not None and content.excellent_count() > quota:
        errors.setdefault("__all__", []).insert(0, _over_quota_message(quota, content.excellent_count()))
    if errors:
        raise ValidationError(errors)

    code = receipt_code_new()
    if connection.vendor == "postgresql":
        _ballot_write_postgresql(evaluation=evaluation, member=member, content=content, code=code)
    else:
        _ballot_write_orm(evaluation=evaluation, member=member, content=content, code=code)
    return code


def _ballot_write_orm(*, evaluation: Evaluation, member: Member, content: BallotContent, code: str) -> None:
    """ballot_cast's write through the ORM, in four statements (SQLite; the reference for the one below)."""
    with transaction.atomic():
        current = _lock(evaluation.pk, shared=True)
        now = timezone.now()
        if not current.is_open(now):
            raise ValidationError(
                _("投票尚未开始。") if now < current.opens_at else _("投票已经截止，不能再投票。")
            )
        # The participation record is the guard against a second vote: only a row still "not voted"
        # can turn into "voted", so two concurrent submissions cannot both succeed.
        claimed = Voter.objects.filter(evaluation_id=current.pk, member=member, channel="").update(
            channel=Voter.Channel.ONLINE
        )
        if not claimed:
            voter = Voter.objects.filter(evaluation_id=current.pk, member=member).first()
            if voter is None:
                raise ValidationError(_("您不在本次测评的投票人名单中。"))
            if voter.channel == Voter.Channel.PAPER:
                raise ValidationError(_("您已经投过纸质票，不能再网上投票。"))
            raise ValidationError(_("您已经投过票了，每人只能投一次。"))
        ballot = Ballot(evaluation_id=current.pk, committee_grade=content.committee_grade, receipt_hash=receipt_hash(code))
        ballot.full_clean(exclude=["evaluation"], validate_unique=False)
        ballot.save(force_insert=True)
        BallotMark.objects.bulk_create(_marks(current, content))


def _ballot_refusal(*, evaluation_id: int, member: Member, now: dt.datetime) -> ValidationError:
    """Why nothing was written: read afresh, in the order the ORM path above checks (open, roster, vote)."""
    current = Evaluation.objects.only("id", "opens_at", "closes_at").get(pk=evaluation_id)
    if not current.is_open(now):
        return ValidationError(_("投票尚未开始。") if now < current.opens_at else _("投票已经截止，不能再投票。"))
    voter = Voter.objects.filter(evaluation_id=evaluation_id, member=member).first()
    if voter is None:
        return ValidationError(_("您不在本次测评的投票人名单中。"))
    if voter.channel == Voter.Channel.PAPER:
        return ValidationError(_("您已经投过纸质票，不能再网上投票。"))
    return ValidationError(_("您已经投过票了，每人只能投一次。"))


@functools.lru_cache(maxsize=4)
def _ballot_sql(vendor: str) -> str:
    """The whole online write as ONE statement (issue 23), so one round trip and its own transaction:
    1. `ev`      the evaluation row, only while open at `now`, under a SHARE lock: the seal's exclusive lock
                 waits for this statement to commit, and a statement that waited for the seal sees the
                 row as the seal left it (closed) and so writes nothing;
    2. `claimed` the conditional participation update: only a row still "not voted" turns "voted", so of
                 two concurrent submissions one claims it and the other finds nothing;
    3. `ballot`  one ballot and 4. `marks` its marks, both only if (2) claimed. The marks come as one array
                 per column (`unnest`), so the statement's text and its 13 parameters are the same for every
                 ballot: psycopg parses a statement once only while it is under 4 KB and 50 parameters, and
                 a multi-row VALUES of 30 marks (247 parameters) was parsed again on every vote. The random
                 keys of the ballot and its marks come from PostgreSQL's gen_random_uuid() (a strong random
                 source, as uuid4's), not 31 Python UUIDs sent as text.
    The open test is Evaluation.status_at's own rule (opens_at <= now < closes_at), written again in SQL;
    tests/evaluations/test_ballot_sql.py compares the two at the edges. The ORM path above is the same
    sequence in four statements, for SQLite."""
    q = connection.ops.quote_name
    e, v, b, m = (model._meta.db_table for model in (Evaluation, Voter, Ballot, BallotMark))
    quals = ", ".join(q(f) for f in QUALIFICATION_FIELDS)
    arrays = ", ".join(["%s::bigint[]", "%s::varchar[]"] + ["%s::boolean[]"] * len(QUALIFICATION_FIELDS))
    qualified = ", ".join(f"CASE WHEN claimed.with_qualifications THEN r.{q(f)} END" for f in QUALIFICATION_FIELDS)
    return f"""
        WITH ev AS (
            SELECT id, with_qualifications FROM {q(e)}
            WHERE id = %s AND opens_at <= %s AND %s < closes_at
            FOR SHARE
        ), claimed AS (
            UPDATE {q(v)} SET channel = %s FROM ev
            WHERE {q(v)}.evaluation_id = ev.id AND {q(v)}.member_id = %s AND {q(v)}.channel = ''
            RETURNING ev.id AS evaluation_id, ev.with_qualifications
        ), ballot AS (
            INSERT INTO {q(b)} (id, evaluation_id, is_valid, committee_grade, receipt_hash)
            SELECT gen_random_uuid(), evaluation_id, true, %s, %s FROM claimed
        ), marks AS (
            INSERT INTO {q(m)} (id, evaluation_id, candidate_id, grade, {quals})
            SELECT gen_random_uuid(), claimed.evaluation_id, r.candidate_id, r.grade, {qualified}
            FROM claimed CROSS JOIN unnest({arrays}) AS r(candidate_id, grade, {quals})
        )
        SELECT count(*) FROM claimed"""


def _ballot_write_postgresql(*, evaluation: Evaluation, member: Member, content: BallotContent, code: str) -> None:
    """ballot_cast's write on PostgreSQL: the same guarantees as the ORM path, in one round trip."""
    now = timezone.now()
    marks = [
        (cid, grade, [q not in content.unmet.get(cid, set()) for q in QUALIFICATION_FIELDS])
        for cid, grade in content.grades.items()
    ]
    random.shuffle(marks)  # as _marks: the order inside a ballot would say nothing, and costs nothing to hide
    columns: list[list] = [[cid for cid, _g, _q in marks], [g for _c, g, _q in marks]]
    columns += [[quals[i] for _c, _g, quals in marks] for i in range(len(QUALIFICATION_FIELDS))]
    params: list = [evaluation.pk, now, now, Voter.Channel.ONLINE, member.pk]
    params += [content.committee_grade, receipt_hash(code), *columns]
    with connection.cursor() as cursor:
        cursor.execute(_ballot_sql(connection.vendor), params)
        claimed = cursor.fetchone()[0]
    if not claimed:
        raise _ballot_refusal(evaluation_id=evaluation.pk, member=member, now=now)


# ---------------------------------------------------------------- 个人自评和党小组互评 (issue 17)
def peer_candidates(*, evaluation: Evaluation, member: Member) -> list[Candidate]:
    """Whom this member rates in 党员互评: the other candidates of their own 党小组 (none without one)."""
    if member.party_group_id is None:
        return []
    return list(
        Candidate.objects.filter(evaluation=evaluation, member__party_group_id=member.party_group_id)
        .exclude(member=member).select_related("member").order_by("member__name", "member_id")
    )


def peer_review_cast(*, evaluation: Evaluation, member: Member, self_grade: str, grades: Mapping[int, str]) -> None:
    """A member's own grade and their grades of the others in their 党小组, once. The same rules as the
    branch ballot: nothing stored names the rater, and the rows are rewritten at the seal."""
    if not evaluation.with_peer_review:
        raise ValidationError(_("本次民主评议不进行个人自评和党小组互评。"))
    own = Candidate.objects.filter(evaluation=evaluation, member=member).first()
    peers = peer_candidates(evaluation=evaluation, member=member)
    errors: dict[str, list[str]] = {}
    if own is not None and self_grade not in Grade.values:
        errors["self_grade"] = [_("请给自己评定等次。")]
    for c in peers:
        if grades.get(c.pk) not in Grade.values:
            errors[f"g_{c.pk}"] = [_("请选择等次。")]
    if set(grades) - {c.pk for c in peers}:
        errors.setdefault("__all__", []).append(_("只能评价本党小组的党员。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _lock(evaluation.pk, shared=True)
        now = timezone.now()
        if not current.is_open(now):
            raise ValidationError(_("投票尚未开始。") if now < current.opens_at else _("投票已经截止，不能再提交。"))
        claimed = Voter.objects.filter(evaluation_id=current.pk, member=member, peer_done=False).update(peer_done=True)
        if not claimed:
            if not Voter.objects.filter(evaluation_id=current.pk, member=member).exists():
                raise ValidationError(_("您不在本次测评的投票人名单中。"))
            raise ValidationError(_("您已经提交过自评和互评，每人只能提交一次。"))
        if own is not None:
            SelfGrade.objects.create(evaluation_id=current.pk, candidate=own, grade=self_grade)
        marks = [PeerMark(evaluation_id=current.pk, candidate_id=c.pk, grade=grades[c.pk]) for c in peers]
        random.shuffle(marks)
        PeerMark.objects.bulk_create(marks)


# ---------------------------------------------------------------- paper
def _paper_room(evaluation: Evaluation) -> int:
    """How many more paper ballots may be entered: ticked paper voters minus paper ballots entered."""
    ticked = Voter.objects.filter(evaluation=evaluation, channel=Voter.Channel.PAPER).count()
    entered = PaperEntry.objects.filter(evaluation=evaluation).aggregate(n=Sum("ballots"))["n"] or 0
    return ticked - entered


def _require_open_for_paper(evaluation: Evaluation) -> None:
    now = timezone.now()
    if now < evaluation.opens_at:
        raise ValidationError(_("投票尚未开始，不能录入纸质票。"))
    if not evaluation.is_open(now):
        raise ValidationError(_("测评已截止，不能再录入纸质票或勾选纸质投票人。"))


def paper_voters_set(*, evaluation: Evaluation, members: Iterable[Member], by) -> int:
    """Tick exactly these members as having voted on paper; returns how many are ticked now."""
    wanted = {m.pk for m in members}
    with transaction.atomic():
        current = _lock(evaluation.pk, shared=False)
        _require_open_for_paper(current)
        voters = {v.member_id: v for v in Voter.objects.filter(evaluation=current)}
        if wanted - set(voters):
            raise ValidationError(_("只能勾选本次测评投票人名单中的党员。"))
        online = [voters[mid].member_id for mid in wanted if voters[mid].channel == Voter.Channel.ONLINE]
        if online:
            raise ValidationError(_("已经网上投票的党员不能再勾选为纸质投票。"))
        untick = [v.pk for mid, v in voters.items() if v.channel == Voter.Channel.PAPER and mid not in wanted]
        tick = [v.pk for mid, v in voters.items() if v.channel == "" and mid in wanted]
        entered = PaperEntry.objects.filter(evaluation=current).aggregate(n=Sum("ballots"))["n"] or 0
        if len(wanted) < entered:
            raise ValidationError(
                _("已录入 %(n)d 张纸质票，勾选的纸质投票人不能少于这个数。") % {"n": entered}
            )
        Voter.objects.filter(pk__in=untick).update(channel="", ticked_by=None)
        Voter.objects.filter(pk__in=tick).update(channel=Voter.Channel.PAPER, ticked_by=by)
    return len(wanted)


def _names(evaluation: Evaluation) -> dict[int, str]:
    return {c.pk: c.member.name for c in Candidate.objects.filter(evaluation=evaluation).select_related("member")}


def paper_ballot_enter(*, evaluation: Evaluation, content: BallotContent, spoiled: bool, by) -> Ballot:
    """Enter one paper ballot. Blank rows are allowed; a ballot over the quota is counted as invalid."""
    names = _names(evaluation)
    errors = _check_content(
        evaluation=evaluation, candidate_ids=set(names), content=content, skip_id=None, complete=False
    )
    if errors:
        raise ValidationError(errors)
    quota = quota_for(evaluation, len(names))
    over_quota = quota is not None and content.excellent_count() > quota
    valid = not spoiled and not over_quota
    with transaction.atomic():
        current = _lock(evaluation.pk, shared=False)
        _require_open_for_paper(current)
        if _paper_room(current) < 1:
            raise ValidationError(_("纸质票数不能超过已勾选的纸质投票人数。请先在名单上勾选纸质投票人。"))
        ballot = Ballot(evaluation=current, is_valid=valid, committee_grade=content.committee_grade if valid else "")
        ballot.full_clean(exclude=["evaluation"], validate_unique=False)
        ballot.save(force_insert=True)
        if valid:
            BallotMark.objects.bulk_create(_marks(current, content))
        PaperEntry.objects.create(
            evaluation=current,
            entered_by=by,
            kind=PaperEntry.Kind.SINGLE,
            ballots=1,
            invalid=0 if valid else 1,
            content={
                "valid": valid,
                "reason": "" if valid else ("over_quota" if over_quota else "spoiled"),
                "grades": {names[cid]: str(Grade(g).label) for cid, g in content.grades.items()},
                "unmet": {names[cid]: sorted(codes) for cid, codes in content.unmet.items() if codes},
                "committee": str(CommitteeGrade(content.committee_grade).label) if content.committee_grade else "",
            },
        )
    return ballot


@dataclass
class PaperTotals:
    """A counted box: how many ballots, how many invalid, and per candidate the count of each grade."""

    ballots: int
    invalid: int
    counts: dict[int, dict[str, int]]
    unmet: dict[int, dict[str, int]] = field(default_factory=dict)
    committee: dict[str, int] = field(default_factory=dict)


def paper_totals_enter(*, evaluation: Evaluation, totals: PaperTotals, by) -> PaperEntry:
    names = _names(evaluation)
    valid = totals.ballots - totals.invalid
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if totals.ballots < 1:
        add("ballots", _("请填写票箱中的票数。"))
    if totals.invalid < 0 or valid < 0:
        add("invalid", _("无效票不能多于总票数。"))
    if set(totals.counts) - set(names):
        add("__all__", _("票上有不在评议名单中的人。"))
    for cid, by_grade in totals.counts.items():
        if any(n < 0 for n in by_grade.values()) or set(by_grade) - set(Grade.values):
            add(f"c_{cid}", _("票数须为不小于 0 的整数。"))
        elif sum(by_grade.values()) > valid:
            add(f"c_{cid}", _("%(name)s 的各等次票数之和超过了有效票数 %(n)d。") % {"name": names.get(cid, "?"), "n": valid})
        unmet = totals.unmet.get(cid, {})
        if unmet and (not evaluation.with_qualifications or any(n < 0 or n > sum(by_grade.values()) for n in unmet.values())):
            add(f"c_{cid}", _("%(name)s 的“四个合格”不合格票数无效。") % {"name": names.get(cid, "?")})
    quota = quota_for(evaluation, len(names))
    excellent = sum(by_grade.get(Grade.EXCELLENT, 0) for by_grade in totals.counts.values())
    if quota is not None and valid >= 0 and excellent > quota * valid:
        add(
            "__all__",
            _("%(v)d 张有效票最多共有 %(max)d 个“优秀”，现在填了 %(n)d 个：超过名额的票应计为无效票。")
            % {"v": valid, "max": quota * valid, "n": excellent},
        )
    committee_sum = sum(totals.committee.values())
    if totals.committee and (not evaluation.with_committee_rating or set(totals.committee) - set(CommitteeGrade.values)):
        add("__all__", _("班子测评票数无效。"))
    elif committee_sum > valid or any(n < 0 for n in totals.committee.values()):
        add("__all__", _("班子测评各等次票数之和超过了有效票数 %(n)d。") % {"n": valid})
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        current = _lock(evaluation.pk, shared=False)
        _require_open_for_paper(current)
        room = _paper_room(current)
        if totals.ballots > room:
            raise ValidationError(
                {"ballots": [_("纸质票数不能超过已勾选的纸质投票人数：最多还能录入 %(n)d 张。") % {"n": max(room, 0)}]}
            )
        committee = [g for g in COMMITTEE_ORDER for _n in range(totals.committee.get(g, 0))]
        committee += [""] * (valid - len(committee))
        ballots = [Ballot(evaluation=current, is_valid=True, committee_grade=g) for g in committee]
        ballots += [Ballot(evaluation=current, is_valid=False) for _n in range(totals.invalid)]
        Ballot.objects.bulk_create(ballots)
        marks = []
        asks = current.with_qualifications
        for cid, by_grade in totals.counts.items():
            unmet_left = dict(totals.unmet.get(cid, {}))
            for grade in GRADE_ORDER:
                for _n in range(by_grade.get(grade, 0)):
                    quals = {}
                    for q in QUALIFICATION_FIELDS:
                        if not asks:
                            quals[q] = None
                        elif unmet_left.get(q, 0) > 0:
                            unmet_left[q] -= 1
                            quals[q] = False
                        else:
                            quals[q] = True
                    marks.append(BallotMark(evaluation=current, candidate_id=cid, grade=grade, **quals))
        BallotMark.objects.bulk_create(marks, batch_size=500)
        entry = PaperEntry.objects.create(
            evaluation=current,
            entered_by=by,
            kind=PaperEntry.Kind.TOTALS,
            ballots=totals.ballots,
            invalid=totals.invalid,
            content={
                "counts": {names[cid]: {str(Grade(g).label): n for g, n in by_grade.items() if n} for cid, by_grade in totals.counts.items()},
                "unmet": {names[cid]: {str(Qualification(q).label): n for q, n in u.items() if n} for cid, u in totals.unmet.items() if any(u.values())},
                "committee": {str(CommitteeGrade(g).label): n for g, n in totals.committee.items() if n},
            },
        )
    return entry


# ---------------------------------------------------------------- 扫码测评 in the meeting room
def evaluation_open_in_room(*, meeting, now: dt.datetime | None = None) -> Evaluation:
    """Open the evaluation now, in the meeting room, for the members on the meeting's roll (present, late
    or by video). Creates it with the usual settings when the branch has not set one up, or brings a
    scheduled one forward; an evaluation already voting in the room is returned as it is."""

    now = now or timezone.now()
    if reason := record_closed_reason(meeting=meeting, today=timezone.localdate(now)):
        raise ValidationError(reason)
    attendees = members_present(meeting=meeting) or []
    if not attendees:
        raise ValidationError(_("还没有人签到或登记出席：请先签到或登记出席情况，再开始扫码测评。"))
    closes_at = now + dt.timedelta(minutes=settings.IN_ROOM_VOTING_MINUTES)
    existing = Evaluation.objects.filter(meeting=meeting).first()
    if existing is None:
        evaluation = evaluation_create(meeting=meeting, opens_at=now, closes_at=closes_at, voters=attendees)
        Evaluation.objects.filter(pk=evaluation.pk).update(in_room=True)
        evaluation.in_room = True
        return evaluation
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=existing.pk)
        if current.is_closed(now):
            raise ValidationError(_("本次民主评议的投票已经截止。"))
        if current.has_started(now):
            if current.in_room:
                return current
            raise ValidationError(_("本次民主评议已在网上投票中，不能再改为扫码测评。"))
        current.opens_at, current.in_room = now, True
        current.closes_at = max(current.closes_at, closes_at)
        current.save(update_fields=["opens_at", "closes_at", "in_room"])
        _roster_replace(
            evaluation=current,
            candidates=list(Member.objects.filter(pk__in=Candidate.objects.filter(evaluation=current).values("member_id"))),
            voters=attendees,
        )
    return current


def in_room_voter_add(*, evaluation: Evaluation, member: Member, now: dt.datetime | None = None) -> Voter:
    """A member who arrived after 扫码测评 began (and is now on the meeting's roll) gets a vote."""

    now = now or timezone.now()
    if not evaluation.in_room or not evaluation.is_open(now):
        raise ValidationError(_("只有正在进行的扫码测评可以补登投票人。"))
    if member.pk not in {m.pk for m in members_present(meeting=evaluation.meeting) or []}:
        raise ValidationError(_("%(name)s 未登记到会，请先在出席情况中登记，再补登为投票人。") % {"name": member.name})
    voter, _created = Voter.objects.get_or_create(evaluation=evaluation, member=member)
    return voter


def turnout_floor() -> Quota:
    """EVALUATION_MIN_TURNOUT as the local rule states it ("2/3", "三分之二", "60%")."""
    return Quota.parse(str(settings.EVALUATION_MIN_TURNOUT)) or Quota(Fraction(0))


def turnout_floor_words() -> str:
    return turnout_floor().words


def turnout_below_floor(*, voted: int, eligible: int) -> bool:
    return eligible > 0 and Fraction(voted, eligible) < turnout_floor().fraction


# ---------------------------------------------------------------- closing and sealing
def evaluation_close_now(*, evaluation: Evaluation, reason: str = "") -> Evaluation:
    """立即截止. Below the turnout floor (EVALUATION_MIN_TURNOUT of the voters on the roll) the secretary
    must say why, and the reason is kept with the evaluation (shown on it and in the meeting report)."""
    now = timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if now < current.opens_at:
            raise ValidationError(_("投票尚未开始，不能截止。可以修改开始和截止时间。"))
        if current.is_open(now):
            voters = Voter.objects.filter(evaluation=current)
            eligible, voted = voters.count(), voters.exclude(channel="").count()
            if turnout_below_floor(voted=voted, eligible=eligible):
                if not reason:
                    raise ValidationError(
                        {"reason": _("已投票 %(v)s/%(e)s 人，不足%(floor)s：提前截止须说明理由（记入会议记录）。")
                         % {"v": voted, "e": eligible, "floor": turnout_floor_words()}},
                        code="reason_required",
                    )
                current.early_close_reason = _("已投票 %(v)s/%(e)s 人时提前截止：%(r)s") % {"v": voted, "e": eligible, "r": reason[:400]}
            current.closes_at = now
            current.save(update_fields=["closes_at", "early_close_reason"])
    evaluation_seal(evaluation=current)
    current.refresh_from_db()
    return current


def evaluation_seal(*, evaluation: Evaluation) -> bool:
    """Rewrite the participation, ballot and mark rows of a closed evaluation in fresh random orders.

    Idempotent and safe to race: the first caller after the close (a page reading results, the Celery
    task, the management command) does it under the evaluation's row lock; the others find `sealed_at`
    set and return False. On PostgreSQL the rows get new physical places (ctid) in the shuffled order
    and all carry the xmin of this one transaction; on SQLite they get new rowids in that order.
    """
    if evaluation.sealed_at is not None:
        return False
    with transaction.atomic():
        current = _lock(evaluation.pk, shared=False)
        if current.sealed_at is not None or not current.is_closed():
            return False
        rng = secrets.SystemRandom()
        for model in SEALED_MODELS:
            rows = list(model.objects.filter(evaluation=current))
            rng.shuffle(rows)  # each table its own permutation: they follow neither voting nor each other
            model.objects.filter(evaluation=current).delete()
            model.objects.bulk_create(rows, batch_size=1000)
        current.sealed_at = timezone.now()
        current.save(update_fields=["sealed_at"])
    evaluation.sealed_at = current.sealed_at
    enqueue_on_commit(ballot_tables_purge_task)
    return True


def evaluation_seal_if_due(*, evaluation: Evaluation) -> None:
    if evaluation.sealed_at is None and evaluation.is_closed():
        evaluation_seal(evaluation=evaluation)


def evaluations_seal_due(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    sealed = 0
    for evaluation in Evaluation.objects.filter(closes_at__lte=now, sealed_at__isnull=True):
        sealed += evaluation_seal(evaluation=evaluation)
    return sealed


def ballot_tables_purge() -> bool:
    """Rewrite the participation, ballot and mark tables so that no row version of a voting window is left
    in their pages, and mark the sealed evaluations as purged. Returns whether anything was purged.

    The seal deletes and re-inserts an evaluation's rows, but PostgreSQL keeps the deleted versions — with
    the per-vote transaction ids that tie a participation update to its ballot and marks — in the pages
    (`branchlife.db.tables_rewrite` removes them). The rewrite locks the three tables while it runs (every
    vote of every branch waits: measured in the README), so it runs in a Celery worker after each seal and
    again from beat for any evaluation it missed, never in a request.
    """
    if connection.in_atomic_block:
        return False
    started = timezone.now()
    due = Evaluation.objects.filter(sealed_at__isnull=False, sealed_at__lte=started, purged_at__isnull=True)
    if not due.exists():
        return False
    if not tables_rewrite(*SEALED_MODELS):
        return False  # an older transaction could still see the voting window; beat tries again
    return bool(due.update(purged_at=timezone.now()))


# ---------------------------------------------------------------- determination
@dataclass
class Decision:
    grade: str = ""
    reason: str = ""
    appraisal: str = ""


def evaluation_determine(
    *, evaluation: Evaluation, decisions: Mapping[int, Decision], suggestions: Mapping[int, str], by, finalize: bool
) -> Evaluation:
    """Save the final grades (组织评定). `finalize` fixes them: every member graded and appraised."""
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if not current.is_closed():
            raise ValidationError(_("投票截止后才能评定。"))
        if current.published_at:
            raise ValidationError(_("评定结果已经公示，不能再修改。"))
        candidates = list(Candidate.objects.filter(evaluation=current).select_related("member"))
        quota = quota_for(current, len(candidates))
        for c in candidates:
            d = decisions.get(c.pk, Decision())
            grade, reason, appraisal = d.grade, d.reason.strip(), d.appraisal.strip()
            if grade and grade not in Grade.values:
                errors.setdefault(f"grade_{c.pk}", []).append(_("等次无效。"))
            suggested = suggestions.get(c.pk, "")
            if grade and suggested and grade != suggested and not reason:
                errors.setdefault(f"reason_{c.pk}", []).append(
                    _("与测评建议（%(s)s）不一致，请说明理由。") % {"s": Grade(suggested).label}
                )
            if finalize and not grade:
                errors.setdefault(f"grade_{c.pk}", []).append(_("请评定等次。"))
            if finalize and not appraisal:
                errors.setdefault(f"appraisal_{c.pk}", []).append(_("请写一句话鉴定。"))
            c.suggested_grade, c.final_grade = suggested, grade
            c.departure_reason = reason if grade and grade != suggested else ""
            c.appraisal = appraisal
        excellent = sum(1 for c in candidates if c.final_grade == Grade.EXCELLENT)
        if quota is not None and excellent > quota:
            errors.setdefault("__all__", []).append(
                _("评定为优秀的有 %(n)d 名，超过了名额 %(q)d 名。") % {"n": excellent, "q": quota}
            )
        if errors:
            raise ValidationError(errors)
        for c in candidates:
            c.full_clean(exclude=["evaluation", "member"])
        Candidate.objects.bulk_update(candidates, ["suggested_grade", "final_grade", "departure_reason", "appraisal"])
        if finalize:
            current.determined_at, current.determined_by = timezone.now(), by
        else:
            current.determined_at, current.determined_by = None, None
        current.save(update_fields=["determined_at", "determined_by"])
    return current


def follow_up_talk_record(*, candidate: Candidate, talked_on: dt.date, talked_by: str, notes: str, by) -> FollowUpTalk:
    if candidate.final_grade not in (Grade.BASIC, Grade.UNQUALIFIED):
        raise ValidationError(_("只有评定为基本合格或不合格的党员需要记录重点谈心。"))
    talk = FollowUpTalk(candidate=candidate, talked_on=talked_on, talked_by=talked_by, notes=notes, recorded_by=by)
    talk.full_clean()
    talk.save()
    return talk


def handling_record(
    *,
    candidate: Candidate,
    outcome: str,
    decided_on: dt.date,
    decided_by_body: str,
    correction_until: dt.date | None,
    notes: str,
    by,
) -> Handling:
    if candidate.final_grade != Grade.UNQUALIFIED:
        raise ValidationError(_("只有评定为不合格的党员才有组织处置记录。"))
    handling = Handling.objects.filter(candidate=candidate).first() or Handling(candidate=candidate)
    handling.outcome, handling.decided_on, handling.decided_by_body = outcome, decided_on, decided_by_body
    handling.correction_until = correction_until if outcome == Handling.Outcome.CORRECTION else None
    handling.notes, handling.recorded_by = notes, by
    handling.full_clean()
    handling.save()
    return handling


# ---------------------------------------------------------------- publication
def evaluation_publish(
    *, evaluation: Evaluation, ends_on: dt.date, breakdown: bool, risks: list[str], risks_acknowledged: bool
) -> Evaluation:
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if current.determined_at is None:
            raise ValidationError(_("请先确定评定结果，再公示。"))
        if ends_on < timezone.localdate():
            raise ValidationError({"ends_on": [_("公示截止日期不能早于今天。")]})
        if breakdown and risks and not risks_acknowledged:
            raise ValidationError({"risks_acknowledged": [_("公示得票明细有泄露个人投票的风险，请确认已知晓。")]})
        current.published_at = timezone.now()
        current.publication_ends_on = ends_on
        current.publish_breakdown = breakdown
        current.full_clean()
        current.save(update_fields=["published_at", "publication_ends_on", "publish_breakdown"])
    return current


def result_acknowledge(*, candidate: Candidate, member: Member) -> Candidate:
    if candidate.member_id != member.pk:
        raise ValidationError(_("只能确认本人的评议结果。"))
    if candidate.evaluation.published_at is None:
        raise ValidationError(_("评议结果尚未公示。"))
    if candidate.acknowledged_at is None:
        candidate.acknowledged_at = timezone.now()
        candidate.save(update_fields=["acknowledged_at"])
    return candidate
