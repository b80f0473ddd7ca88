"""Issue 16 items 2 and 4: the secretary's "who has been told" page and the printable list of members
to call or see in person."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from notifications.models import Kind, Notification

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(office):
    return Meeting.objects.create(branch=office, year=2026, kind="annual", held_on=dt.date(2026, 12, 20), place="三楼会议室")


def told_url(meeting):
    return reverse("notifications:meeting_told", args=[meeting.pk])


def test_the_page_shows_who_read_who_did_not_and_who_has_no_account(meeting, people, scan, login):
    people["杨丽"].user.email = ""
    people["杨丽"].user.save(update_fields=["email"])
    scan(at(10))
    Notification.objects.filter(recipient=people["李建国"].user, kind=Kind.MEETING_NOTICE).update(read_at=timezone.now())
    page = login("secretary").get(told_url(meeting)).content.decode()
    assert "会议通知" in page and "2026年12月20日" in page
    without_account = [m for m in people.values() if not m.user_id]
    assert f"需电话或当面通知 {len(without_account) + 1} 人" in page  # + 杨丽: in-app only, unread
    assert "已读 1 人" in page
    assert "没有电子邮箱。" in page  # why no email went to 杨丽


def test_the_printable_list_names_those_to_call_with_their_phones(meeting, people, scan, login):
    scan(at(10))
    Notification.objects.filter(recipient=people["杨丽"].user).update(read_at=timezone.now())
    url = reverse("notifications:meeting_to_call", args=[meeting.pk])
    page = login("secretary").get(url, {"kind": Kind.MEETING_NOTICE, "date": "2026-12-20"}).content.decode()
    for member in people.values():
        if not member.user_id:
            assert member.name in page and member.phone in page
    assert "杨丽" not in page  # she read it
    assert "data-print" in page
    # a date that is no day, or a kind that is not one, falls back to the newest notice instead of failing
    assert login("secretary").get(url, {"kind": "nonsense", "date": "2026-02-30"}).status_code == 200


def test_an_account_that_read_nothing_and_has_no_outside_channel_is_on_the_list(meeting, people, scan, login):
    User = get_user_model()
    member = people["刘芳"]
    member.user = User.objects.create_user(username="liufang")
    member.save(update_fields=["user"])
    scan(at(10))
    url = reverse("notifications:meeting_to_call", args=[meeting.pk])
    page = login("secretary").get(url).content.decode()
    assert "刘芳" in page and "仅站内通知，尚未查看" in page


def test_only_the_branch_and_the_department_above_see_it(meeting, login):
    url = told_url(meeting)
    assert login("secretary").get(url).status_code == 200
    assert login("county").get(url).status_code == 200
    assert login("member").get(url).status_code == 403
    assert login("anyue").get(url).status_code == 403  # a secretary of another county's branch
    assert login("anyue").get(reverse("notifications:meeting_to_call", args=[meeting.pk])).status_code == 403


def test_the_page_costs_the_same_queries_for_more_members_and_notices(meeting, office, scan, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organizations.models import Member

    def queries() -> int:
        client = login("secretary")
        client.get(told_url(meeting))  # the session's first request stamps it
        with CaptureQueriesContext(connection) as captured:
            page = client.get(told_url(meeting)).content.decode()
        return len(captured), page

    scan(at(10))
    small, _page = queries()
    User = get_user_model()
    for i in range(12):
        user = User.objects.create_user(username=f"extra{i}")
        Member.objects.create(branch=office, name=f"新党员{i}", sex="F", education="college", phone=f"1370000{i:04d}", user=user)
    scan(at(10, day=dt.date(2026, 12, 19)))  # the day before: a second notice, to more members
    large, page = queries()
    assert "新党员11" in page and "明天召开" in page
    assert large == small


def test_the_meeting_page_links_to_it_for_the_secretary_only(meeting, login):
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    assert told_url(meeting) in login("secretary").get(url).content.decode()
    assert told_url(meeting) not in login("member").get(url).content.decode()


def test_each_meeting_shows_only_its_own_group_posts(meeting, office, scan, login):
    from notifications.models import BranchChannels

    from .fakes import FakeServer, robot_ok

    robot = FakeServer(robot_ok).start()
    try:
        BranchChannels.objects.create(branch=office, wecom_webhook=f"{robot.url}/send?key=k")
        Meeting.objects.create(branch=office, year=2026, kind="special", theme="专题", held_on=meeting.held_on)
        scan(at(10))
    finally:
        robot.stop()
    assert len([r for r in robot.received if "会议通知" in r.json["text"]["content"]]) == 2  # one per meeting
    page = login("secretary").get(told_url(meeting)).content.decode()
    notice = page.split('id="notice-meeting_notice-2026-12-20"')[1].split("</section>")[0]
    assert notice.count("企业微信群") == 1
