"""Closing the meeting builds each member's problem list (the rectification app's contract)."""

import pytest
from django.urls import reverse

from lifecycle import services as lifecycle_services
from meetings import services
from meetings.models import Attendance, ClaimedProblem, Criticism, OpinionClaim

from .factories import MeetingFactory, OpinionFactory, ProblemFactory, SelfReviewFactory, days

rectification = pytest.importorskip("rectification.services")
from rectification.models import Problem  # noqa: E402


@pytest.fixture
def held(demo_orgs, people):
    """A meeting held yesterday, with one source of each kind for 杨丽 and one for the committee."""
    meeting = MeetingFactory(branch=demo_orgs.orgs["office"], held_on=days(-1), opinions_close_on=days(-5),
                             talks_due_on=days(-5), self_reviews_due_on=days(-3))
    for m in people.values():
        Attendance.objects.create(meeting=meeting, member=m, status="present")
    yang = people["杨丽"]
    sources = {
        "criticism": Criticism.objects.create(meeting=meeting, giver=people["赵磊"], receiver=yang, text="窗口服务不耐心"),
        "self_criticism": Criticism.objects.create(meeting=meeting, giver=yang, receiver=yang, is_self=True, text="自我批评不进清单"),
        "claimed": ClaimedProblem.objects.create(meeting=meeting, member=yang, text="低保进度跟进不及时"),
        "committee": Criticism.objects.create(meeting=meeting, giver=yang, receiver=None, text="班子下村少"),
    }
    review = SelfReviewFactory(meeting=meeting, member=yang, status="approved")
    sources["self_review"] = ProblemFactory(review=review, text="理论学习不够深入", aspect="坚定理想信念方面")
    draft = SelfReviewFactory(meeting=meeting, member=people["赵磊"], status="draft")
    ProblemFactory(review=draft, text="草稿里的问题不进清单")
    opinion = OpinionFactory(meeting=meeting, text="宣传栏更新不及时")
    sources["opinion"] = OpinionClaim.objects.create(opinion=opinion, member=yang, claimed_on=days(-4))
    return meeting, sources


def test_closing_turns_every_source_into_the_members_problem_list(held, people, login):
    meeting, sources = held
    response = login("secretary").post(reverse("meetings:meeting_close", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.closed_at is not None
    rows = {(p.source_kind, p.source_id): p for p in Problem.objects.filter(meeting=meeting)}
    yang = people["杨丽"]
    assert rows[("criticism", sources["criticism"].pk)].member == yang
    assert rows[("claimed", sources["claimed"].pk)].text == "低保进度跟进不及时"
    assert rows[("self_review", sources["self_review"].pk)].aspect == "坚定理想信念方面"
    assert rows[("opinion", sources["opinion"].pk)].text == "宣传栏更新不及时"
    assert rows[("criticism", sources["committee"].pk)].member is None  # the branch's own list
    assert ("criticism", sources["self_criticism"].pk) not in rows
    assert not any(p.text == "草稿里的问题不进清单" for p in rows.values())
    assert len(rows) == 5


def test_each_problem_links_to_an_anchor_on_the_meeting_page(held, login):
    meeting, _sources = held
    lifecycle_services.meeting_close(meeting=meeting)
    page = login("secretary").get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    for problem in Problem.objects.filter(meeting=meeting):
        url = rectification.problem_source_url(problem)
        assert url.startswith(reverse("meetings:meeting_detail", args=[meeting.pk]) + "#")
        assert f'id="{url.split("#")[1]}"' in page, url


def test_closing_again_adds_only_new_sources(held, people):
    meeting, _sources = held
    assert lifecycle_services.meeting_close(meeting=meeting).problems_created == 5
    assert lifecycle_services.meeting_close(meeting=meeting).problems_created == 0
    services.record.meeting_reopen(meeting=meeting)
    Criticism.objects.create(meeting=meeting, giver=people["黄静"], receiver=people["赵磊"], text="材料报送出错")
    assert lifecycle_services.meeting_close(meeting=meeting).problems_created == 1
    assert Problem.objects.filter(meeting=meeting).count() == 6


def test_a_closed_record_is_read_only(held, people, login):
    meeting, sources = held
    lifecycle_services.meeting_close(meeting=meeting)
    client = login("secretary")
    assert client.get(reverse("meetings:record", args=[meeting.pk])).status_code == 403
    response = client.post(
        reverse("meetings:record_entry", args=[meeting.pk]),
        {"kind": "criticism", "member": people["杨丽"].pk, "giver": people["赵磊"].pk, "text": "会后补录"},
    )
    assert response.status_code == 403
    assert not Criticism.objects.filter(text="会后补录").exists()


def test_closing_needs_attendance_and_a_held_meeting(meeting, people, login):
    client = login("secretary")
    client.post(reverse("meetings:meeting_close", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.closed_at is None  # not held yet (in three weeks)
    meeting.held_on = days(0)
    meeting.opinions_close_on = meeting.talks_due_on = meeting.self_reviews_due_on = days(-1)
    meeting.save()
    response = client.post(reverse("meetings:meeting_close", args=[meeting.pk]), follow=True)
    assert "请先登记出席情况" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.closed_at is None


def test_only_the_secretary_closes(held, login):
    meeting, _sources = held
    for role in ("member", "supervisor", "county"):
        assert login(role).post(reverse("meetings:meeting_close", args=[meeting.pk])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.closed_at is None
