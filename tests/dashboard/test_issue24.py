"""Issue 24 on the dashboards: a meeting whose day passed without being held is its own flag (item 10); the
supervisor's page links "尚未点评" to where the comment is written (item 9) and shows the forum opinions as
cards on a phone (item 2; the layout itself in tests/browser/test_issue24_phone_journey.py); the county
tables keep their headers on one line (item 4; measured in tests/browser/test_county_journey.py)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dashboard import selectors
from dashboard.scoring import FLAGS, MeetingFacts, meeting_flags
from meetings.models import Attendance
from organizations.models import Member

from .conftest import YEAR

TODAY = dt.date(2026, 11, 25)


def _flags(present):
    meeting = MeetingFacts(id=1, branch_id=1, held_on=TODAY - dt.timedelta(days=3), supervisors=1)
    return meeting_flags(meeting=meeting, today=TODAY, opinions=1, opinions_open=0, talks_done=0, talks_required=0,
                         reviews_missing=0, determined=False, items=0, over_quota=False, members=4, present=present)


def test_a_passed_meeting_without_attendance_is_flagged_not_held():
    assert FLAGS["meeting_missed"] == "已过会期，未召开"
    assert "meeting_missed" in _flags(None) and "meeting_overdue" not in _flags(None)
    # Attendance recorded: it was held, only not closed.
    assert "meeting_overdue" in _flags(4) and "meeting_missed" not in _flags(4)


def test_the_townships_dashboard_lists_the_branch_as_not_held(known, client, no_cache):
    known.meeting2.held_on = timezone.localdate() - dt.timedelta(days=3)
    known.meeting2.save()
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:index"), {"year": YEAR})
    assert ("meeting_missed", "已过会期，未召开", 1) in response.context["flag_rows"]
    page = client.get(reverse("dashboard:branches"), {"year": YEAR, "flag": "meeting_missed"}).content.decode()
    assert known.b2.name in page and "已过会期，未召开" in page
    Attendance.objects.create(meeting=known.meeting2, member=Member.objects.filter(branch=known.b2).first(), status="present")
    data = selectors.compute_dashboard(node=known.county, season=selectors.Season(YEAR), refresh=True)
    assert "meeting_missed" not in data.row(known.b2.pk).flags and "meeting_overdue" in data.row(known.b2.pk).flags


def test_not_commented_links_to_the_record_while_it_can_be_written(known, client):
    known.meeting2.supervisors.add(known.supervisor)
    client.force_login(known.supervisor.user)
    record = reverse("meetings:record", args=[known.meeting2.pk]) + "#speaker-supervisor"
    page = client.get(reverse("dashboard:supervisor_home")).content.decode()
    assert "尚未点评" in page and record not in page  # in ten days: not yet
    assert "会议当天起可在会议记录中点评" in page
    known.meeting2.held_on = timezone.localdate()
    known.meeting2.save()
    page = client.get(reverse("dashboard:supervisor_home")).content.decode()
    assert page.count(f'href="{record}"') == 2  # the phone's card and the table's row
    assert client.get(record.split("#")[0]).status_code == 200


def test_the_forum_opinions_are_cards_on_a_phone(known, client):
    client.force_login(known.supervisor.user)
    page = client.get(reverse("dashboard:supervisor_home")).content.decode()
    cards = page[page.index('data-testid="forum-opinions-phone"') :]
    cards = cards[: cards.index("</ul>")]
    assert "意见建议第0条" in cards and "意见建议第1条" in cards
    assert 'class="list-unstyled mb-0 d-md-none" data-testid="forum-opinions-phone"' in page
