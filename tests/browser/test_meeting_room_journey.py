"""Issue 17 in the meeting room: the secretary projects the check-in code on a laptop; three members scan
it on their phones (by its URL) and appear on the roll; a fourth joins by video with the code read out;
the secretary opens 扫码测评; the big screen counts 0/4, then 2/4 — closing there asks for a reason —
then 4/4, never showing a grade, and turns to 投票结束 at the close."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import Evaluation
from meetings.models import Attendance, Meeting
from organizations.models import Member
from tests.organizations.factories import UserFactory

GRADE_WORDS = ("优秀", "合格", "较好", "一般")


def _accounts(names):
    """Give the demo members named a login (the demo has five accounts; a room has more people)."""
    users = {}
    for name in names:
        member = Member.objects.get(branch__name="水阜镇机关党支部", name=name)
        if member.user is None:
            member.user = UserFactory(username=f"room-{member.pk}")
            member.user.set_password("branchlife-demo")
            member.user.save()
            member.save(update_fields=["user"])
        users[name] = member.user.username
    return users


def _vote(j, url):
    page = j.page
    j.accept_dialogs()
    page.goto(url)
    page.get_by_role("button", name="其余设为合格").click()
    committee = page.get_by_role("radiogroup", name="班子测评")
    if committee.count():
        committee.get_by_text("好", exact=True).click()
    page.get_by_role("button", name="提交投票").click()
    expect(page.get_by_role("heading", name=re.compile("投票成功"))).to_be_visible()


def test_the_room_checks_in_and_votes_on_phones(journey):
    meeting = Meeting.objects.filter(branch__name="水阜镇机关党支部", kind=Meeting.Kind.ANNUAL, closed_at__isnull=True).latest("year")
    Meeting.objects.filter(pk=meeting.pk).update(held_on=timezone.localdate(), video_link="https://meeting.example.cn/j/2026")
    assert not Evaluation.objects.filter(meeting=meeting).exists()
    users = _accounts(["赵磊", "刘芳", "马超"])

    # ---- the secretary projects the check-in code
    sec = journey("room-secretary")
    sec.login("secretary")
    sec.goto(f"/meetings/{meeting.pk}/attendance/")
    sec.page.get_by_role("link", name="投影签到二维码").click()
    screen = sec.page
    expect(screen.get_by_test_id("checked-in-count")).to_have_text("0")
    expect(screen.locator(".bl-room-qr svg")).to_be_visible()
    sec.screenshot("checkin-screen")
    sec.check_accessibility()

    # ---- three members scan it on their phones
    for username in ("member", users["赵磊"], users["刘芳"]):
        phone = journey(f"room-{username}", phone=True)
        phone.login(username)
        phone.page.goto(screen.get_by_test_id("checkin-url").get_attribute("href"))  # the QR holds this URL
        phone.page.get_by_role("button", name="签到").click()
        expect(phone.page.get_by_test_id("checkin-done")).to_contain_text("签到成功")
        if username == "member":
            phone.screenshot("checked-in")
            phone.check_accessibility()
        phone.close()

    # ---- 马超 joins by video and types the code the secretary reads out
    remote = journey("room-remote", phone=True)
    remote.login(users["马超"])
    remote.goto(f"/meetings/{meeting.pk}/")
    remote.page.get_by_test_id("remote-checkin").click()
    expect(remote.page.get_by_role("link", name="https://meeting.example.cn/j/2026")).to_be_visible()
    remote.page.get_by_label("签到口令").fill(screen.get_by_test_id("remote-code").inner_text())
    remote.page.get_by_role("button", name="签到（远程参会）").click()
    expect(remote.page.get_by_test_id("checkin-done")).to_contain_text("远程参会")
    remote.screenshot("remote-checked-in")

    # the projector's roll fills in by itself
    expect(screen.get_by_test_id("checked-in-count")).to_have_text("4", timeout=20000)
    expect(screen.get_by_test_id("checked-in-names")).to_contain_text("马超（远程）")
    sec.screenshot("checkin-screen-filled")
    attended = Attendance.objects.filter(meeting=meeting)
    assert sorted(attended.values_list("status", flat=True)) == ["present", "present", "present", "remote"]

    # ---- 扫码测评: opened from the room
    sec.goto(f"/meetings/{meeting.pk}/attendance/")
    sec.page.get_by_role("button", name="扫码测评").click()
    expect(screen.get_by_test_id("turnout")).to_have_text("0/4")
    sec.screenshot("vote-screen")
    sec.check_accessibility()
    vote_url = screen.get_by_test_id("vote-url").get_attribute("href")

    voters = ["member", users["赵磊"], users["刘芳"], users["马超"]]
    for username in voters[:2]:
        phone = journey(f"room-vote-{username}", phone=True)
        phone.login(username)
        _vote(phone, vote_url)
        phone.close()
    expect(screen.get_by_test_id("turnout")).to_have_text("2/4", timeout=20000)
    main = screen.locator("main").inner_text()
    assert not any(word in main for word in GRADE_WORDS), main

    # closing at 2/4 (below two thirds) asks for a reason, and nothing closes without one
    screen.get_by_role("button", name="结束投票").click()
    expect(screen.get_by_test_id("close-reason-needed")).to_contain_text("已投票 2/4 人")
    sec.screenshot("close-asks-why")
    assert Evaluation.objects.get(meeting=meeting).is_open()
    screen.get_by_role("link", name="继续投票").click()

    for username in voters[2:]:
        phone = journey(f"room-vote-{username}", phone=True)
        phone.login(username)
        _vote(phone, vote_url)
        phone.close()
    expect(screen.get_by_test_id("turnout")).to_have_text("4/4", timeout=20000)
    assert not any(word in screen.locator("main").inner_text() for word in GRADE_WORDS)
    screen.get_by_role("button", name="结束投票").click()
    expect(screen.get_by_test_id("voting-closed")).to_be_visible()
    expect(screen.get_by_test_id("turnout")).to_have_text("4/4")
    sec.screenshot("vote-closed")
    assert Evaluation.objects.get(meeting=meeting).is_closed()
