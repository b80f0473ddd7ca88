import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import selectors
from meetings.models import Attendance, ClaimedProblem, Commitment, Criticism, MeetingComment
from organizations.models import Supervisor

from .factories import MeetingFactory, ProblemFactory, SelfReviewFactory

# The room's records open on the meeting's day (issue 17): these tests are on that day.
pytestmark = pytest.mark.usefixtures("meeting_day")

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def entry(client, meeting, **data):
    return client.post(reverse("meetings:record_entry", args=[meeting.pk]), data, **FETCH)


def test_a_criticism_is_stored_once_whatever_the_retries(meeting, people, login):
    client = login("secretary")
    data = {"kind": "criticism", "member": people["杨丽"].pk, "giver": people["赵磊"].pk,
            "text": "窗口服务时对群众不够耐心，上月被投诉两次", "client_id": str(uuid.uuid4())}
    first = entry(client, meeting, **data)
    again = entry(client, meeting, **data)
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    criticism = Criticism.objects.get()
    assert (criticism.giver, criticism.receiver, criticism.is_self) == (people["赵磊"], people["杨丽"], False)
    assert f'id="criticism-{criticism.pk}"' in first.json()["html"]


def test_without_javascript_the_entry_form_posts_and_redirects(meeting, people, login):
    response = login("secretary").post(
        reverse("meetings:record_entry", args=[meeting.pk]),
        {"kind": "commitment", "member": people["杨丽"].pk, "text": "每周二下村走访", "due_on": "2099-01-31"},
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert response.url.endswith(f"#commitment-{commitment.pk}")
    assert str(commitment.due_on) == "2099-01-31"


def test_opinions_to_the_committee_and_claims_of_a_criticism(meeting, people, login):
    client = login("secretary")
    entry(client, meeting, kind="criticism", member="", giver=people["孙燕"].pk, text="班子成员下村少")
    to_committee = Criticism.objects.get()
    assert to_committee.receiver is None
    response = entry(client, meeting, kind="claim", member="", criticism=to_committee.pk, text="")
    assert response.status_code == 200
    claim = ClaimedProblem.objects.get()
    assert claim.member is None and claim.criticism == to_committee and claim.text == "班子成员下村少"


def test_a_criticism_needs_a_giver_and_text(meeting, people, login):
    client = login("secretary")
    response = entry(client, meeting, kind="criticism", member=people["杨丽"].pk, giver="", text="没有提出人")
    assert response.status_code == 400 and "请选择提出批评的人" in response.json()["error"]
    response = entry(client, meeting, kind="criticism", member=people["杨丽"].pk, giver=people["赵磊"].pk, text="")
    assert response.status_code == 400
    response = entry(client, meeting, kind="criticism", member=people["杨丽"].pk, giver="other", giver_label="督导 何奇哲", text="下村少")
    assert response.status_code == 200 and Criticism.objects.get().giver_label == "督导 何奇哲"


def test_self_criticism_and_comments_are_saved_as_typed(meeting, people, login):
    client = login("secretary")
    url = reverse("meetings:record_text", args=[meeting.pk])
    yang = people["杨丽"]
    assert client.post(url, {"kind": "self_criticism", "member": yang.pk, "text": "第一稿"}, **FETCH).json()["ok"]
    client.post(url, {"kind": "self_criticism", "member": yang.pk, "text": "第二稿"}, **FETCH)
    own = Criticism.objects.get()
    assert own.is_self and own.giver == own.receiver == yang and own.text == "第二稿"
    client.post(url, {"kind": "secretary_comment", "member": yang.pk, "text": "查摆问题实事求是"}, **FETCH)
    client.post(url, {"kind": "closing_statement", "text": "一定按期整改到位"}, **FETCH)
    client.post(url, {"kind": "minutes", "text": "九点开始"}, **FETCH)
    assert MeetingComment.objects.get(kind="secretary", member=yang).text == "查摆问题实事求是"
    meeting.refresh_from_db()
    assert (meeting.closing_statement, meeting.minutes) == ("一定按期整改到位", "九点开始")


def test_the_supervisor_writes_their_comment(meeting, login):
    supervisor = Supervisor.objects.get()
    client = login("supervisor")
    response = client.post(
        reverse("meetings:record_text", args=[meeting.pk]),
        {"kind": "supervisor_comment", "supervisor": supervisor.pk, "text": "批评有辣味"}, **FETCH,
    )
    assert response.json()["ok"]
    assert MeetingComment.objects.get(kind="supervisor").supervisor == supervisor
    meeting.supervisors.clear()
    response = client.post(
        reverse("meetings:record_text", args=[meeting.pk]),
        {"kind": "supervisor_comment", "supervisor": supervisor.pk, "text": "不是本会督导"}, **FETCH,
    )
    assert response.status_code in (400, 403)


def test_vague_or_repeated_criticism_is_flagged(demo_orgs, people, login):
    office = demo_orgs.orgs["office"]
    old = SelfReviewFactory(meeting=MeetingFactory(branch=office, year=2024), member=people["杨丽"], status="approved")
    ProblemFactory(review=old, text="对群众反映的问题跟进不及时")
    meeting = MeetingFactory(branch=office, year=2025, held_on=timezone.localdate(), opinions_close_on=None,
                             talks_due_on=None, self_reviews_due_on=None)
    response = entry(login("secretary"), meeting, kind="criticism", member=people["杨丽"].pk, giver=people["赵磊"].pk,
                     text="对群众反映的问题跟进不及时")
    assert [h["kind"] for h in response.json()["hints"]] == ["repeat"]
    page = login("secretary").get(reverse("meetings:record", args=[meeting.pk])).content.decode()
    assert "与 2024 年查摆的问题几乎相同" in page


def test_members_present_without_any_criticism_are_flagged(meeting, people, login):
    for m in people.values():
        Attendance.objects.create(meeting=meeting, member=m, status="present")
    Criticism.objects.create(meeting=meeting, giver=people["赵磊"], receiver=people["杨丽"], text="下村少")
    response = login("secretary").get(reverse("meetings:record", args=[meeting.pk]))
    flagged = [m.name for m in response.context["no_criticism"]]
    assert "杨丽" not in flagged and "赵磊" in flagged and len(flagged) == 27
    detail = login("secretary").get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="no-criticism"' in detail


def test_a_member_sees_only_their_own_record(meeting, people, login):
    Criticism.objects.create(meeting=meeting, giver=people["赵磊"], receiver=people["杨丽"], text="给杨丽的批评")
    Criticism.objects.create(meeting=meeting, giver=people["杨丽"], receiver=people["黄静"], text="给黄静的批评")
    page = login("member").get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "给杨丽的批评" in page and "给黄静的批评" not in page
    page = login("secretary").get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "给杨丽的批评" in page and "给黄静的批评" in page


def test_entries_can_be_deleted_while_the_meeting_is_open(meeting, people, login):
    c = Criticism.objects.create(meeting=meeting, giver=people["赵磊"], receiver=people["杨丽"], text="误录")
    response = login("secretary").post(reverse("meetings:record_entry_delete", args=[meeting.pk, "criticism", c.pk]), **FETCH)
    assert response.json()["ok"] and not Criticism.objects.exists()


def test_the_record_page_lists_present_members_first(meeting, people, login):
    Attendance.objects.create(meeting=meeting, member=people["李建国"], status="absent", reason="出差")
    response = login("secretary").get(reverse("meetings:record", args=[meeting.pk]))
    speakers = [s.member.name for s in response.context["speakers"]]
    assert speakers[-1] == "李建国" and speakers[0] == "王秀兰"
    page = response.content.decode()
    assert "meetings_record.js" in page and "data-record-entry" in page and "data-autosave-url" in page


def test_the_selector_groups_the_record_by_member(meeting, people):
    Criticism.objects.create(meeting=meeting, giver=people["赵磊"], receiver=people["杨丽"], text="一")
    ClaimedProblem.objects.create(meeting=meeting, member=people["杨丽"], text="二")
    speakers, rec = selectors.record.speaker_records(meeting=meeting, members=selectors.plan.meeting_members(meeting=meeting))
    yang = next(s for s in speakers if s.member == people["杨丽"])
    zhao = next(s for s in speakers if s.member == people["赵磊"])
    assert [c.text for c in yang.received] == ["一"] and [c.text for c in yang.claims] == ["二"]
    assert [c.text for c in zhao.given] == ["一"]
