"""The selectors other apps call: evaluation_for_meeting, evaluation_summary, voters_not_voted, open_evaluations."""

import datetime as dt
from unittest import mock

from django.utils import timezone

from evaluations import selectors, services
from evaluations.models import Voter
from meetings.models import Meeting
from tests.organizations.factories import UserFactory


def test_it_finds_the_evaluation_of_a_meeting(build):
    ev = build.evaluation(n=2)
    assert selectors.evaluation_for_meeting(meeting=ev.meeting) == ev
    other = Meeting.objects.create(branch=ev.meeting.branch, year=2025)
    assert selectors.evaluation_for_meeting(meeting=other) is None


def test_it_has_no_summary_until_determined(build):
    ev = build.close(build.evaluation(n=2))
    assert selectors.evaluation_summary(meeting=ev.meeting) is None


def test_it_lists_voters_not_voted_from_participation_only(build):
    ev = build.evaluation(n=4)
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    services.paper_voters_set(evaluation=ev, members=[ev.members[1]], by=UserFactory())
    waiting = selectors.voters_not_voted(evaluation=ev)
    assert {m.pk for m in waiting} == {ev.members[2].pk, ev.members[3].pk}


def test_it_lists_open_evaluations_by_the_clock(build):
    open_ev = build.evaluation(n=1)
    later = build.evaluation(n=1, state="scheduled")
    closed = build.close(build.evaluation(n=1))
    now = timezone.now()
    assert list(selectors.open_evaluations(now=now)) == [open_ev]
    assert set(selectors.open_evaluations(now=now + dt.timedelta(hours=2))) == {later}
    assert closed not in selectors.open_evaluations(now=now)
    assert selectors.open_evaluations(now=now)[0].closes_at == open_ev.closes_at


def test_it_lists_what_a_member_still_has_to_vote(build):
    ev = build.evaluation(n=2)
    assert selectors.evaluations_to_vote(member=ev.members[0]) == [ev]
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    assert selectors.evaluations_to_vote(member=ev.members[0]) == []


def test_voters_default_to_the_members_present_when_the_meeting_knows_them(build):
    branch = build.branch()
    members = build.members(branch, 4)
    now = timezone.now()
    meeting = Meeting.objects.create(branch=branch, year=2026, held_on=timezone.localdate(now))
    with mock.patch("evaluations.services.members_present", return_value=members[:2]):
        ev = services.evaluation_create(meeting=meeting, opens_at=now, closes_at=now + dt.timedelta(days=1))
    assert {v.member_id for v in Voter.objects.filter(evaluation=ev)} == {m.pk for m in members[:2]}
    other = Meeting.objects.create(branch=branch, year=2025, held_on=timezone.localdate(now))
    with mock.patch("evaluations.services.members_present", return_value=None):
        ev2 = services.evaluation_create(meeting=other, opens_at=now, closes_at=now + dt.timedelta(days=1))
    assert Voter.objects.filter(evaluation=ev2).count() == 4
