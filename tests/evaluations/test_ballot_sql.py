"""Issue 23: the ballot's write on PostgreSQL is one statement; the ORM path it stands beside is the
reference. Same rows for the same ballot, and the same open/closed answer at the edges of the window."""

import datetime as dt
import os
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from evaluations import services
from evaluations.models import Ballot, BallotMark, Voter

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(os.getenv("DB") != "postgres", reason="the one-statement write is PostgreSQL's"),
]


def _marks(ev) -> Counter:
    return Counter(
        BallotMark.objects.filter(evaluation=ev).values_list("candidate_id", "grade", *services.QUALIFICATION_FIELDS)
    )


@pytest.mark.parametrize("with_qualifications", [False, True])
def test_it_writes_what_the_orm_path_writes(build, with_qualifications):
    ev = build.evaluation(n=6, with_qualifications=with_qualifications)
    content = build.content(ev, excellent=ev.members[:1])
    if with_qualifications:
        first, second = list(content.grades)[:2]
        content.unmet = {first: {"political"}, second: {"discipline", "role"}}
    services._ballot_write_orm(evaluation=ev, member=ev.members[0], content=content, code="ORMCODE")
    by_orm = _marks(ev)
    services._ballot_write_postgresql(evaluation=ev, member=ev.members[1], content=content, code="SQLCODE")
    assert _marks(ev) == Counter({row: 2 * n for row, n in by_orm.items()})
    assert len(by_orm) == 6 and sum(by_orm.values()) == 6
    if with_qualifications:
        assert {row[2:] for row in by_orm} == {
            (False, True, True, True), (True, False, True, False), (True, True, True, True)
        }
    else:
        assert {row[2:] for row in by_orm} == {(None, None, None, None)}
    ballots = sorted(Ballot.objects.filter(evaluation=ev).values_list("is_valid", "committee_grade", "receipt_hash"))
    assert ballots == sorted(
        [(True, "good", services.receipt_hash("ORMCODE")), (True, "good", services.receipt_hash("SQLCODE"))]
    )
    assert list(Voter.objects.filter(evaluation=ev, member__in=ev.members[:2]).values_list("channel", flat=True)) == [
        "online", "online"
    ]


def test_it_opens_and_closes_at_the_instants_the_model_says(build, time_machine):
    """Evaluation.status_at is the rule; the statement repeats it in SQL (opens_at <= now < closes_at)."""
    ev = build.evaluation(n=4)
    one = dt.timedelta(microseconds=1)
    instants = [ev.opens_at - one, ev.opens_at, ev.closes_at - one, ev.closes_at]
    for member, instant in zip(ev.members, instants, strict=True):
        time_machine.move_to(instant, tick=False)
        try:
            services._ballot_write_postgresql(evaluation=ev, member=member, content=build.content(ev), code="EDGE")
            cast = True
        except ValidationError as exc:
            cast = False
            assert exc.messages == ["投票尚未开始。" if instant < ev.opens_at else "投票已经截止，不能再投票。"]
        assert cast == ev.is_open(instant), instant
    assert Ballot.objects.filter(evaluation=ev).count() == 2


def test_a_refused_ballot_writes_nothing(build):
    ev = build.evaluation(n=3)
    voter = ev.members[0]
    services.ballot_cast(evaluation=ev, member=voter, content=build.content(ev))
    with pytest.raises(ValidationError, match="已经投过票"):
        services._ballot_write_postgresql(evaluation=ev, member=voter, content=build.content(ev), code="AGAIN")
    assert Ballot.objects.filter(evaluation=ev).count() == 1
    assert BallotMark.objects.filter(evaluation=ev).count() == 3
