"""The dashboard cache: keyed by node, season, day and a data version that writes bump."""

import pytest
from django.core.cache import cache

from dashboard import selectors
from dashboard.services import dashboard_data_changed
from meetings.models import Opinion

from .conftest import YEAR


@pytest.fixture
def cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()


def opinions(known) -> int:
    return selectors.dashboard_summary(node=known.county, season=selectors.Season(YEAR)).totals.opinions


def test_it_serves_the_cached_figures_until_the_data_changes(known, cached, django_assert_num_queries):
    assert opinions(known) == 4
    with django_assert_num_queries(0):
        assert opinions(known) == 4
    # A save through the ORM (as every service does) bumps the data version: the next read recomputes.
    Opinion.objects.create(meeting=known.meeting1, received_on=known.meeting1.held_on, channel="box", text="新的意见建议")
    assert opinions(known) == 5


def test_a_bulk_update_shows_after_an_explicit_refresh(known, cached):
    assert opinions(known) == 4
    Opinion.objects.filter(meeting=known.meeting1).update(merged_into=None)  # no signal: stays cached …
    assert opinions(known) == 4
    fresh = selectors.dashboard_summary(node=known.county, season=selectors.Season(YEAR), use_cache=False)
    assert fresh.totals.opinions == 5  # … until "重新统计" (or the entry expires)
    assert opinions(known) == 5  # and the refresh replaced the cached entry


def test_a_version_bump_makes_every_node_stale(known, cached):
    before = selectors._cache_key(known.county, selectors.Season(YEAR), known.meeting1.held_on, "rows")
    dashboard_data_changed()
    assert selectors._cache_key(known.county, selectors.Season(YEAR), known.meeting1.held_on, "rows") != before


def test_the_rows_and_the_summary_agree(known, cached):
    data = selectors.dashboard_data(node=known.county, season=selectors.Season(YEAR))
    summary = selectors.dashboard_summary(node=known.county, season=selectors.Season(YEAR))
    assert summary.totals.branches == len(data.rows) == 3
    assert [r.name for r in summary.behind] == ["三支部", "二支部", "一支部"]
