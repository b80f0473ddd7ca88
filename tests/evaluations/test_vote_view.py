import datetime as dt

from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import Ballot, Candidate, Grade, Voter
from tests.evaluations.conftest import receipt_code


def _post_data(ev, *, excellent=(), committee="good"):
    data = {"committee_grade": committee}
    for c in Candidate.objects.filter(evaluation=ev):
        data[f"g_{c.pk}"] = Grade.EXCELLENT if c.member in excellent else Grade.QUALIFIED
    return data


def _nothing_cast(ev, member):
    assert not Ballot.objects.exists()
    assert Voter.objects.get(evaluation=ev, member=member).channel == ""


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
    code = receipt_code(response)
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
    _nothing_cast(ev, ev.members[0])


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
    assert response.status_code == 200 and receipt_code(response)
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
    _nothing_cast(ev, ev.members[0])


def test_a_value_the_form_refuses_is_said_in_its_words_and_nothing_is_cast(build, client):
    # The vote reads the ballot straight from the POST (forms.ballot_posted) and lets ballot_cast check it;
    # a code the form would refuse must be refused there too, with the form's message, and choices kept.
    ev = build.evaluation(n=8, with_users=True)
    client.force_login(ev.members[0].user)
    data = _post_data(ev)
    first = Candidate.objects.filter(evaluation=ev).order_by("pk").first()
    data[f"g_{first.pk}"] = "outstanding"
    response = client.post(reverse("evaluations:vote", args=[ev.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "选项无效。" in page and "等次无效。" not in page
    assert 'id="committee_good" value="good" autocomplete="off" checked' in page
    _nothing_cast(ev, ev.members[0])


def test_a_ballot_missing_grades_is_refused_with_the_services_words(build, client):
    ev = build.evaluation(n=8, with_users=True)
    client.force_login(ev.members[0].user)
    data = _post_data(ev)
    left_out = Candidate.objects.filter(evaluation=ev).order_by("pk")[:2]
    for c in left_out:
        del data[f"g_{c.pk}"]
    page = client.post(reverse("evaluations:vote", args=[ev.pk]), data).content.decode()
    assert "还有 2 位党员未选择等次" in page
    _nothing_cast(ev, ev.members[0])


def test_the_lean_read_of_a_ballot_is_the_forms_read(build, rf):
    from evaluations.forms import BallotForm, ballot_posted
    from evaluations.models import Qualification

    ev = build.evaluation(n=6, with_users=True, with_qualifications=True)
    candidates = list(Candidate.objects.filter(evaluation=ev).select_related("member").order_by("pk"))
    data = _post_data(ev, excellent=[candidates[0].member], committee="good")
    data[f"g_{candidates[1].pk}"] = f"  {Grade.BASIC}  "
    data[f"q_{candidates[1].pk}"] = [Qualification.ROLE, Qualification.POLITICAL]
    del data[f"g_{candidates[2].pk}"]
    post = rf.post("/", data).POST
    skip = candidates[3].member_id
    form = BallotForm(post, evaluation=ev, candidates=candidates, skip_member_id=skip)
    assert form.is_valid(), form.errors
    lean = ballot_posted(post, evaluation=ev, candidates=candidates, skip_member_id=skip)
    assert lean == form.content()
    assert lean.grades[candidates[1].pk] == Grade.BASIC and candidates[2].pk not in lean.grades
    assert candidates[3].pk not in lean.grades and lean.unmet == {candidates[1].pk: {"role", "political"}}
