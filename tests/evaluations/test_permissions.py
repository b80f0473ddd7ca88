"""Every evaluations URL × every demo role → the expected status."""

import pytest
from django.urls import reverse

from evaluations import demo as evaluations_demo
from evaluations.models import Candidate, Evaluation
from tests.season import office_vote_opens_today

ROLES = ["secretary", "member", "county", "anyue", "supervisor", None]


def row(name, target, expected: dict):
    return [(name, target, role, expected.get(role, 302 if role is None else 403)) for role in ROLES]


ALL_IN = {"secretary": 200, "member": 200, "county": 200, "anyue": 200, "supervisor": 200}
OFFICE_READERS = {"secretary": 200, "member": 200, "county": 200, "supervisor": 200}
TABLE = [
    *row("evaluations:evaluation_list", None, ALL_IN),
    *row("evaluations:receipt_check", None, ALL_IN),
    *row("evaluations:evaluation_create", "office_meeting", {"secretary": 302, "county": 302}),
    *row("evaluations:evaluation_create", "palace_meeting", {"anyue": 302}),
    *row("evaluations:evaluation_detail", "office", OFFICE_READERS),
    *row("evaluations:evaluation_detail", "palace", {"anyue": 200}),
    *row("evaluations:evaluation_edit", "office", {"secretary": 200, "county": 200}),
    *row("evaluations:evaluation_roster", "office", {"secretary": 200, "county": 200}),
    *row("evaluations:vote", "office", {"secretary": 200, "member": 200}),
    *row("evaluations:vote", "palace", {"anyue": 200}),
    *row("evaluations:paper_ballot_pdf", "office", {"secretary": 200, "county": 200}),
    *row("evaluations:paper_voters", "office", {"secretary": 200}),
    *row("evaluations:paper_entry", "office", {"secretary": 200}),
    *row("evaluations:paper_totals", "office", {"secretary": 200}),
    *row("evaluations:results", "office", {"secretary": 200, "county": 200}),
    *row("evaluations:results", "palace", {"anyue": 200}),
    *row("evaluations:results_export", "palace", {"anyue": 200}),
    *row("evaluations:determination", "palace", {"anyue": 200}),
    *row("evaluations:publish", "palace", {"anyue": 200}),
    *row("evaluations:published", "office", OFFICE_READERS),
    *row("evaluations:published", "palace", {"anyue": 200}),
    *row("evaluations:my_result", "office", {"secretary": 200, "member": 200}),
    *row("evaluations:my_result", "palace", {"anyue": 200}),
    *row("evaluations:follow_up", "palace_candidate", {"anyue": 200}),
    *row("evaluations:close_now", "office", {}),  # GET: only POST is allowed (see below)
]
TABLE = [r if r[0] != "evaluations:close_now" or r[2] is None else (*r[:3], 405) for r in TABLE]


@pytest.fixture
def evaluations(demo_orgs):
    evaluations_demo._palace_2020(demo_orgs)
    _season, office = office_vote_opens_today()
    palace = Evaluation.objects.get(meeting__branch=demo_orgs.orgs["palace"])
    return {
        "office": office,
        "palace": palace,
        "office_meeting": office.meeting,
        "palace_meeting": palace.meeting,
        "palace_candidate": Candidate.objects.filter(evaluation=palace).first(),
    }


@pytest.mark.parametrize(("url_name", "target", "role", "status"), TABLE)
def test_it_allows_only_the_right_roles(evaluations, client, login, url_name, target, role, status):
    args = [evaluations[target].pk] if target else []
    if role:
        login(role)
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == status, (url_name, target, role)


@pytest.mark.parametrize(("role", "status"), [("secretary", 302), ("county", 302), ("member", 403), ("anyue", 403), ("supervisor", 403)])
def test_it_lets_only_managers_close_the_voting(evaluations, client, login, role, status):
    login(role)
    # nobody has voted yet: closing early needs a reason (issue 17)
    response = client.post(reverse("evaluations:close_now", args=[evaluations["office"].pk]), {"reason": "改为纸质票"})
    assert response.status_code == status
    evaluations["office"].refresh_from_db()
    assert (evaluations["office"].sealed_at is not None) == (status == 302)


def test_an_officer_of_one_county_gets_nothing_of_another(evaluations, login):
    client = login("county")
    palace = evaluations["palace"]
    for name in ("evaluation_detail", "results", "results_export", "published", "paper_ballot_pdf", "determination"):
        assert client.get(reverse(f"evaluations:{name}", args=[palace.pk])).status_code == 403, name
    listing = client.get(reverse("evaluations:evaluation_list")).content.decode()
    assert "安岳县青少年宫支部" not in listing and "水阜镇机关党支部" in listing
