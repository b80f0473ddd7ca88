import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import Candidate, Evaluation, Voter
from evaluations.policy import Quota
from meetings.models import Meeting


def _secretary_client(build, client, n=5):
    branch = build.branch()
    members = build.members(branch, n, with_users=True)
    members[0].committee_post = "secretary"
    members[0].save()
    members[-1].in_service = False
    members[-1].save()
    client.force_login(members[0].user)
    return branch, members


def test_it_creates_an_evaluation_with_the_meetings_quota_and_default_roster(build, client):
    branch, members = _secretary_client(build, client)
    meeting = Meeting.objects.create(branch=branch, year=2026, held_on=timezone.localdate(), excellent_quota=Quota.parse("1/3"))
    opens = timezone.localtime() + dt.timedelta(hours=1)
    data = {
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "excellent_quota": "1/3",
        "self_rating": "on",
        "with_committee_rating": "on",
    }
    response = client.post(reverse("evaluations:evaluation_create", args=[meeting.pk]), data)
    ev = Evaluation.objects.get(meeting=meeting)
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:evaluation_roster", args=[ev.pk])
    assert ev.excellent_quota == Quota.parse("三分之一") and not ev.with_qualifications
    # Candidates: the members in service; voters: everyone active (no attendance record yet).
    assert Candidate.objects.filter(evaluation=ev).count() == 4
    assert Voter.objects.filter(evaluation=ev).count() == 5
    again = client.get(reverse("evaluations:evaluation_create", args=[meeting.pk]))
    assert again.status_code == 302


def test_it_refuses_a_close_before_the_opening_and_keeps_the_form(build, client):
    branch, _members = _secretary_client(build, client)
    meeting = Meeting.objects.create(branch=branch, year=2026)
    data = {"opens_at": "2026-12-10T09:00", "closes_at": "2026-12-09T09:00", "excellent_quota": "30%"}
    response = client.post(reverse("evaluations:evaluation_create", args=[meeting.pk]), data)
    assert response.status_code == 200 and "须晚于开始时间" in response.content.decode()
    assert "2026-12-09T09:00" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_it_freezes_settings_and_roster_once_voting_starts(build):
    ev = build.evaluation(n=3)
    with pytest.raises(ValidationError, match="只能调整截止时间"):
        services.evaluation_update(evaluation=ev, data={"excellent_quota": Quota.parse("50%")})
    with pytest.raises(ValidationError, match="不能再改"):
        services.evaluation_roster_set(evaluation=ev, candidates=ev.members[:1], voters=ev.members)
    later = ev.closes_at + dt.timedelta(days=1)
    services.evaluation_update(evaluation=ev, data={"closes_at": later})
    ev.refresh_from_db()
    assert ev.closes_at == later and ev.excellent_quota == Quota.parse("30%")


def test_it_edits_the_roster_before_voting(build, client):
    ev = build.evaluation(n=4, state="scheduled", with_users=True)
    ev.members[0].committee_post = "secretary"
    ev.members[0].save()
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:evaluation_roster", args=[ev.pk])
    response = client.post(url, {"candidates": [m.pk for m in ev.members[:3]], "voters": [m.pk for m in ev.members]})
    assert response.status_code == 302
    assert set(Candidate.objects.filter(evaluation=ev).values_list("member_id", flat=True)) == {m.pk for m in ev.members[:3]}
    response = client.post(url, {"candidates": [], "voters": [m.pk for m in ev.members]})
    assert response.status_code == 200 and "至少选择一名评议对象" in response.content.decode()


def test_the_secretary_closes_now_and_the_tables_are_sealed(build, client):
    ev = build.evaluation(n=3, with_users=True)
    ev.members[0].committee_post = "secretary"
    ev.members[0].save()
    client.force_login(ev.members[0].user)
    response = client.post(reverse("evaluations:close_now", args=[ev.pk]), {"reason": "全部改投纸质票"})
    assert response.status_code == 302
    ev.refresh_from_db()
    assert ev.is_closed() and ev.sealed_at is not None


def test_the_detail_page_shows_turnout_but_no_counts_while_open(build, client):
    ev = build.evaluation(n=3, with_users=True)
    ev.members[0].committee_post = "secretary"
    ev.members[0].save()
    services.ballot_cast(evaluation=ev, member=ev.members[1], content=build.content(ev))
    client.force_login(ev.members[0].user)
    page = client.get(reverse("evaluations:evaluation_detail", args=[ev.pk])).content.decode()
    assert "已投票 1 / 3 人" in page and "去投票" in page and "截止前不显示任何得票数" in page
