"""A province on one page (issue 23 item 4): the province and county pages read per-node rollups
(dashboard.rollups), in the same number of queries whatever the number of counties and branches, with the
same figures as folding every branch (selectors.compute_dashboard)."""

import pytest
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import rollups, scale, selectors
from dashboard.models import Rollup
from dashboard.services import tallies_stale
from meetings.models import Meeting, SelfReview
from organizations.models import Officer, Organization
from organizations.scale import build_province
from tests.organizations.factories import UserFactory

from .conftest import YEAR

SEASON = selectors.Season(YEAR)


def province_of(counties: int, branches: int, client=None, name: str = "测试省委"):
    built = build_province(name=name, counties=counties, branches=branches, members=10 * branches, seed=counties)
    for i, county in enumerate(built.counties, start=1):
        scale.build_season(county=county.county, branch_ids=county.branch_ids, year=YEAR, seed=i, lean=True)
    if client is not None:
        user = UserFactory()
        Officer.objects.create(user=user, organization=built.province, name="省委组织部干部")
        client.force_login(user)
    return built


def front_page_queries(client, node) -> int:
    url, query = reverse("dashboard:index"), {"org": node.pk, "year": YEAR}
    assert client.get(url, query).status_code == 200  # the rollups counted, the session set up
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


# Session, user, the officer's authenticator, the actor, the ?org= node, the years (no breadcrumb on the
# officer's own node) and the rollups' five reads: the node's and its children's rows, the stale rows under
# the node, the ten branches furthest behind, the node's score counts (their ranks) and their parents' names.
PROVINCE_PAGE_QUERIES = 11


@pytest.mark.parametrize("counties, branches", [(2, 6), (3, 36)])
def test_it_pins_the_province_page_queries(db, client, no_cache, still_clock, django_assert_num_queries, counties, branches):
    built = province_of(counties, branches, client)
    client.get(reverse("dashboard:index"), {"org": built.province.pk, "year": YEAR})
    with django_assert_num_queries(PROVINCE_PAGE_QUERIES):
        response = client.get(reverse("dashboard:index"), {"org": built.province.pk, "year": YEAR})
    assert response.status_code == 200
    assert response.context["totals"].branches == branches
    assert [c.node.pk for c in response.context["data"].children] == [c.county.pk for c in built.counties]


def test_the_province_and_county_pages_take_the_same_queries_at_two_sizes(db, client, no_cache, still_clock):
    counts = []
    for counties, branches, name in ((2, 6, "小省"), (3, 36, "大省")):
        built = province_of(counties, branches, client, name=name)
        counts.append((front_page_queries(client, built.province), front_page_queries(client, built.counties[0].county)))
    assert counts[0] == counts[1]


def test_the_rollups_give_the_figures_of_every_branch_folded(db, no_cache, still_clock):
    built = province_of(2, 24)
    rolled = selectors.dashboard_summary(node=built.province, season=SEASON)
    folded = selectors.compute_dashboard(node=built.province, season=SEASON)
    assert rolled.totals == folded.totals
    assert [(c.node.pk, c.totals) for c in rolled.children] == [(c.node.pk, c.totals) for c in folded.children]
    assert [(r.id, r.score, r.flags) for r in rolled.behind] == [(r.id, r.score, r.flags) for r in selectors.DashboardSummary.of(folded).behind]
    county = built.counties[0].county
    folded_county = selectors.compute_dashboard(node=county, season=SEASON)
    assert selectors.dashboard_summary(node=county, season=SEASON).totals == folded_county.totals


def test_a_write_shows_at_once_and_only_its_branch_is_counted_again(db, no_cache, still_clock):
    built = province_of(2, 12)
    before = selectors.dashboard_summary(node=built.province, season=SEASON).totals
    review = SelfReview.objects.filter(meeting__branch_id__in=built.branch_ids, status="draft", kind="member").first()
    review.status = SelfReview.Status.SUBMITTED
    review.save()  # services.tallies_stale marks the tally and the branch's rollup in the same statement
    stale = Rollup.objects.filter(year=YEAR).exclude(clean=F("dirty"))
    assert list(stale.values_list("node_id", flat=True)) == [review.meeting.branch_id]
    after = selectors.dashboard_summary(node=built.province, season=SEASON).totals
    assert after.reviews_done == before.reviews_done + 1
    assert not Rollup.objects.filter(year=YEAR).exclude(clean=F("dirty")).exists()
    assert after == selectors.compute_dashboard(node=built.province, season=SEASON).totals


