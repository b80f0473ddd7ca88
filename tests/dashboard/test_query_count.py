"""The dashboard's query count does not grow with the number of branches."""

import pytest
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import scale
from dashboard.models import MeetingTally
from dashboard.services import tallies_stale
from organizations.models import Officer, Organization
from tests.organizations.factories import UserFactory

YEAR = 2026
PAGES = [
    ("dashboard:index", {}),
    ("dashboard:index", {"township": True}),
    ("dashboard:branches", {"flag": "behind"}),
    ("dashboard:ranking", {}),
    ("dashboard:branches_export", {}),
    ("dashboard:children_export", {}),
    ("dashboard:items", {"state": "overdue"}),
    ("dashboard:supervision_stats", {}),
    ("dashboard:supervision_stats_export", {}),
]


def county_of(branches: int, client):
    county, _season = scale.build(name=f"{branches}支部县", branches=branches, members=8 * branches, year=YEAR,
                                  seed=branches, officer_username=None)
    user = UserFactory()
    Officer.objects.create(user=user, organization=county.county, name="干部")
    client.force_login(user)
    return county.county


def queries_per_page(client, county) -> dict:
    township = Organization.objects.filter(path__startswith=county.path, depth=county.depth + 1).first()
    counts = {}
    for name, params in PAGES:
        params = dict(params)
        node = township if params.pop("township", False) else county
        url = reverse(name)
        query = {"org": node.pk, "year": YEAR, **params}
        client.get(url, query)  # the session and the data version are set up once
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, query)
        assert response.status_code == 200, name
        counts[(name, node == township)] = len(captured)
    return counts


@pytest.fixture
def counts_at(client, no_cache, still_clock):
    def _counts(branches: int) -> dict:
        return queries_per_page(client, county_of(branches, client))

    return _counts


def test_it_runs_the_same_queries_for_10_and_100_branches(db, counts_at):
    small = counts_at(10)
    large = counts_at(100)
    assert small == large
    assert small[("dashboard:index", False)] == FRONT_PAGE_QUERIES + 1  # + the ?org= node lookup


# Session, user, the officer's authenticator (django-otp), the actor (member, officer, supervisor: one query
# since issue 23, which also took the navigation badge to the cache), the years, the breadcrumb and the five
# reads of the node's rollups (dashboard.rollups: the node's and its children's rows, the stale rows under
# it, the ten branches furthest behind, the node's score counts for their ranks, their parents' names) when
# every branch's rollup is current. (Before the rollups: the five grouped reads of
# selectors.compute_dashboard; tests/dashboard/test_province.py pins a province's page.)
FRONT_PAGE_QUERIES = 10
AGGREGATE_READS = 5


@pytest.mark.parametrize("branches", [10, 100])
def test_it_pins_the_front_page_queries(db, client, no_cache, django_assert_num_queries, branches):
    county_of(branches, client)
    client.get(reverse("dashboard:index"))
    with django_assert_num_queries(FRONT_PAGE_QUERIES):
        assert client.get(reverse("dashboard:index"), {"year": YEAR}).status_code == 200


def test_a_cached_front_page_runs_no_aggregate_query(db, client, settings, django_assert_max_num_queries):
    settings.DASHBOARD_CACHE_SECONDS = 60
    county_of(10, client)
    client.get(reverse("dashboard:index"), {"year": YEAR})
    with django_assert_max_num_queries(FRONT_PAGE_QUERIES - AGGREGATE_READS):
        assert client.get(reverse("dashboard:index"), {"year": YEAR}).status_code == 200


def stale_page_queries(client, branches: int) -> int:
    county = county_of(branches, client)
    client.get(reverse("dashboard:index"), {"year": YEAR})
    tallies_stale(meetings=Q())  # every meeting written to since (the tallies and their branches' rollups)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard:index"), {"year": YEAR}).status_code == 200
    assert not MeetingTally.objects.filter(meeting__branch__path__startswith=county.path).exclude(clean=F("dirty")).exists()
    return len(captured)


def test_counting_every_stale_tally_again_takes_the_same_queries_for_10_and_100_branches(db, client, no_cache, still_clock):
    assert stale_page_queries(client, 10) == stale_page_queries(client, 100) > FRONT_PAGE_QUERIES
