"""扫码签到 and the room that opens on the meeting's day (issue 17 items 1–3), with a controlled clock."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import checkin, selectors, services
from meetings.models import Attendance, Criticism
from tests.organizations.factories import UserFactory


def scan_url(meeting, now=None):
    return reverse("meetings:checkin_scan", args=[meeting.pk, checkin.qr_code(meeting_id=meeting.pk, now=now)])


# ---------------------------------------------------------------- the records follow the meeting's date
def test_before_the_meeting_day_nothing_of_the_room_can_be_recorded(meeting, people, login):
    client = login("secretary")
    assert meeting.held_on > timezone.localdate()
    response = client.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {**{f"status_{m.pk}": "present" for m in people.values()}, **{f"reason_{m.pk}": "" for m in people.values()}},
    )
    assert response.status_code == 400
    assert "当天起才能签到、登记出席" in response.content.decode()
    assert not Attendance.objects.exists()
    assert "room-not-open" in client.get(reverse("meetings:record", args=[meeting.pk])).content.decode()
    with pytest.raises(Exception, match="当天起"):
        services.record.criticism_add(meeting=meeting, text="工作作风不够扎实", receiver=people["杨丽"], giver=people["赵磊"])
    assert client.get(reverse("meetings:checkin_screen", args=[meeting.pk])).status_code == 409
    assert not Criticism.objects.exists()


def test_bringing_the_date_forward_opens_the_room(meeting, people, login):
    today = timezone.localdate()
    services.plan.meeting_update(meeting=meeting, held_on=today, opinions_close_on=today, talks_due_on=today, self_reviews_due_on=today)
    meeting.refresh_from_db()
    assert selectors.record_closed_reason(meeting=meeting) == ""
    assert meeting.calendar_sequence == 1  # the moved meeting is announced again (会议改期)
    services.record.criticism_add(meeting=meeting, text="工作作风不够扎实", receiver=people["杨丽"], giver=people["赵磊"])
    page = login("secretary").get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    assert "room-tools" in page and "投影签到二维码" in page


# ---------------------------------------------------------------- 扫码签到
def test_a_member_scans_the_projected_code_and_is_on_the_roll(meeting_day, people, login, client):
    meeting = meeting_day
    screen = login("secretary").get(reverse("meetings:checkin_screen", args=[meeting.pk]))
    assert screen.status_code == 200
    url = scan_url(meeting)
    assert url in screen.content.decode() and "<svg" in screen.content.decode()

    member = login("member")  # 杨丽
    confirm = member.get(url)
    assert confirm.status_code == 200 and "确认您已到会场" in confirm.content.decode()
    assert not Attendance.objects.exists()  # opening the link (or a chat app's preview of it) records nothing
    done = member.post(url)
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    row = Attendance.objects.get()
    assert (row.member, row.status, row.checked_in_via) == (people["杨丽"], "present", "qr")

    again = member.post(scan_url(meeting))
    assert again.status_code == 409 and "无需重复签到" in again.content.decode()
    assert Attendance.objects.count() == 1

    state = login("secretary").get(reverse("meetings:checkin_screen", args=[meeting.pk]), {"format": "json"}).json()
    assert (state["checked_in_count"], state["attended"], state["checked_in_text"]) == (1, 1, "杨丽")


def test_a_code_older_than_its_window_is_refused(meeting_day, login, time_machine):
    meeting = meeting_day
    start = timezone.now().replace(microsecond=0)
    start -= dt.timedelta(seconds=int(start.timestamp()) % checkin.WINDOW_SECONDS)  # the start of a window
    time_machine.move_to(start, tick=False)
    url = scan_url(meeting)
    time_machine.move_to(start + dt.timedelta(seconds=checkin.WINDOW_SECONDS + checkin.GRACE_SECONDS - 1), tick=False)
    assert checkin.qr_valid(meeting_id=meeting.pk, code=url.rstrip("/").rsplit("/", 1)[1])
    time_machine.move_to(start + dt.timedelta(seconds=checkin.WINDOW_SECONDS + checkin.GRACE_SECONDS + 1), tick=False)
    response = login("member").get(url)
    assert response.status_code == 400 and "签到码已过期" in response.content.decode()
    assert login("member").post(url).status_code == 400
    assert not Attendance.objects.exists()
    # A made-up code for the current window is refused as well.
    assert login("member").get(reverse("meetings:checkin_scan", args=[meeting.pk, "0" * 12])).status_code == 400


def test_a_member_not_logged_in_scans_logs_in_and_still_checks_in(meeting_day, people, client, time_machine, demo_orgs):
    meeting = meeting_day
    url = scan_url(meeting)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response.url
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))  # logging in on a phone takes a while: the code has changed
    client.force_login(demo_orgs.users["member"])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200
    assert Attendance.objects.get().member == people["杨丽"]


def test_a_member_of_another_branch_cannot_check_in(meeting_day, demo_orgs, client):
    stranger = next(iter(demo_orgs.members["palace"].values()))
    stranger.user = UserFactory()
    stranger.save(update_fields=["user"])
    client.force_login(stranger.user)
    response = client.get(scan_url(meeting_day))
    assert response.status_code == 403 and "不是本支部党员" in response.content.decode()
    assert meeting_day.branch.name not in response.content.decode()
    assert client.post(scan_url(meeting_day)).status_code == 403
    assert not Attendance.objects.exists()


def test_the_projector_page_is_for_the_secretary_not_for_members(meeting_day, login):
    assert login("member").get(reverse("meetings:checkin_screen", args=[meeting_day.pk])).status_code == 403


def test_the_secretary_corrects_the_roll_and_keeps_the_check_in(meeting_day, people, login):
    meeting = meeting_day
    login("member").get(scan_url(meeting))
    login("member").post(scan_url(meeting))
    client = login("secretary")
    data = {}
    for name, m in people.items():
        status = {"杨丽": "late", "马超": "leave"}.get(name, "present")
        data[f"status_{m.pk}"], data[f"reason_{m.pk}"] = status, "外出" if name == "马超" else ""
    assert client.post(reverse("meetings:attendance", args=[meeting.pk]), data).status_code == 302
    row = Attendance.objects.get(member=people["杨丽"])
    assert (row.status, row.checked_in_via) == ("late", "qr")  # 迟到 needs no reason; the scan is kept
    summary = selectors.record.attendance_summary(meeting=meeting)
    assert (summary.present, summary.late, summary.leave) == (27, 1, 1)
    page = client.get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    assert "扫码签到" in page and "迟到 1 人" in page


def test_a_missing_reason_is_summed_up_at_the_top(meeting_day, people, login):
    data = {f"status_{m.pk}": "present" for m in people.values()} | {f"reason_{m.pk}": "" for m in people.values()}
    data[f"status_{people['马超'].pk}"] = "absent"
    response = login("secretary").post(reverse("meetings:attendance", args=[meeting_day.pk]), data)
    assert response.status_code == 400
    assert "缺席或请假须注明原因：马超。" in response.content.decode()


# ---------------------------------------------------------------- 远程参会
def test_a_remote_member_checks_in_with_the_code_read_out(meeting_day, people, login):
    meeting = meeting_day
    meeting.video_link = "https://meeting.example.cn/j/123456"
    meeting.save(update_fields=["video_link"])
    client = login("member")
    page = client.get(reverse("meetings:checkin_remote", args=[meeting.pk])).content.decode()
    assert "https://meeting.example.cn/j/123456" in page
    code = checkin.remote_code(meeting_id=meeting.pk)
    wrong = str((int(code) + 1) % 10**6).zfill(6)
    response = client.post(reverse("meetings:checkin_remote", args=[meeting.pk]), {"code": wrong})
    assert response.status_code == 400 and "口令不对或已过期" in response.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(reverse("meetings:checkin_remote", args=[meeting.pk]), {"code": code[:3] + " " + code[3:]})
    assert response.status_code == 200 and "远程参会" in response.content.decode()
    row = Attendance.objects.get()
    assert (row.status, row.checked_in_via) == ("remote", "code")
    assert selectors.members_present(meeting=meeting) == [people["杨丽"]]
    again = client.post(reverse("meetings:checkin_remote", args=[meeting.pk]), {"code": code})
    assert "无需重复签到" in again.content.decode()


def test_the_remote_code_expires(meeting_day, login, time_machine):
    code = checkin.remote_code(meeting_id=meeting_day.pk)
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=2 * checkin.REMOTE_WINDOW_SECONDS + 1))
    assert not checkin.remote_valid(meeting_id=meeting_day.pk, code=code)
    response = login("member").post(reverse("meetings:checkin_remote", args=[meeting_day.pk]), {"code": code})
    assert response.status_code == 400 and not Attendance.objects.exists()


def test_the_video_link_goes_out_with_the_meeting_notice(meeting):
    from notifications.rules.notices import meeting_details

    meeting.video_link = "https://meeting.example.cn/j/123456"
    assert "远程参会（视频会议）：https://meeting.example.cn/j/123456" in meeting_details(meeting)


def test_the_report_names_remote_and_late_members_without_empty_brackets(meeting_day, people, login):
    for name, m in people.items():
        status = {"马超": "remote", "杨丽": "late", "谢勇": "leave"}.get(name, "present")
        Attendance.objects.create(meeting=meeting_day, member=m, status=status, reason="住院" if name == "谢勇" else "")
    page = login("secretary").get(reverse("meetings:report", args=[meeting_day.pk])).content.decode()
    assert "应到党员28人，实到27人" in page
    assert "，马超远程参会" in page and "，杨丽迟到" in page and "，谢勇请假（住院）" in page
    assert "（）" not in page and "()" not in page