def test_a_write_racing_with_a_recount_is_never_lost(db, no_cache, still_clock, monkeypatch):
    """A write committed after the recount read `dirty` leaves the branch's row stale, and the next read
    counts it again (the counters of MeetingTally)."""
    built = province_of(1, 4)
    selectors.dashboard_summary(node=built.province, season=SEASON)
    meeting = Meeting.objects.filter(branch_id__in=built.branch_ids).first()
    tallies_stale(meetings=Q(meeting_id=meeting.pk))
    fold = selectors.fold_rows

    def fold_then_write(**kwargs):
        out = fold(**kwargs)
        tallies_stale(meetings=Q(meeting_id=meeting.pk))  # a write lands while the recount counts
        return out

    monkeypatch.setattr(selectors, "fold_rows", fold_then_write)
    selectors.dashboard_summary(node=built.province, season=SEASON)
    monkeypatch.setattr(selectors, "fold_rows", fold)
    row = Rollup.objects.get(node_id=meeting.branch_id, year=YEAR)
    assert row.clean == row.dirty - 1  # still stale …
    selectors.dashboard_summary(node=built.province, season=SEASON)
    row.refresh_from_db()
    assert row.clean == row.dirty  # … and counted again on the next read


def test_the_lists_page_through_the_branches_in_sql(db, client, no_cache, still_clock):
    built = province_of(2, 36, client)
    data = selectors.dashboard_data(node=built.province, season=SEASON)
    rows = selectors.branch_rows(data=data, flag="behind", sort="-rank")
    folded = selectors.compute_dashboard(node=built.province, season=SEASON)
    expected = selectors.branch_rows(data=folded, flag="behind", sort="-rank")
    assert len(rows) == len(expected)
    assert [(r.id, r.rank, r.parent_names) for r in rows[:10]] == [(r.id, r.rank, r.parent_names) for r in expected[:10]]
    assert [r.id for r in rows] == [r.id for r in expected]
    for flag in ("talks_late", "held", "evaluated", "no_meeting"):
        assert [r.id for r in selectors.branch_rows(data=data, flag=flag)] == [
            r.id for r in selectors.branch_rows(data=folded, flag=flag)
        ], flag
    name = expected[0].name
    assert [r.id for r in selectors.branch_rows(data=data, search=name)] == [
        r.id for r in selectors.branch_rows(data=folded, search=name)
    ]
    response = client.get(reverse("dashboard:branches"), {"org": built.province.pk, "year": YEAR, "flag": "behind"})
    assert response.status_code == 200 and response.context["count"] == len(expected)


def test_a_new_branch_gets_its_rows_and_counts_at_once(db, no_cache, still_clock):
    built = province_of(1, 4)
    selectors.dashboard_summary(node=built.province, season=SEASON)
    township = built.counties[0].county.get_children().first()
    branch = township.add_child(name="新建支部", level="branch")
    assert Rollup.objects.filter(node=branch, year=YEAR, clean__isnull=True).exists()
    assert selectors.dashboard_summary(node=built.province, season=SEASON).totals.branches == 5
    under = Organization.objects.filter(path__startswith=township.path, level="branch").count()
    assert rollups.totals_of(Rollup.objects.get(node=township, year=YEAR).figures).branches == under


def test_seed_scale_builds_a_province_and_its_rollups(db):
    import io

    from django.core.management import call_command

    from organizations.models import Member

    out = io.StringIO()
    call_command("seed_scale", "--province", "--counties", "2", "--branches", "20", "--members", "300", "--name", "小省",
                 "--officer", "province", stdout=out)
    province = Organization.objects.get(name="小省")
    assert "2 counties, 20 branches, 300 members" in out.getvalue() and "tallies and rollups of 小省第1县委" in out.getvalue()
    assert [c.name for c in province.get_children()] == ["小省第1县委", "小省第2县委"]
    assert Organization.find_problems() == ([], [], [], [], [])
    assert Member.objects.filter(branch__path__startswith=province.path).count() == 300
    season = selectors.Season(selectors.timezone.localdate().year)
    assert not Rollup.objects.filter(path__startswith=province.path).exclude(clean=F("dirty")).exists()
    assert Rollup.objects.filter(path__startswith=province.path, is_branch=True).count() == 20
    rolled = rollups.totals_of(Rollup.objects.get(node=province, year=season.year).figures)
    assert rolled == selectors.compute_dashboard(node=province, season=season).totals
    assert rolled.talks_done > 0 and rolled.evaluations_determined > 0 and rolled.items > 0
