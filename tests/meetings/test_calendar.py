"""Issue 16 item 6: the meeting as an .ics file (meetings.calendar.meeting_calendar, meetings:meeting_ics)."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings import calendar, services
from meetings.models import AgendaItem, Meeting

from .factories import MeetingFactory, StudySessionFactory, days
from .test_meeting_plan import plan

SITE = "https://dangjian.example.cn"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def parse(data: bytes) -> Calendar:
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def events(cal: Calendar) -> dict:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def timed(meeting):
    """水阜镇机关党支部's meeting at 09:30 in the town hall, with an agenda and two study sessions."""
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=dt.time(9, 30), place="镇政府三楼会议室")
    meeting.refresh_from_db()
    AgendaItem.objects.create(meeting=meeting, position=1, title="书记讲评")
    AgendaItem.objects.create(meeting=meeting, position=0, title="支部班子对照检查")
    return meeting


def test_the_calendar_has_the_meeting_at_its_hour_in_shanghai(timed):
    cal = parse(calendar.meeting_calendar(timed))
    assert str(cal["PRODID"]) == "-//Branchlife//组织生活会//ZH"
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["VERSION"]) == "2.0"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    event = events(cal)[f"meeting-{timed.pk}@dangjian.example.cn"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert start.replace(tzinfo=None) == dt.datetime.combine(timed.held_on, dt.time(9, 30))
    assert start.utcoffset() == dt.timedelta(hours=8)
    assert end - start == dt.timedelta(hours=2)
    assert str(event["SUMMARY"]) == str(timed)
    assert str(event["LOCATION"]) == "镇政府三楼会议室"
    assert int(event["SEQUENCE"]) == 0 and event.decoded("DTSTAMP").tzinfo is not None


def test_the_description_lists_the_agenda_and_what_to_prepare(timed):
    event = events(parse(calendar.meeting_calendar(timed)))[f"meeting-{timed.pk}@dangjian.example.cn"]
    text = str(event["DESCRIPTION"])
    assert text.index("1. 支部班子对照检查") < text.index("2. 书记讲评")
    d = timed.self_reviews_due_on
    assert f"对照检查材料：{d.month}月{d.day}日前提交" in text
    assert f"谈心谈话：{timed.talks_due_on.month}月{timed.talks_due_on.day}日前完成" in text
    assert f"征求意见：{timed.opinions_close_on.month}月{timed.opinions_close_on.day}日截止" in text
    assert f"{SITE}/meetings/{timed.pk}/" in text


def test_a_meeting_without_an_hour_is_an_all_day_event(meeting):
    event = events(parse(calendar.meeting_calendar(meeting)))[f"meeting-{meeting.pk}@dangjian.example.cn"]
    assert event.decoded("DTSTART") == meeting.held_on and not isinstance(event.decoded("DTSTART"), dt.datetime)
    assert event.decoded("DTEND") == meeting.held_on + dt.timedelta(days=1)


def test_each_study_session_is_an_all_day_event(timed):
    first = StudySessionFactory(meeting=timed, held_on=days(2), topic="学习党章", form="书记领读")
    second = StudySessionFactory(meeting=timed, held_on=days(9), topic="学习条例")
    found = events(parse(calendar.meeting_calendar(timed)))
    assert len(found) == 3
    event = found[f"study-{first.pk}@dangjian.example.cn"]
    assert event.decoded("DTSTART") == days(2) and event.decoded("DTEND") == days(3)
    assert str(event["SUMMARY"]) == "会前学习：学习党章" and "学习形式：书记领读" in str(event["DESCRIPTION"])
    assert found[f"study-{second.pk}@dangjian.example.cn"].decoded("DTSTART") == days(9)


def test_a_meeting_without_a_date_has_only_its_study_sessions(demo_orgs):
    undated = MeetingFactory(branch=demo_orgs.orgs["office"], held_on=None, opinions_close_on=None,
                             talks_due_on=None, self_reviews_due_on=None)
    cal = parse(calendar.meeting_calendar(undated))
    assert list(cal.walk("VEVENT")) == [] and str(cal["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    session = StudySessionFactory(meeting=undated, held_on=days(3))
    assert list(events(parse(calendar.meeting_calendar(undated)))) == [f"study-{session.pk}@dangjian.example.cn"]


def test_the_uid_stays_and_the_sequence_grows_when_the_meeting_moves(timed, people, login):
    uid = f"meeting-{timed.pk}@dangjian.example.cn"

    def event():
        timed.refresh_from_db()
        return events(parse(calendar.meeting_calendar(timed)))[uid]

    assert int(event()["SEQUENCE"]) == 0
    # Through the edit page (a ModelForm puts the new values on the instance before the service runs).
    data = plan(timed.branch, year=str(timed.year), held_on=days(22).isoformat(), starts_at="14:30", place="镇政府三楼会议室",
                opinions_close_on=days(7).isoformat(), talks_due_on=days(14).isoformat(),
                self_reviews_due_on=days(18).isoformat(), ballot_closes_at=f"{days(22).isoformat()}T17:00")
    data.pop("branch")
    assert login("secretary").post(reverse("meetings:meeting_edit", args=[timed.pk]), data).status_code == 302
    moved = event()
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART").replace(tzinfo=None) == dt.datetime.combine(days(22), dt.time(14, 30))
    # Saving without moving it keeps the sequence; a new place raises it.
    services.plan.meeting_update(meeting=timed, basis="安组通〔2026〕4号")
    assert int(event()["SEQUENCE"]) == 1
    services.plan.meeting_update(meeting=timed, place="村党群服务中心")
    again = event()
    assert int(again["SEQUENCE"]) == 2 and str(again["LOCATION"]) == "村党群服务中心"
    assert str(again["UID"]) == uid


def test_a_study_session_s_sequence_grows_when_it_moves(timed, people):
    session = services.study.study_session_save(meeting=timed, attendees=[], held_on=days(2), topic="学习党章")
    services.study.study_session_save(meeting=timed, attendees=[], session=session, held_on=days(2), topic="学习党章（二）")
    services.study.study_session_save(meeting=timed, attendees=[], session=session, held_on=days(4), topic="学习党章（二）")
    event = events(parse(calendar.meeting_calendar(timed)))[f"study-{session.pk}@dangjian.example.cn"]
    assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART") == days(4)


def test_the_calendar_is_the_same_bytes_for_the_same_moment(timed):
    now = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
    assert calendar.meeting_calendar(timed, now=now) == calendar.meeting_calendar(timed, now=now)
    assert b"DTSTAMP:20261125T020000Z" in calendar.meeting_calendar(timed, now=now)


# ---------------------------------------------------------------- the download
def test_it_downloads_as_an_ics_attachment(timed, login):
    response = login("member").get(reverse("meetings:meeting_ics", args=[timed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="meeting-{timed.pk}.ics"'
    assert f"meeting-{timed.pk}@dangjian.example.cn" in events(parse(response.content))


def test_the_meeting_page_links_to_it(timed, login):
    page = login("member").get(reverse("meetings:meeting_detail", args=[timed.pk])).content.decode()
    assert reverse("meetings:meeting_ics", args=[timed.pk]) in page and "加入日历（.ics）" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("secretary", 200), ("member", 200), ("county", 200), ("supervisor", 200), ("anyue", 403), (None, 302)],
)
def test_whoever_may_open_the_meeting_may_download_it(timed, client, login, who, status):
    if who:
        login(who)
    response = client.get(reverse("meetings:meeting_ics", args=[timed.pk]))
    assert response.status_code == status
    assert (b"BEGIN:VCALENDAR" in response.content) is (status == 200)
    assert client.get(reverse("meetings:meeting_ics", args=[timed.pk + 1000])).status_code in (302, 404)
