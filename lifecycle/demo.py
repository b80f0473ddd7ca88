"""The demo's closed meetings get their problem lists, as closing them in the app does: meetings.demo ends
their records (meetings cannot reach rectification) and this runs next, before rectification.demo turns
the problems into items. Safe to run again: only new sources become new problems."""

from __future__ import annotations

from meetings.models import Meeting

from . import services


def reset(ctx) -> None:
    """Nothing of its own: the problem lists go with the meetings that meetings.demo resets."""


def seed(ctx) -> None:
    closed = Meeting.objects.filter(branch__in=list(ctx.orgs.values()), closed_at__isnull=False).order_by("held_on", "pk")
    for meeting in closed:
        services.meeting_close(meeting=meeting)
