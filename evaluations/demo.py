"""Demo evaluations (safe to run again).

- 安岳县青少年宫支部, 2020 (seed 002): closed, sealed, determined — 2 优秀 and 6 合格 — with the
  committee rating (好 / 较好), published and fed back.
- 砂岗村第二党支部, the season's year: opened at its meeting yesterday, closes in three days (dates from
  `ctx.season`); three ballots cast online and one on paper, the others still to vote.
"""

from __future__ import annotations

import datetime as dt
import random

from meetings.models import Meeting

from . import services
from .models import Ballot, BallotMark, Candidate, CommitteeGrade, Evaluation, Grade, Voter
from .services import BallotContent, Decision

TZ = dt.timezone(dt.timedelta(hours=8))

PALACE_APPRAISALS = {
    "邓文华": "带头履职尽责，组织支部工作扎实有力，群众认可度高。",
    "蒋丽萍": "严守纪律规矩，监督执纪认真负责，工作作风过硬。",
    "彭宇": "宣传工作有新意，理论学习主动，需进一步提高工作标准。",
    "曾庆华": "服务青少年热情耐心，业务熟练，发挥作用还可更充分。",
    "袁小琴": "工作认真细致，团结同事，理论学习有待加强。",
    "董明": "踏实肯干，完成任务及时，主动性还需提高。",
    "程刚": "服务意识强，乐于助人，需加强政治理论学习。",
    "魏国华": "退休不褪色，积极参加组织生活，关心支部发展。",
}


def seed(ctx) -> None:
    _palace_2020(ctx)
    _shagang2_open(ctx)


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
            "excellent_quota_numerator": 3,  # 30%
            "excellent_quota_denominator": 10,
        },
    )
    if Evaluation.objects.filter(meeting=meeting).exists():
        return
    members = ctx.members["palace"]
    evaluation = Evaluation.objects.create(
        meeting=meeting,
        excellent_quota=meeting.excellent_quota,
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


def _shagang2_open(ctx) -> None:
    season = ctx.season
    meeting = Meeting.objects.get(branch=ctx.orgs["shagang2"], year=season.year, kind=Meeting.Kind.ANNUAL)
    if Evaluation.objects.filter(meeting=meeting).exists():
        return
    members = ctx.members["shagang2"]
    evaluation = services.evaluation_create(
        meeting=meeting, opens_at=season.at(-1, 10, 30), closes_at=season.at(3, 17), with_qualifications=True,
        candidates=list(members.values()), voters=list(members.values()),
    )
    candidates = {c.member.name: c.pk for c in Candidate.objects.filter(evaluation=evaluation).select_related("member")}
    rng = random.Random(season.anchor.toordinal())
    names = list(members)
    for name in names[:3]:
        services.ballot_cast(evaluation=evaluation, member=members[name], content=_random_content(rng, candidates, 1))
    secretary = members[names[0]].user or ctx.users["county"]
    services.paper_voters_set(evaluation=evaluation, members=[members[names[3]]], by=secretary)
    services.paper_ballot_enter(evaluation=evaluation, content=_random_content(rng, candidates, 1), spoiled=False, by=secretary)


def reset(ctx) -> None:
    """Remove the season's evaluations (marks first: they protect their candidates)."""
    from meetings.demo import SEASON_BRANCHES

    branches = [ctx.orgs[key] for key in SEASON_BRANCHES]
    BallotMark.objects.filter(evaluation__meeting__branch__in=branches).delete()
    Evaluation.objects.filter(meeting__branch__in=branches).delete()


def _random_content(rng: random.Random, candidates: dict[str, int], excellent: int) -> BallotContent:
    ids = list(candidates.values())
    excellent = set(rng.sample(ids, excellent))
    grades = {}
    for cid in ids:
        if cid in excellent:
            grades[cid] = Grade.EXCELLENT
        else:
            grades[cid] = rng.choices([Grade.QUALIFIED, Grade.BASIC], weights=[95, 5])[0]
    return BallotContent(
        grades=grades, committee_grade=rng.choice([CommitteeGrade.GOOD, CommitteeGrade.GOOD, CommitteeGrade.FAIRLY_GOOD])
    )
