"""Issue 24 item 13: creating an evaluation whose start has passed must not land on a roster page that says
the roster can no longer change; the roster is checked on the creation page, before voting opens."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from evaluations.models import Candidate, Evaluation, Voter
from evaluations.policy import Quota
from meetings.models import Meeting

from .test_setup import _secretary_client


def _data(opens, quota="1/3", **extra):
    return {
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "excellent_quota": quota, "self_rating": "on", "with_committee_rating": "on", **extra,
    }


def _meeting_today(branch):
    return Meeting.objects.create(branch=branch, year=2026, held_on=timezone.localdate(), excellent_quota=Quota.parse("30%"))


def test_a_start_already_passed_shows_the_roster_first_and_creates_nothing(build, client):
    branch, members = _secretary_client(build, client)
    meeting = _meeting_today(branch)
    url = reverse("evaluations:evaluation_create", args=[meeting.pk])
    assert 'data-testid="roster-check"' in client.get(url).content.decode()  # the suggested start is now
    started = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(url, _data(started))
    page = response.content.decode()
    assert response.status_code == 200 and not Evaluation.objects.exists()
    assert "保存后立即开始投票，名单不能再改" in page and 'data-testid="roster-check"' in page
    assert page.count('name="candidates"') == len(members) and 'name="roster_shown" value="1"' in page
    assert 'value="1/3"' in page  # the settings typed are kept
    assert "{#" not in page and "{% comment" not in page


def test_the_checked_roster_is_saved_and_the_vote_opens_at_once(build, client):
    branch, members = _secretary_client(build, client)
    meeting = _meeting_today(branch)
    started = timezone.localtime().replace(second=0, microsecond=0)
    chosen = members[:3]
    response = client.post(
        reverse("evaluations:evaluation_create", args=[meeting.pk]),
        _data(started, roster_shown="1", candidates=[m.pk for m in chosen], voters=[m.pk for m in members]),
    )
    ev = Evaluation.objects.get(meeting=meeting)
    # Not the roster page ("名单不能再改"): the evaluation's own page, voting open.
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:evaluation_detail", args=[ev.pk])
    assert ev.has_started()
    assert set(Candidate.objects.filter(evaluation=ev).values_list("member_id", flat=True)) == {m.pk for m in chosen}
    assert Voter.objects.filter(evaluation=ev).count() == len(members)
    assert ev.excellent_quota == Quota.parse("1/3")  # the form's quota, though voting started at once


def test_a_later_start_still_goes_to_the_roster_page(build, client):
    branch, _members = _secretary_client(build, client)
    meeting = _meeting_today(branch)
    opens = timezone.localtime() + dt.timedelta(hours=1)
    response = client.post(reverse("evaluations:evaluation_create", args=[meeting.pk]), _data(opens))
    ev = Evaluation.objects.get(meeting=meeting)
    assert response["Location"] == reverse("evaluations:evaluation_roster", args=[ev.pk])
    assert not ev.has_started()
