from django.urls import reverse

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
    assert "优秀最多只能选 2 名,这张票选了 3 名。" in page
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
