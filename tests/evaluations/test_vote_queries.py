"""Issue 23: a ballot's POST in a pinned number of statements, its write in one, and a slim receipt."""

import pytest
from django.db import connection
from django.urls import reverse

from evaluations.models import Ballot, BallotMark, Candidate, Grade

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
    assert response.status_code == 200 and response.context["code"]
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
    assert 'id="receipt-code"' in page and response.context["code"] in page
    assert "navbar-nav" not in page and 'id="unread-count"' not in page
    assert not [q for q in captured.captured_queries if "notifications_notification" in q["sql"]]
