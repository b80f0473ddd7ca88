"""Issue 23: a ballot's POST in a pinned number of statements, its write in one, and a slim receipt."""

import pytest
from django.db import connection
from django.urls import reverse

from evaluations.models import Ballot, BallotMark, Candidate, Grade
from tests.evaluations.conftest import receipt_code

# session (the database session backend in tests; the cache in production), user, evaluation, the actor
# (member/officer/supervisor in one), the write (lock, participation, ballot, 30 marks: one statement).
BALLOT_POST_QUERIES = 5


def _ballot(ev) -> dict:
    data = {f"g_{pk}": Grade.QUALIFIED for pk in Candidate.objects.filter(evaluation=ev).values_list("pk", flat=True)}
    return {**data, "committee_grade": "good"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's")
def test_a_ballot_post_runs_a_fixed_number_of_queries(build, client, django_assert_num_queries):
    ev = build.evaluation(n=30, with_users=True)
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:vote", args=[ev.pk])
    data = _ballot(ev)
    assert client.get(url).status_code == 200  # the ballot page (it fills the candidates' cache)
    with django_assert_num_queries(BALLOT_POST_QUERIES) as captured:
        response = client.post(url, data)
    assert response.status_code == 200 and receipt_code(response)
    writes = [q["sql"] for q in captured.captured_queries if "FOR SHARE" in q["sql"]]
    assert len(writes) == 1 and "INSERT INTO" in writes[0] and "UPDATE" in writes[0]
    assert Ballot.objects.filter(evaluation=ev).count() == 1 and BallotMark.objects.filter(evaluation=ev).count() == 30


def test_the_receipt_page_has_no_navigation_and_counts_no_notices(build, client, django_assert_max_num_queries):
    ev = build.evaluation(n=4, with_users=True)
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:vote", args=[ev.pk])
    client.get(url)
    with django_assert_max_num_queries(BALLOT_POST_QUERIES + 4) as captured:  # SQLite: the ORM's statements
        response = client.post(url, _ballot(ev))
    page = response.content.decode()
    assert receipt_code(response)
    assert "navbar-nav" not in page and 'id="unread-count"' not in page
    # Its links, though rendered without the navigation's context processor: home, the receipt check, back.
    for url in (reverse("home"), reverse("evaluations:receipt_check"), reverse("evaluations:evaluation_detail", args=[ev.pk])):
        assert f'href="{url}"' in page
    assert "no-store" in response["Cache-Control"]
    assert not [q for q in captured.captured_queries if "notifications_notification" in q["sql"]]


def test_the_receipt_is_rendered_once_per_evaluation_and_language_and_each_voter_sees_only_their_code(build, client):
    from django.conf import settings

    from evaluations import services

    ev = build.evaluation(n=4, with_users=True)
    url = reverse("evaluations:vote", args=[ev.pk])
    pages = []
    for i, member in enumerate(ev.members[:3]):
        client.force_login(member.user)
        if i == 2:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.post(url, _ballot(ev))
        pages.append((response, receipt_code(response)))
    (first, code1), (second, code2), (english, code3) = pages
    assert len({code1, code2, code3}) == 3
    stored = set(Ballot.objects.filter(evaluation=ev).values_list("receipt_hash", flat=True))
    assert stored == {services.receipt_hash(c) for c in (code1, code2, code3)}
    assert code1 not in second.content.decode() and code2 not in first.content.decode()
    assert [t.name for t in first.templates][:1] == ["evaluations/receipt.html"]
    assert second.templates == []  # the same page, only the code put in
    assert "投票成功" in second.content.decode()
    assert english.templates and "投票成功" not in english.content.decode()  # another language: its own page
