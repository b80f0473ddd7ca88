"""Reads of 会前学习."""

from __future__ import annotations

from django.db.models import Prefetch

from organizations.models import Member

from ..models import Meeting, StudySession


def study_sessions(*, meeting: Meeting) -> list[StudySession]:
    return list(
        StudySession.objects.filter(meeting=meeting)
        .prefetch_related(Prefetch("attendees", queryset=Member.objects.order_by("name")))
        .order_by("held_on", "id")
    )
