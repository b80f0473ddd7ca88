"""Ballot-closing and correction-period rules against the real evaluations models and selectors."""

import datetime as dt

import pytest

from notifications.models import Kind
from notifications.rules.evaluations import BallotClosingRule, CorrectionEndsRule
from tests.notifications.conftest import NOW, TODAY
from tests.notifications.factories import MeetingFactory

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def setup(demo_orgs):
    from evaluations.models import Evaluation, Voter

    members = demo_orgs.members["office"]
    meeting = MeetingFactory(branch=demo_orgs.orgs["office"])
    evaluation = Evaluation.objects.create(meeting=meeting, opens_at=NOW - HOUR, closes_at=NOW + 5 * HOUR)
    voters = {name: Voter.objects.create(evaluation=evaluation, member=members[name]) for name in ("李建国", "杨丽", "赵磊")}
    return evaluation, voters, members


def test_it_asks_voters_who_have_not_voted(setup):
    evaluation, voters, members = setup
    dues = BallotClosingRule().run(now=NOW)
    # 赵磊 has no login: he votes on paper and cannot be reminded online.
    assert sorted(d.recipient_id for d in dues) == sorted([members["李建国"].user_id, members["杨丽"].user_id])
    assert {(d.kind, d.due_date, d.subject.pk) for d in dues} == {(Kind.BALLOT_CLOSING, TODAY, evaluation.pk)}
    assert "投票" in dues[0].title
    from django.urls import reverse

    assert dues[0].url == reverse("evaluations:vote", args=[evaluation.pk])


def test_it_does_not_ask_a_voter_who_voted_online_or_on_paper(setup):
    evaluation, voters, members = setup
    voters["杨丽"].channel = "online"
    voters["杨丽"].save()
    voters["李建国"].channel = "paper"
    voters["李建国"].save()
    assert BallotClosingRule().run(now=NOW) == []


def test_it_waits_until_the_close_is_within_n_days(setup, settings):
    evaluation, voters, members = setup
    settings.REMINDER_DUE_SOON_DAYS = 1
    evaluation.closes_at = NOW + 2 * DAY
    evaluation.save()
    assert BallotClosingRule().run(now=NOW) == []
    assert len(BallotClosingRule().run(now=NOW + DAY + HOUR)) == 2


def test_it_says_nothing_before_voting_opens_or_after_it_closes(setup):
    evaluation, voters, members = setup
    assert BallotClosingRule().run(now=NOW - 2 * HOUR) == []
    assert BallotClosingRule().run(now=NOW + 6 * HOUR) == []


def test_it_reminds_the_secretary_before_a_correction_period_ends(setup, settings):
    from evaluations.models import Candidate, Handling

    evaluation, voters, members = setup
    settings.REMINDER_DUE_SOON_DAYS = 3
    candidate = Candidate.objects.create(evaluation=evaluation, member=members["赵磊"], final_grade="unqualified")
    handling = Handling.objects.create(
        candidate=candidate,
        outcome="correction",
        decided_on=TODAY - 180 * DAY,
        decided_by_body="支部委员会",
        correction_until=TODAY + 3 * DAY,
        recorded_by=members["李建国"].user,
    )
    dues = CorrectionEndsRule().run(now=NOW)
    assert [(d.recipient_id, d.kind, d.subject.pk, d.due_date) for d in dues] == [
        (members["李建国"].user_id, Kind.CORRECTION_ENDS, handling.pk, TODAY + 3 * DAY)
    ]
    assert "赵磊" in dues[0].title
    assert CorrectionEndsRule().run(now=NOW - DAY) == []
    assert CorrectionEndsRule().run(now=NOW + 4 * DAY) == []
