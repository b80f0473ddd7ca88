"""The meeting as a calendar file (.ics, RFC 5545), for members' phone calendars and the meeting notice.

`meeting_calendar(meeting)` gives one VCALENDAR (METHOD:PUBLISH, times in Asia/Shanghai with its
VTIMEZONE) holding a VEVENT for the meeting itself — when it has a date — and one all-day VEVENT per study
session (会前学习). The view `meetings:meeting_ics` serves it; the meeting-notice email attaches it.

Events keep their UID (`meeting-<pk>@<host>`, `study-<pk>@<host>`, the host from settings.SITE_URL), so a
calendar that imported the file once updates the same event when it imports it again. SEQUENCE is a
counter stored with the row (`Meeting.calendar_sequence`, `StudySession.calendar_sequence`), raised by the
services each time the meeting's date, time or place — or a session's date — changes: RFC 5545 wants it
to grow with each significant revision, which a hash of the fields would not do (it jumps up and down),
and a counter does not grow on edits that do not move the event. DTSTAMP is when the file was made.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from .models import Meeting, StudySession

PRODID = "-//Branchlife//组织生活会//ZH"
TZID = "Asia/Shanghai"
TZ = ZoneInfo(TZID)
DEFAULT_DURATION = dt.timedelta(hours=2)


@lru_cache(maxsize=1)
def _vtimezone() -> Timezone:
    # Generating it walks the zone's transitions: once per process. China has kept +08:00 since 1991.
    return Timezone.from_tzid(TZID, first_date=dt.date(2000, 1, 1))


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "branchlife"


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _day(value: dt.date | None) -> str:
    return _("%(m)s月%(d)s日") % {"m": value.month, "d": value.day} if value else ""


def meeting_description(meeting: Meeting) -> str:
    """The agenda, then what to prepare by when, then the meeting's page."""
    lines: list[str] = []
    if meeting.theme:
        lines.append(_("主题：%(theme)s") % {"theme": meeting.theme})
    if meeting.video_link:
        lines.append(_("远程参会（视频会议）：%(link)s") % {"link": meeting.video_link})
    agenda = [item.title for item in meeting.agenda_items.order_by("position", "id")]
    if agenda:
        lines.append(_("会议议程："))
        lines += [f"{i}. {title}" for i, title in enumerate(agenda, start=1)]
    prepare = [
        text % {"d": _day(day)}
        for text, day in (
            (_("征求意见：%(d)s截止"), meeting.opinions_close_on),
            (_("谈心谈话：%(d)s前完成"), meeting.talks_due_on),
            (_("对照检查材料：%(d)s前提交"), meeting.self_reviews_due_on),
        )
        if day
    ]
    if prepare:
        lines.append(_("会前准备："))
        lines += [f"- {line}" for line in prepare]
    lines.append(_("详情：%(url)s") % {"url": _absolute(reverse("meetings:meeting_detail", args=[meeting.pk]))})
    return "\n".join(lines)


def _meeting_event(meeting: Meeting, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("UID", f"meeting-{meeting.pk}@{_host()}")
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", meeting.calendar_sequence)
    if meeting.starts_at is not None:
        start = dt.datetime.combine(meeting.held_on, meeting.starts_at, tzinfo=TZ)
        event.add("DTSTART", start)
        event.add("DTEND", start + DEFAULT_DURATION)
    else:  # a day without an hour yet: an all-day event (DTEND is exclusive)
        event.add("DTSTART", meeting.held_on)
        event.add("DTEND", meeting.held_on + dt.timedelta(days=1))
    event.add("SUMMARY", str(meeting))
    if meeting.place:
        event.add("LOCATION", meeting.place)
    event.add("DESCRIPTION", meeting_description(meeting))
    event.add("URL", _absolute(reverse("meetings:meeting_detail", args=[meeting.pk])))
    return event


def _study_event(meeting: Meeting, session: StudySession, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("UID", f"study-{session.pk}@{_host()}")
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", session.calendar_sequence)
    event.add("DTSTART", session.held_on)  # sessions have a day, no hour: all-day
    event.add("DTEND", session.held_on + dt.timedelta(days=1))
    event.add("SUMMARY", _("会前学习：%(topic)s") % {"topic": session.topic})
    lines = [str(meeting)]
    if session.form:
        lines.append(_("学习形式：%(form)s") % {"form": session.form})
    event.add("DESCRIPTION", "\n".join(lines))
    event.add("URL", _absolute(reverse("meetings:study_list", args=[meeting.pk])))
    return event


def meeting_calendar(meeting: Meeting, *, now: dt.datetime | None = None) -> bytes:
    """The meeting (if it has a date) and its study sessions as an .ics file. Three queries: the branch
    (unless loaded), the agenda and the study sessions."""
    stamp = (now or timezone.now()).astimezone(dt.UTC)
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", str(meeting))
    cal.add("X-WR-TIMEZONE", TZID)
    cal.add_component(_vtimezone())
    if meeting.held_on is not None:
        cal.add_component(_meeting_event(meeting, stamp))
    for session in StudySession.objects.filter(meeting=meeting).order_by("held_on", "id"):
        cal.add_component(_study_event(meeting, session, stamp))
    return cal.to_ical()


def calendar_filename(meeting: Meeting) -> str:
    """ASCII, so every mail client and browser keeps it as it is."""
    return f"meeting-{meeting.pk}.ics"
