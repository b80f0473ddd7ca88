"""Writes of the dashboard: only the cache's data version (the dashboard never writes other apps' data)."""

from __future__ import annotations

from django.core.cache import cache

from .selectors import CACHE_VERSION_KEY


def dashboard_data_changed(**_signal_kwargs) -> None:
    """Make every cached dashboard stale: the version is part of each cache key.

    Connected (dashboard.apps) to the save/delete signals of the models the indicators read, and called
    by seed_scale after its bulk inserts. Writes that bypass signals (queryset.update, bulk_create in
    other apps) show up when the cached entry expires (DASHBOARD_CACHE_SECONDS).
    """
    try:
        cache.incr(CACHE_VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from the keys in use
        cache.set(CACHE_VERSION_KEY, 2, None)
