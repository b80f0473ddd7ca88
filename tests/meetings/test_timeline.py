import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lifecycle import selectors as lifecycle_selectors
from meetings import services
from meetings.models import SelfReview

from .factories import SelfReviewFactory, StudySessionFactory, TalkFactory


def test_it_says_exactly_what_is_missing(meeting, people, login):
    for name in ("李建国", "王秀兰"):
        SelfReviewFactory(meeting=meeting, member=people[name], status=SelfReview.Status.APPROVED)
    SelfReviewFactory(meeting=meeting, member=people["赵磊"], status=SelfReview.Status.RETURNED)
    response = login("secretary").get(reverse("meetings:timeline", args=[meeting.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "对照检查材料 2/28 已提交" in page
    phase = next(p for p in response.context["phases"] if p.key == "self_reviews")
    assert "杨丽" in phase.missing and "赵磊" in phase.missing and "李建国" not in phase.missing
    assert "已退回修改：赵磊" in page
    talks = next(p for p in response.context["phases"] if p.key == "talks")
    assert talks.summary.startswith("必谈 0/56")
    assert talks.status == "not_started"


def test_a_passed_deadline_turns_the_phase_overdue(meeting, people):

    from .factories import days

    meeting.talks_due_on = days(-1)
    meeting.save()
    TalkFactory(meeting=meeting, member_a=people["李建国"], member_b=people["王秀兰"])
    talks = next(p for p in lifecycle_selectors.timeline(meeting=meeting) if p.key == "talks")
    assert talks.status == "overdue"


def test_study_attendance_names_who_never_came(meeting, people):

    session = StudySessionFactory(meeting=meeting)
    session.attendees.set([m for n, m in people.items() if n != "马超"])
    study = next(p for p in lifecycle_selectors.timeline(meeting=meeting) if p.key == "study")
    assert study.missing == ["马超"] and "27/28" in study.summary


def test_ready_needs_complete_talks_or_a_reason(meeting, login):
    client = login("secretary")
    response = client.post(reverse("meetings:meeting_ready", args=[meeting.pk]), {"note": ""})
    assert response.status_code == 400
    assert "对必谈未完成" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.ready_at is None
    response = client.post(reverse("meetings:meeting_ready", args=[meeting.pk]), {"note": "两名流动党员在外务工，会后补谈"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.ready_at and meeting.ready_note == "两名流动党员在外务工，会后补谈"


def test_ready_without_a_reason_once_coverage_is_complete(meeting, people):
    meeting.talk_rule_set = "custom"
    meeting.custom_talk_rules = ["committee_each_other"]
    meeting.save()
    committee = [m for m in people.values() if m.is_committee]
    with pytest.raises(ValidationError):
        services.plan.meeting_mark_ready(meeting=meeting)
    for i, a in enumerate(committee):
        for b in committee[i + 1:]:
            TalkFactory(meeting=meeting, member_a=a, member_b=b)
    services.plan.meeting_mark_ready(meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.ready_at is not None and meeting.ready_note == ""
