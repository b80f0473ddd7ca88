"""The demo is a live season on any day of the year (issue 14): built on a given day, a meeting collects
opinions (its public link answers 200), `member` has something to do on its home page, a ballot is open in
the demo county, and `county`'s dashboard opens on the season. A later `seed_demo` keeps a season that
still holds and rebuilds one that does not."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluations.models import Evaluation
from meetings.models import Meeting
from organizations.demo import MEETING_IN_DAYS, SEASON_KEPT_DAYS, Season
from organizations.models import Organization

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOMENTS = [
    dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI),
    dt.datetime(2027, 1, 20, 9, 0, tzinfo=SHANGHAI),  # 45 days on: the meeting is in early February
    dt.datetime(2027, 6, 24, 15, 0, tzinfo=SHANGHAI),  # 200 days on: the season's year turns to 2027
    dt.datetime(2027, 2, 28, 23, 30, tzinfo=SHANGHAI),  # late at night, the day before a month ends
    dt.datetime(2028, 2, 29, 7, 59, tzinfo=SHANGHAI),  # a leap day, before quiet hours end
]


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%Y-%m-%d_%H%M"))
def test_the_demo_tells_the_same_story_on_any_day(moment, db, time_machine, login, no_cache):
    time_machine.move_to(moment, tick=False)
    _seed()
    season = Season(anchor=moment.date())
    office = Meeting.objects.get(branch__name="水阜镇机关党支部", year=season.year, kind="annual")
    assert office.held_on == moment.date() + dt.timedelta(days=MEETING_IN_DAYS) and office.closed_at is None

    public = login("member").get(reverse("meetings:public_opinion", args=[office.public_token]))
    assert public.status_code == 200

    home = login("member").get(reverse("meetings:my_home"))
    assert home.status_code == 200 and home.context["home"].count > 0
    assert [g.meeting for g in home.context["home"].groups] == [office]

    gaolan = Organization.objects.get(name="中共皋兰县委")
    voting = [e for e in Evaluation.objects.filter(meeting__branch__path__startswith=gaolan.path) if e.is_open()]
    assert [e.meeting.branch.name for e in voting] == ["砂岗村第二党支部"]

    dashboard = login("county").get(reverse("dashboard:index"))
    assert dashboard.status_code == 200 and dashboard.context["scope"].season.year == season.year


def test_a_season_that_still_holds_is_kept(db, time_machine):
    start = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI)
    time_machine.move_to(start, tick=False)
    _seed()
    meeting = Meeting.objects.get(branch__name="水阜镇机关党支部", closed_at__isnull=True)
    time_machine.move_to(start + dt.timedelta(days=SEASON_KEPT_DAYS), tick=False)
    _seed()
    assert Meeting.objects.get(branch__name="水阜镇机关党支部", closed_at__isnull=True) == meeting
    assert Meeting.objects.get(pk=meeting.pk).held_on == meeting.held_on


def test_a_later_run_brings_the_season_forward(db, time_machine):
    start = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI)
    time_machine.move_to(start, tick=False)
    _seed()
    later = start + dt.timedelta(days=SEASON_KEPT_DAYS + 1)
    time_machine.move_to(later, tick=False)
    _seed()
    current = Meeting.objects.get(branch__name="水阜镇机关党支部", closed_at__isnull=True)
    assert current.held_on == later.date() + dt.timedelta(days=MEETING_IN_DAYS)
    # nothing of the old season is left behind: one meeting per branch and season year (this season's, last
    # year's and the one before it, whose problems came back), one open ballot
    assert Meeting.objects.filter(branch__name="水阜镇机关党支部").count() == 3
    assert Evaluation.objects.filter(meeting__branch__name="砂岗村第二党支部").count() == 1


def test_rebuild_starts_a_season_today_even_if_one_holds(db, time_machine):
    start = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI)
    time_machine.move_to(start, tick=False)
    _seed()
    time_machine.move_to(start + dt.timedelta(days=1), tick=False)
    call_command("seed_demo", "--rebuild", stdout=io.StringIO())
    current = Meeting.objects.get(branch__name="水阜镇机关党支部", closed_at__isnull=True)
    assert current.held_on == start.date() + dt.timedelta(days=1 + MEETING_IN_DAYS)


@pytest.mark.parametrize(
    "today, year",
    [(dt.date(2026, 12, 6), 2026), (dt.date(2026, 12, 20), 2026), (dt.date(2027, 6, 15), 2026), (dt.date(2027, 6, 16), 2027)],
)
def test_the_seasons_year_is_the_one_its_meeting_reviews(today, year):
    # held in the first half of a year, an annual meeting reviews the year before (seed 002: 2020's in March 2021)
    assert Season(anchor=today).year == year and Season(anchor=today).last_year == year - 1
