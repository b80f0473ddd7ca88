"""The dashboard cache: pages cached under one data version that writes bump; tallies counted again only
for the meetings written to."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import selectors
from dashboard.services import dashboard_data_changed
from meetings.models import Opinion, SelfReview

from .conftest import YEAR


@pytest.fixture
def cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()


def summary(known, **kwargs):
    return selectors.dashboard_summary(node=known.county, season=selectors.Season(YEAR), **kwargs)


def test_it_serves_the_cached_figures_until_the_data_changes(known, cached, django_assert_num_queries):
    assert summary(known).totals.opinions == 4
    with django_assert_num_queries(0):
        assert summary(known).totals.opinions == 4
    # A save through the ORM (as every service does) bumps the version of what it changes.
    Opinion.objects.create(meeting=known.meeting1, received_on=known.meeting1.held_on, channel="box", text="新的意见建议")
    assert summary(known).totals.opinions == 5


def test_after_one_write_only_that_meeting_is_counted_again(known, cached):
    summary(known)
    review = SelfReview.objects.get(member=known.m1["党员三"])
    review.status = "submitted"
    review.save()
    with CaptureQueriesContext(connection) as captured:
        assert summary(known).totals.reviews_done == 5
    counts = [q["sql"] for q in captured.captured_queries if "meetings_selfreview" in q["sql"] or "meetings_talk" in q["sql"]]
    assert counts, "the meeting written to is counted again"
    assert all(f"IN ({known.meeting1.pk})" in sql for sql in counts)  # … and no other meeting


def test_a_bulk_update_shows_after_an_explicit_refresh(known, cached):
    assert summary(known).totals.opinions == 4
    Opinion.objects.filter(meeting=known.meeting1).update(merged_into=None)  # no signal: stays cached …
    assert summary(known).totals.opinions == 4
    assert summary(known, use_cache=False).totals.opinions == 5  # … until "重新统计" (or the entry expires)
    assert summary(known).totals.opinions == 5  # and the refresh replaced the cached entry


def test_a_write_changes_the_data_version(known, cached):
    before = selectors.data_version()
    Opinion.objects.create(meeting=known.meeting1, received_on=known.meeting1.held_on, channel="box", text="又一条意见建议")
    assert selectors.data_version() != before
    before = selectors.data_version()
    dashboard_data_changed()
    assert selectors.data_version() != before


def test_an_evicted_version_never_comes_back_to_an_old_value(known, cached):
    first = selectors.data_version()
    cache.delete(selectors.VERSION_KEY)
    assert selectors.data_version() > first


def test_the_rows_and_the_summary_agree(known, cached):
    data = selectors.dashboard_data(node=known.county, season=selectors.Season(YEAR))
    front = summary(known)
    assert front.totals.branches == len(data.rows) == 3
    assert [r.name for r in front.behind] == ["三支部", "二支部", "一支部"]


def test_a_cache_that_is_down_never_breaks_a_save_or_the_page(known, cached, monkeypatch, client):
    from django.core.cache import cache as default_cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    for name in ("get", "set", "add", "incr", "get_many", "set_many"):
        monkeypatch.setattr(default_cache, name, down)
    Opinion.objects.create(meeting=known.meeting1, received_on=known.meeting1.held_on, channel="box", text="缓存不可用时的意见")
    assert summary(known).totals.opinions == 5
    client.force_login(known.officer_user)
    assert client.get("/dashboard/", {"year": YEAR}).status_code == 200


def test_the_warm_up_fills_the_cache_of_every_officer_home(known, cached, django_assert_num_queries):
    import datetime as dt

    from dashboard.services import dashboards_warm
    from organizations.models import Officer
    from tests.organizations.factories import UserFactory

    Officer.objects.create(user=UserFactory(), organization=known.county, name="县委组织部干部")
    today = dt.date(YEAR, 11, 25)
    assert dashboards_warm(today=today) == 1
    with django_assert_num_queries(0):
        warm = selectors.dashboard_summary(node=known.county, season=selectors.Season(YEAR), today=today)
    assert warm.totals.opinions == 4
