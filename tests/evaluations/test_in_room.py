"""扫码测评 in the meeting room (issue 17 item 4): opened from the room, for those on the roll, with a big
screen that shows participation and never a result, and an early close that must say why."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import Evaluation, Voter
from meetings.models import Attendance, Meeting
from meetings.services.record import member_check_in
from organizations.models import Member

GRADE_WORDS = ("优秀", "合格", "基本合格", "不合格", "好", "较好", "一般")


@pytest.fixture
def room(build):
    """Five members (with accounts), three of them checked in; one is the secretary."""
    ev = build.in_room(n=5, checked_in=3, with_users=True)
    secretary = ev.attendees[0]
    secretary.committee_post = Member.Post.SECRETARY
    secretary.save(update_fields=["committee_post"])
    ev.secretary = secretary
    return ev


def test_the_room_opens_voting_for_those_on_the_roll(room):
    assert room.in_room and room.is_open()
    assert set(Voter.objects.filter(evaluation=room).values_list("member_id", flat=True)) == {m.pk for m in room.attendees}
    assert room.candidates.count() == 5  # everyone is evaluated, present or not


def test_the_room_cannot_open_voting_before_the_meeting_day(build):
    branch = build.branch()
    members = build.members(branch, 3)
    meeting = Meeting.objects.create(branch=branch, year=2026, held_on=timezone.localdate() + dt.timedelta(days=4))
    with pytest.raises(ValidationError, match="当天起"):
        services.evaluation_open_in_room(meeting=meeting)
    # nor may any evaluation open before the meeting is held (a vote for a meeting four days ahead)
    with pytest.raises(ValidationError, match="不能早于会议召开日期"):
        services.evaluation_create(
            meeting=meeting, opens_at=timezone.now(), closes_at=timezone.now() + dt.timedelta(hours=2),
            candidates=members, voters=members,
        )
    assert not Evaluation.objects.exists()


def test_voting_needs_someone_on_the_roll(build):
    branch = build.branch()
    build.members(branch, 3)
    meeting = Meeting.objects.create(branch=branch, year=2026, held_on=timezone.localdate())
    with pytest.raises(ValidationError, match="还没有人签到"):
        services.evaluation_open_in_room(meeting=meeting)


def test_the_secretary_opens_it_from_the_attendance_page(build, client):
    ev_branch = build.branch()
    members = build.members(ev_branch, 4, with_users=True)
    members[0].committee_post = Member.Post.SECRETARY
    members[0].save(update_fields=["committee_post"])
    meeting = Meeting.objects.create(branch=ev_branch, year=2026, held_on=timezone.localdate())
    for m in members[:2]:
        member_check_in(meeting=meeting, member=m, via=Attendance.Via.QR)
    client.force_login(members[0].user)
    response = client.post(reverse("evaluations:in_room_open", args=[meeting.pk]))
    ev = Evaluation.objects.get(meeting=meeting)
    assert response.status_code == 302 and response.url == reverse("evaluations:screen", args=[ev.pk])
    again = client.post(reverse("evaluations:in_room_open", args=[meeting.pk]))  # a second click: the same vote
    assert again.url == response.url and Evaluation.objects.count() == 1
    client.force_login(members[3].user)
    assert client.post(reverse("evaluations:in_room_open", args=[meeting.pk])).status_code == 403


def test_the_big_screen_counts_votes_and_never_shows_a_grade(room, build, client):
    client.force_login(room.secretary.user)
    url = reverse("evaluations:screen", args=[room.pk])
    page = client.get(url).content.decode()
    assert "0</span>/<span data-bind=\"eligible\">3" in page and "<svg" in page
    assert client.get(url, {"format": "json"}).json() == {"state": "open", "voted": 0, "eligible": 3, "below_floor": True}
    for voter in room.attendees[:2]:
        services.ballot_cast(evaluation=room, member=voter, content=build.content(room, excellent=[voter]))
    state = client.get(url, {"format": "json"}).json()
    assert (state["voted"], state["eligible"]) == (2, 3)
    page = client.get(url).content.decode()
    main = page[page.index('<main'):page.index('</main>')]
    assert not any(word in main for word in GRADE_WORDS), "the room's screen shows a grade"
    # a member opening the projector page gets a clear refusal
    client.force_login(room.attendees[1].user)
    refused = client.get(url)
    assert refused.status_code == 403 and "党员请扫描投影上的二维码投票" in refused.content.decode()
    assert client.get(url, {"format": "json"}).status_code == 403


def test_a_member_not_on_the_roll_is_told_to_ask_the_secretary(room, build, client):
    absent = next(m for m in room.members if m not in room.attendees)
    client.force_login(absent.user)
    page = client.get(reverse("evaluations:vote", args=[room.pk])).content.decode()
    assert "只有签到到会（含远程参会）的党员可以投票" in page
    with pytest.raises(ValidationError, match="不在本次测评的投票人名单中"):
        services.ballot_cast(evaluation=room, member=absent, content=build.content(room))
    assert not Voter.objects.filter(evaluation=room, member=absent).exists()


def test_a_latecomer_is_added_by_the_secretary(room, build, client):
    late = next(m for m in room.members if m not in room.attendees)
    client.force_login(room.secretary.user)
    detail = reverse("evaluations:evaluation_detail", args=[room.pk])
    # not on the meeting's roll yet: the secretary cannot add them
    with pytest.raises(ValidationError, match="未登记到会"):
        services.in_room_voter_add(evaluation=room, member=late)
    member_check_in(meeting=room.meeting, member=late, via=Attendance.Via.QR)
    assert late.name in client.get(detail).content.decode()  # offered under 测评开始后到会的党员
    response = client.post(reverse("evaluations:voter_add", args=[room.pk]), {"member": late.pk})
    assert response.status_code == 302
    assert Voter.objects.filter(evaluation=room, member=late, channel="").exists()
    services.ballot_cast(evaluation=room, member=late, content=build.content(room))
    assert Voter.objects.get(evaluation=room, member=late).channel == Voter.Channel.ONLINE


def test_closing_early_below_two_thirds_asks_for_a_reason(room, build, client):
    services.ballot_cast(evaluation=room, member=room.attendees[0], content=build.content(room))
    client.force_login(room.secretary.user)
    url = reverse("evaluations:close_now", args=[room.pk])
    response = client.post(url, {"next": "screen", "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "已投票 1/3 人，不足三分之二" in page and 'name="reason"' in page
    room.refresh_from_db()
    assert room.is_open()  # nothing closed
    response = client.post(url, {"next": "screen", "reason": "两名党员临时离会处理防汛险情"})
    assert response.status_code == 302 and response.url == reverse("evaluations:screen", args=[room.pk])
    room.refresh_from_db()
    assert room.is_closed() and room.sealed_at is not None
    assert room.early_close_reason == "已投票 1/3 人时提前截止：两名党员临时离会处理防汛险情"
    detail = client.get(reverse("evaluations:evaluation_detail", args=[room.pk])).content.decode()
    assert "两名党员临时离会处理防汛险情" in detail
    report = client.get(reverse("meetings:report", args=[room.meeting.pk])).content.decode()
    assert "两名党员临时离会处理防汛险情" in report
    screen = client.get(reverse("evaluations:screen", args=[room.pk]), {"format": "json"}).json()
    assert screen["state"] == "closed"


def test_closing_at_two_thirds_needs_no_reason(room, build):
    for voter in room.attendees[:2]:
        services.ballot_cast(evaluation=room, member=voter, content=build.content(room))
    services.evaluation_close_now(evaluation=room)  # 2/3 is not below two thirds
    room.refresh_from_db()
    assert room.is_closed() and room.early_close_reason == ""


def test_the_floor_is_configurable(room, build, settings):
    settings.EVALUATION_MIN_TURNOUT = "1/2"
    services.ballot_cast(evaluation=room, member=room.attendees[0], content=build.content(room))
    with pytest.raises(ValidationError, match="不足50%"):
        services.evaluation_close_now(evaluation=room)
    services.ballot_cast(evaluation=room, member=room.attendees[1], content=build.content(room))
    services.evaluation_close_now(evaluation=room)
    room.refresh_from_db()
    assert room.is_closed()
