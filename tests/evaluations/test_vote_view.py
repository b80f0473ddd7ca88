import datetime as dt

from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import Ballot, Candidate, Grade, Voter


def _post_data(ev, *, excellent=(), committee="good"):
    data = {"committee_grade": committee}
    for c in Candidate.objects.filter(evaluation=ev):
        data[f"g_{c.pk}"] = Grade.EXCELLENT if c.member in excellent else Grade.QUALIFIED
    return data


def test_it_shows_a_phone_ballot_with_the_live_counter(build, client):
    ev = build.evaluation(n=8, with_users=True)
    client.force_login(ev.members[0].user)
    page = client.get(reverse("evaluations:vote", args=[ev.pk])).content.decode()
    assert 'data-quota="2"' in page and "已选优秀" in page and "/ 2" in page
    assert "js/evaluations_vote.js" in page
    assert page.count('class="btn-check"') == 8 * 4 + 4  # four grades per member, four committee grades


def test_it_casts_and_shows_the_receipt_once_without_storing_it(build, client):
    ev = build.evaluation(n=8, with_users=True)
    voter = ev.members[0]
    client.force_login(voter.user)
    response = client.post(reverse("evaluations:vote", args=[ev.pk]), _post_data(ev, excellent=ev.members[:2]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = response.context["code"]
    assert code in response.content.decode()
    assert Voter.objects.get(evaluation=ev, member=voter).channel == "online"
    assert Ballot.objects.get(evaluation=ev).receipt_hash == services.receipt_hash(code)
    # The code is nowhere in the session (which lives in the database).
    from django.contrib.sessions.models import Session

    assert all(code not in str(s.get_decoded()) for s in Session.objects.all())
    again = client.get(reverse("evaluations:vote", args=[ev.pk])).content.decode()
    assert code not in again and "已经投过票" in again


def test_it_refuses_over_the_quota_and_keeps_the_choices(build, client):
    ev = build.evaluation(n=8, with_users=True)
    client.force_login(ev.members[0].user)
    data = _post_data(ev, excellent=ev.members[:3], committee="fair")
    response = client.post(reverse("evaluations:vote", args=[ev.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "优秀最多只能选 2 名，这张票选了 3 名。" in page
    for c in Candidate.objects.filter(evaluation=ev):
        assert f'id="g_{c.pk}_{data[f"g_{c.pk}"]}" value="{data[f"g_{c.pk}"]}" autocomplete="off" checked' in page
    assert 'id="committee_fair" value="fair" autocomplete="off" checked' in page
    assert not Ballot.objects.exists()
    assert Voter.objects.get(evaluation=ev, member=ev.members[0]).channel == ""


def test_it_refuses_a_second_vote_through_the_page(build, client):
    ev = build.evaluation(n=4, with_users=True)
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:vote", args=[ev.pk])
    client.post(url, _post_data(ev))
    response = client.post(url, _post_data(ev))
    assert "已经投过票" in response.content.decode()
    assert Ballot.objects.count() == 1


def test_it_tells_a_member_off_the_roster(build, client):
    ev = build.evaluation(n=3)
    outsider = build.members(ev.meeting.branch, 1, with_users=True)[0]
    client.force_login(outsider.user)
    response = client.post(reverse("evaluations:vote", args=[ev.pk]), _post_data(ev))
    assert response.status_code == 200 and "不在本次测评的投票人名单" in response.content.decode()
    assert not Ballot.objects.exists()


def test_it_says_closed_after_the_clock_passes(build, client):
    ev = build.evaluation(n=3, with_users=True)
    build.close(ev)
    client.force_login(ev.members[0].user)
    response = client.post(reverse("evaluations:vote", args=[ev.pk]), _post_data(ev))
    assert "投票已经截止" in response.content.decode()
    assert not Ballot.objects.exists()


# ---------------------------------------------------------------- idle sessions (issue 22 item 6)


def _session_row(client):
    from django.contrib.sessions.models import Session

    row = Session.objects.get(session_key=client.session.session_key)
    return row.session_data, row.expire_date


def test_it_takes_a_ballot_filled_in_within_the_idle_limit_without_writing_the_session(build, client, settings, time_machine):
    """Opening the ballot restarts the idle clock, so a member on a phone has the whole limit to fill it in;
    casting it writes nothing to the session (whose row would otherwise date the vote beside the user)."""
    settings.SESSION_IDLE_MINUTES = 30
    ev = build.evaluation(n=4, with_users=True)
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.force_login(ev.members[0].user)
    time_machine.move_to(start + dt.timedelta(minutes=20), tick=False)
    url = reverse("evaluations:vote", args=[ev.pk])
    assert client.get(url).status_code == 200
    opened = _session_row(client)

    time_machine.move_to(start + dt.timedelta(minutes=45), tick=False)  # 45 since login, 25 on the ballot
    response = client.post(url, _post_data(ev))
    assert response.status_code == 200 and response.context["code"]
    assert Ballot.objects.count() == 1
    assert _session_row(client) == opened


def test_a_ballot_left_longer_than_the_idle_limit_is_not_cast(build, client, settings, time_machine):
    settings.SESSION_IDLE_MINUTES = 30
    ev = build.evaluation(n=4, with_users=True)
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:vote", args=[ev.pk])
    assert client.get(url).status_code == 200

    time_machine.move_to(start + dt.timedelta(minutes=31), tick=False)
    response = client.post(url, _post_data(ev))
    assert response.status_code == 302 and response.url == f"{reverse('login')}?next={url}"
    assert not Ballot.objects.exists()
    assert Voter.objects.get(evaluation=ev, member=ev.members[0]).channel == ""
