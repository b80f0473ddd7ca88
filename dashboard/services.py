"""Writes of the dashboard: its cache's data versions and its meetings' tallies (the dashboard never
writes other apps' data)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from .models import MeetingTally
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
    nodes = Organization.objects.filter(pk__in=Officer.objects.values("organization_id")).order_by("path")
    warmed = 0
    for node in nodes:
        year = default_year(years=season_years(node=node), today=today)
        dashboard_summary(node=node, season=Season(year=year, kind=Meeting.Kind.ANNUAL), today=today)
        warmed += 1
    return warmed


def tallies_stale(*, meetings: Q) -> int:
    """Mark the tallies of the meetings matching `meetings` (a Q on MeetingTally) stale: one UPDATE in
    the caller's transaction, so the mark commits (or rolls back) with the write that caused it.

    Connected (dashboard.apps) to the save/delete signals of every model a tally counts."""
    return MeetingTally.objects.filter(meetings).update(dirty=F("dirty") + 1)


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
