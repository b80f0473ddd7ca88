"""Writes of the dashboard: only its cache's data versions (the dashboard never writes other apps' data)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache

from .selectors import PARTS, safely, version_key


def dashboard_data_changed(*, parts: Iterable[str] = PARTS) -> None:
    """Make the cached reads of `parts` (and every dashboard assembled from them) stale: the versions
    are part of each cache key, so nothing is deleted, old entries just expire.

    Connected (dashboard.apps) to the save/delete signals of the models each part reads, and called by
    seed_scale after its bulk inserts. Writes that bypass signals (queryset.update, bulk_create in other
    apps) show when the cached entries expire (DASHBOARD_CACHE_SECONDS) or on "重新统计".
    """
    for part in parts:
        # A save in another app must never fail because the cache is down (safely logs and goes on).
        key = version_key(part)
        safely(lambda key=key: _bump(key))


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # never set or evicted: start from the clock, never from a value used before
        cache.set(key, time.time_ns(), None)


def dashboards_warm(*, today=None) -> int:
    """Compute the home dashboard of every node that has an officer, so that its cache is warm.

    A county of 3,300 branches takes about 0.6 s to compute cold; beat runs this more often than the
    cache expires (DASHBOARD_CACHE_SECONDS), so officers opening their home page get the cached figures
    and, after a write, only the reads that the write made stale. Returns how many nodes were warmed.
    """
    from django.utils import timezone

    from meetings.models import Meeting
    from organizations.models import Officer, Organization

    from .selectors import Season, dashboard_summary, default_year, season_years

    today = today or timezone.localdate()
    nodes = Organization.objects.filter(pk__in=Officer.objects.values("organization_id")).order_by("path")
    warmed = 0
    for node in nodes:
        year = default_year(years=season_years(node=node), today=today)
        dashboard_summary(node=node, season=Season(year=year, kind=Meeting.Kind.ANNUAL), today=today)
        warmed += 1
    return warmed
