"""Writes that span the phases. Closing a meeting ends its record (meetings) and builds every member's problem
list from it (rectification) in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from meetings.models import Meeting
from meetings.services.record import meeting_record_close
from rectification.services import problem_entries, problem_list_build


@dataclass
class CloseResult:
    problems_created: int


@transaction.atomic
def meeting_close(*, meeting: Meeting) -> CloseResult:
    """End the meeting: the record becomes read-only and every member's problem list is built (issue 7
    takes it from there). Safe to call again: only new sources become new problems."""
    meeting = meeting_record_close(meeting=meeting)
    return CloseResult(problems_created=problem_list_build(meeting=meeting, entries=problem_entries(meeting=meeting)))
