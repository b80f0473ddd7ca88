"""Writes of the dashboard: its cache's data versions and its meetings' tallies (the dashboard never
writes other apps' data)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from meetings.models import Meeting

from . import rollups
from .models import MeetingTally, Rollup
from .rollups import rollups_stale
from .selectors import VERSION_KEY, safely


def dashboard_data_changed() -> None:
    """Make every cached dashboard stale: the data version is part of each cache key, so nothing is
    deleted, old entries just expire.

    Connected (dashboard.apps) to the save/delete signals of selectors.WATCHED_MODELS, and called by
    seed_scale after its bulk inserts. Writes that bypass signals (queryset.update, bulk_create in other
    apps) show when the cached entries expire (DASHBOARD_CACHE_SECONDS) or on "重新统计".
    """
    # A save in another app must never fail because the cache is down (safely logs and goes on).
    safely(lambda: _bump(VERSION_KEY))


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # never set or evicted: start from the clock, never from a value used before
        cache.set(key, time.time_ns(), None)


def dashboards_warm(*, today=None) -> int:
    """Compute the home dashboard of every node that has an officer, so that its cache is warm (and its
    tallies older than DASHBOARD_CACHE_SECONDS are counted here rather than on an officer's request).

    A county of 3,300 branches takes about 0.2 s to compute with its tallies current; beat runs this
    more often than the cache expires, so officers opening their home page get the cached figures.
    Returns how many nodes were warmed.
    """
    from meetings.models import Meeting
    from organizations.models import Officer, Organization

    from .selectors import Season, dashboard_summary, default_year, season_years

    today = today or timezone.localdate()
    # Deepest first: a county's rollups are brought up to date before the province sums them.
    nodes = Organization.objects.filter(pk__in=Officer.objects.values("organization_id")).order_by("-depth", "path")
    warmed = 0
    for node in nodes:
        year = default_year(years=season_years(node=node), today=today)
        season = Season(year=year, kind=Meeting.Kind.ANNUAL)
        if node.level != Organization.Level.BRANCH:
            rollups_refresh(node=node, season=season, today=today)
        dashboard_summary(node=node, season=season, today=today)
        warmed += 1
    return warmed


def rollups_refresh(*, node, season, today) -> None:
    """Bring a node's rollups up to date child by child (each child its own transaction, so that a
    province's day-change recount holds no lock for long), then the node's own."""
    from organizations.models import Organization

    if node.numchild:
        for child in node.get_children().exclude(level__in=[Organization.Level.GROUP, Organization.Level.BRANCH]):
            rollups.refresh(node=child, season=season, today=today)
    rollups.refresh(node=node, season=season, today=today)


def tallies_stale(*, meetings: Q) -> int:
    """Mark the tallies of the meetings matching `meetings` (a Q on MeetingTally) stale: one UPDATE in
    the caller's transaction, so the mark commits (or rolls back) with the write that caused it.

    Connected (dashboard.apps) to the save/delete signals of every model a tally counts. The rollups of
    those meetings' branches (dashboard.rollups) are marked with them: on PostgreSQL in the same statement
    (a data-modifying WITH), so a write pays no extra round trip."""
    tallies = MeetingTally.objects.filter(meetings)
    if connection.vendor != "postgresql":
        branches = Meeting.objects.filter(pk__in=list(tallies.values_list("meeting_id", flat=True))).values("branch_id")
        rollups_stale(branches=Q(node_id__in=branches))
        return tallies.update(dirty=F("dirty") + 1)
    ids, params = tallies.values("pk").query.sql_with_params()
    tally, rollup, meeting = MeetingTally._meta.db_table, Rollup._meta.db_table, Meeting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH t AS (UPDATE {tally} SET dirty = dirty + 1 WHERE meeting_id IN ({ids}) RETURNING meeting_id)"
            f" UPDATE {rollup} SET dirty = dirty + 1 WHERE node_id IN"
            f" (SELECT m.branch_id FROM {meeting} m JOIN t ON m.id = t.meeting_id)",
            params,
        )
        return cursor.rowcount


def _of_member(member) -> Q:
    # Their branch's meetings (committee posts and leaving change the required talks and self-reviews),
    # and any meeting they have a self-review or talk in (they may have moved branch since).
    from meetings.models import SelfReview, Talk

    return (
        Q(meeting__branch_id=member.branch_id)
        | Q(meeting_id__in=SelfReview.objects.filter(member_id=member.pk).values("meeting_id"))
        | Q(meeting_id__in=Talk.objects.filter(Q(member_a_id=member.pk) | Q(member_b_id=member.pk)).values("meeting_id"))
    )


def _of_meeting_field(instance) -> Q:
    return Q(meeting_id=instance.meeting_id)


# The tallies a saved or deleted object makes stale (dashboard.apps connects the signals). Candidate
# and Voter are left out on purpose (see dashboard.apps): determination saves the Evaluation itself.
TALLIES_OF_MODEL: dict[str, Callable[[object], Q]] = {
    "meetings.Meeting": lambda meeting: Q(meeting_id=meeting.pk),
    "meetings.Opinion": _of_meeting_field,
    "meetings.OpinionClaim": lambda claim: Q(meeting__opinions=claim.opinion_id),
    "meetings.SelfReview": _of_meeting_field,
    "meetings.Talk": _of_meeting_field,
    "meetings.Attendance": _of_meeting_field,
    "meetings.Criticism": _of_meeting_field,
    "evaluations.Evaluation": _of_meeting_field,
    "organizations.Member": _of_member,
}


def tally_create(*, meeting_id: int) -> None:
    """A new meeting gets its (stale) tally at once, so that no write can miss it (see MeetingTally)."""
    MeetingTally.objects.get_or_create(meeting_id=meeting_id)

