"""Writes of 会前学习."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from organizations.models import Member

from ..models import Meeting, StudySession


@transaction.atomic
def study_session_save(
    *, meeting: Meeting, attendees: Sequence[Member], session: StudySession | None = None,
    held_on: dt.date, topic: str, form: str = "", materials: str = "",
) -> StudySession:
    session = session or StudySession(meeting=meeting)
    if session.pk and session.held_on != held_on:
        session.calendar_sequence += 1  # its calendar event moved (meetings/calendar.py)
    session.held_on, session.topic, session.form, session.materials = held_on, topic, form, materials
    session.full_clean()
    session.save()
    session.attendees.set([m for m in attendees if m.branch_id == meeting.branch_id])
    return session


def study_session_delete(*, session: StudySession) -> None:
    session.delete()
