"""Issue 24, the meeting pages: attendance errors (item 8), closing lands on the problem list (item 9), a
meeting whose day passed without being held (item 10), the opinions phase follows the public link (item 11)."""

import re

from django.urls import reverse

from lifecycle import selectors as lifecycle_selectors
from meetings import selectors
from meetings.models import Attendance, Opinion

from .factories import days
from .test_attendance import post_attendance


# ---------------------------------------------------------------- item 8: attendance
def test_it_sums_up_attendance_errors_at_the_top_with_a_link_to_each_row(meeting_day, people, login):
    response = post_attendance(
        login("secretary"), meeting_day, people, absent=["马超"], leave=["谢勇"], reasons={"赵磊": "不该保存"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger" role="alert" data-testid="attendance-errors">(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    # At the top: before the agenda and the roll, where the page opens after saving.
    assert page.index('data-testid="attendance-errors"') < page.index('id="agenda-h"')
    for name in ("马超", "谢勇"):
        assert f'href="#id_reason_{people[name].pk}">{name}：请注明原因。</a>' in summary.group(1)
    assert "赵磊" not in summary.group(1)
    assert f'id="id_reason_{people[name].pk}"' in page  # the link's target exists
    assert 'value="不该保存"' in page  # nothing typed is lost
    assert not Attendance.objects.exists()


def test_absence_and_leave_both_need_a_reason_and_the_page_says_why(meeting_day, people, login):
    client = login("secretary")
    for status in ("absent", "leave"):
        response = post_attendance(client, meeting_day, people, **{status: ["马超"]})
        assert response.status_code == 400, status
    page = client.get(reverse("meetings:attendance", args=[meeting_day.pk])).content.decode()
    assert "缺席和请假都须注明原因" in page and "两者同样对待" in page
    assert post_attendance(client, meeting_day, people, absent=["马超"], reasons={"马超": "无故缺席"}).status_code == 302


# ---------------------------------------------------------------- item 9: closing the meeting
def test_closing_lands_on_the_problem_list_it_counts(meeting_day, people, login):
    client = login("secretary")
    post_attendance(client, meeting_day, people)
    meeting_day.opinions_close_on = meeting_day.talks_due_on = meeting_day.self_reviews_due_on = days(-1)
    meeting_day.save()
    response = client.post(reverse("meetings:meeting_close", args=[meeting_day.pk]), follow=True)
    meeting_day.refresh_from_db()
    assert meeting_day.closed_at is not None
    assert response.redirect_chain[-1][0] == reverse("rectification:problem_list", args=[meeting_day.pk])
    assert "会议已结束，问题清单新增" in response.content.decode()


# ---------------------------------------------------------------- item 10: 已过会期，未召开
def _passed(meeting):
    meeting.held_on = days(-3)
    meeting.opinions_close_on = meeting.talks_due_on = meeting.self_reviews_due_on = days(-4)
    meeting.save()
    return meeting


def test_a_meeting_whose_day_passed_without_attendance_reads_not_held(meeting, people):
    _passed(meeting)
    assert selectors.meeting_phase(meeting=meeting) == "已过会期，未召开"
    phase = next(p for p in lifecycle_selectors.timeline(meeting=meeting) if p.key == "meeting")
    assert phase.status == "overdue" and "已过会期，未召开" in phase.summary
    Attendance.objects.create(meeting=meeting, member=people["马超"], status=Attendance.Status.PRESENT)
    assert selectors.meeting_phase(meeting=meeting) == "召开日期已过，尚未结束"  # held, not closed yet


def test_the_secretary_is_told_on_the_home_page(meeting, login):
    _passed(meeting)
    page = login("secretary").get(reverse("meetings:my_home")).content.decode()
    assert 'data-testid="meeting-missed"' in page and "已过会期，未召开" in page
    assert reverse("meetings:meeting_edit", args=[meeting.pk]) in page
    # A member is not asked to hold the meeting.
    assert 'data-testid="meeting-missed"' not in login("member").get(reverse("meetings:my_home")).content.decode()


def test_the_meeting_list_says_not_held(meeting, login):
    _passed(meeting)
    page = login("secretary").get(reverse("meetings:meeting_list")).content.decode()
    assert "已过会期，未召开" in page and "会议进行中" not in page


# ---------------------------------------------------------------- item 11: the opinions phase
def test_the_opinions_phase_has_started_while_the_link_accepts_opinions(meeting):
    assert not Opinion.objects.filter(meeting=meeting).exists()
    assert selectors.opinions.opinions_open(meeting=meeting)  # the public link answers
    phase = next(p for p in lifecycle_selectors.timeline(meeting=meeting) if p.key == "opinions")
    assert phase.status == "in_progress"
    assert any("正在收集意见" in e for e in phase.extra)


def test_the_opinions_phase_stops_collecting_after_its_deadline(meeting):
    meeting.opinions_close_on = days(-1)
    meeting.save()
    assert not selectors.opinions.opinions_open(meeting=meeting)
    phase = next(p for p in lifecycle_selectors.timeline(meeting=meeting) if p.key == "opinions")
    assert phase.status == "overdue" and not any("正在收集意见" in e for e in phase.extra)
