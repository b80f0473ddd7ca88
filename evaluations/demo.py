"""Demo evaluations (safe to run again).

- 安岳县青少年宫支部, 2020 (seed 002): closed, sealed, determined — 2 优秀 and 6 合格 — with the
  committee rating (好 / 较好), published and fed back.
- 水阜镇机关党支部, 2026: open now (opened yesterday, closes in four days), some ballots already cast
  online and on paper, so that `member` (杨丽) and `secretary` (李建国) can still vote.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from meetings.models import Meeting

from . import services
from .models import Ballot, BallotMark, Candidate, CommitteeGrade, Evaluation, Grade, Voter
from .services import BallotContent, Decision

TZ = dt.timezone(dt.timedelta(hours=8))

PALACE_APPRAISALS = {
    "邓文华": "带头履职尽责,组织支部工作扎实有力,群众认可度高。",
    "蒋丽萍": "严守纪律规矩,监督执纪认真负责,工作作风过硬。",
    "彭宇": "宣传工作有新意,理论学习主动,需进一步提高工作标准。",
    "曾庆华": "服务青少年热情耐心,业务熟练,发挥作用还可更充分。",
    "袁小琴": "工作认真细致,团结同事,理论学习有待加强。",
    "董明": "踏实肯干,完成任务及时,主动性还需提高。",
    "程刚": "服务意识强,乐于助人,需加强政治理论学习。",
    "魏国华": "退休不褪色,积极参加组织生活,关心支部发展。",
}


def seed(ctx) -> None:
    _palace_2020(ctx)
    _office_2026(ctx)


def _cast_recorded(evaluation: Evaluation, member, content: BallotContent) -> None:
    """Write a ballot of a past (closed) evaluation the way `ballot_cast` would have written it."""
    Voter.objects.filter(evaluation=evaluation, member=member, channel="").update(channel=Voter.Channel.ONLINE)
    Ballot.objects.create(
        evaluation=evaluation,
        committee_grade=content.committee_grade,
        receipt_hash=services.receipt_hash(services.receipt_code_new()),
    )
    BallotMark.objects.bulk_create(
        BallotMark(evaluation=evaluation, candidate_id=cid, grade=grade) for cid, grade in content.grades.items()
    )


def _palace_2020(ctx) -> None:
    branch = ctx.orgs["palace"]
    meeting, _created = Meeting.objects.get_or_create(
        branch=branch,
        year=2020,
        kind=Meeting.Kind.ANNUAL,
        defaults={
            "held_on": dt.date(2021, 3, 15),
            "starts_at": dt.time(9, 0),
            "place": "安岳县青少年宫底楼会议室",
            "excellent_quota_percent": Decimal("30"),
        },
    )
    if Evaluation.objects.filter(meeting=meeting).exists():
        return
    members = ctx.members["palace"]
    evaluation = Evaluation.objects.create(
        meeting=meeting,
        excellent_quota_percent=Decimal("30"),
        opens_at=dt.datetime(2021, 3, 15, 10, 30, tzinfo=TZ),
        closes_at=dt.datetime(2021, 3, 15, 11, 30, tzinfo=TZ),
    )
    # All eight were evaluated (the seed reports 2 优秀 and 6 合格, eight in all) and all eight voted.
    candidates = {
        c.member.name: c
        for c in Candidate.objects.bulk_create(Candidate(evaluation=evaluation, member=m) for m in members.values())
    }
    Voter.objects.bulk_create(Voter(evaluation=evaluation, member=m) for m in members.values())
    excellent_pairs = [("邓文华", "蒋丽萍")] * 5 + [("邓文华", "彭宇"), ("蒋丽萍", "曾庆华"), ()]
    committee = [CommitteeGrade.GOOD] * 6 + [CommitteeGrade.FAIRLY_GOOD] * 2
    for voter, pair, committee_grade in zip(members.values(), excellent_pairs, committee, strict=True):
        grades = {c.pk: (Grade.EXCELLENT if name in pair else Grade.QUALIFIED) for name, c in candidates.items()}
        _cast_recorded(evaluation, voter, BallotContent(grades=grades, committee_grade=committee_grade))
    services.evaluation_seal(evaluation=evaluation)
    suggestions = _suggestions(evaluation)
    decisions = {
        c.pk: Decision(grade=suggestions[c.pk], appraisal=PALACE_APPRAISALS.get(name, "")) for name, c in candidates.items()
    }
    services.evaluation_determine(
        evaluation=evaluation, decisions=decisions, suggestions=suggestions, by=ctx.users["anyue"], finalize=True
    )
    # Published for five days after the meeting and fed back to each member (seed 002: "向本人进行了反馈").
    Evaluation.objects.filter(pk=evaluation.pk).update(
        published_at=dt.datetime(2021, 3, 16, 9, 0, tzinfo=TZ), publication_ends_on=dt.date(2021, 3, 21)
    )
    Candidate.objects.filter(evaluation=evaluation).update(acknowledged_at=dt.datetime(2021, 3, 17, 9, 0, tzinfo=TZ))


def _suggestions(evaluation: Evaluation) -> dict[int, str]:
    from .selectors import suggestions_of

    return suggestions_of(evaluation=Evaluation.objects.get(pk=evaluation.pk))


def _office_2026(ctx) -> None:
    branch = ctx.orgs["office"]
    now = timezone.now()
    meeting, _created = Meeting.objects.get_or_create(
        branch=branch,
        year=2026,
        kind=Meeting.Kind.ANNUAL,
        defaults={"held_on": timezone.localdate(), "excellent_quota_percent": Decimal("30")},
    )
    existing = Evaluation.objects.filter(meeting=meeting).first()
    if existing is not None:
        if existing.is_open(now) and existing.closes_at - now > dt.timedelta(days=1):
            return
        if existing.is_open(now):
            # Keep the demo useful: push the close back while voting is still open.
            Evaluation.objects.filter(pk=existing.pk).update(closes_at=now + dt.timedelta(days=4))
            return
        # Closed (the demo database is old): start a fresh open evaluation.
        existing.delete()
    members = ctx.members["office"]
    evaluation = services.evaluation_create(
        meeting=meeting,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=4),
        with_qualifications=True,
        # All 28 are evaluated here (the default would be the 25 in service): 30% of 28 → 8 优秀 a ballot.
        candidates=list(members.values()),
        voters=list(members.values()),
    )
    candidates = {c.member.name: c.pk for c in Candidate.objects.filter(evaluation=evaluation).select_related("member")}
    rng = random.Random(2026)
    names = list(members)
    keep_open = {"李建国", "杨丽"}
    online = [n for n in names if n not in keep_open][:12]
    paper = [n for n in names if n not in keep_open and n not in online][:2]
    for name in online:
        services.ballot_cast(evaluation=evaluation, member=members[name], content=_random_content(rng, candidates))
    secretary = ctx.users["secretary"]
    services.paper_voters_set(evaluation=evaluation, members=[members[n] for n in paper], by=secretary)
    for _n in paper:
        services.paper_ballot_enter(evaluation=evaluation, content=_random_content(rng, candidates), spoiled=False, by=secretary)


def _random_content(rng: random.Random, candidates: dict[str, int]) -> BallotContent:
    ids = list(candidates.values())
    excellent = set(rng.sample(ids, 5))
    grades = {}
    for cid in ids:
        if cid in excellent:
            grades[cid] = Grade.EXCELLENT
        else:
            grades[cid] = rng.choices([Grade.QUALIFIED, Grade.BASIC], weights=[95, 5])[0]
    return BallotContent(
        grades=grades, committee_grade=rng.choice([CommitteeGrade.GOOD, CommitteeGrade.GOOD, CommitteeGrade.FAIRLY_GOOD])
    )
