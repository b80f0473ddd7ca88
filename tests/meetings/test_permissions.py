"""Every meetings URL × every demo role → the expected status (issue 4 and issue 5 URLs, and the forums)."""

import pytest
from django.urls import reverse

from meetings.models import Criticism, Forum, SelfReview

from .factories import OpinionFactory, ProblemFactory, SelfReviewFactory, StudySessionFactory, TalkFactory

ROLES = ["secretary", "member", "county", "anyue", "supervisor", None]
READ = {"secretary": 200, "member": 200, "county": 200, "supervisor": 200}
OVERSEE = {"secretary": 200, "county": 200, "supervisor": 200}
MANAGE = {"secretary": 200, "county": 200}
MEMBERS = {"secretary": 200, "member": 200}
RECORD = {"secretary": 200, "supervisor": 200}
FORUMS = {"secretary": 200, "county": 200, "supervisor": 200}  # manage opinions, or supervise the meeting


def row(name, target, expected: dict, method="get"):
    return [(name, target, role, method, expected.get(role, 302 if role is None else 403)) for role in ROLES]


TABLE = [
    *row("meetings:meeting_list", None, {**READ, "anyue": 200}),
    *row("meetings:meeting_export", None, {**READ, "anyue": 200}),
    *row("meetings:meeting_create", None, {"secretary": 200, "county": 200, "anyue": 200}),
    *row("meetings:my_home", None, {"secretary": 200, "member": 200, "anyue": 200}),
    *row("meetings:meeting_detail", "meeting", READ),
    *row("meetings:meeting_detail", "palace", {"anyue": 200}),
    *row("meetings:meeting_edit", "meeting", MANAGE),
    *row("meetings:timeline", "meeting", OVERSEE),
    *row("meetings:timeline", "palace", {"anyue": 200}),
    *row("meetings:meeting_ready", "meeting", {"secretary": 400, "county": 400}, method="post"),  # no note: refused
    *row("meetings:study_list", "meeting", READ),
    *row("meetings:study_export", "meeting", READ),
    *row("meetings:study_new", "meeting", MANAGE),
    *row("meetings:study_edit", "study", MANAGE),
    *row("meetings:opinion_list", "meeting", READ),
    *row("meetings:opinion_export", "meeting", READ),
    *row("meetings:opinion_stats", "meeting", READ),
    *row("meetings:opinion_new", "meeting", MEMBERS),
    *row("meetings:opinion_record", "meeting", MANAGE),
    *row("meetings:opinion_qr", "meeting", MANAGE),
    *row("meetings:opinion_poster", "meeting", MANAGE),
    *row("meetings:opinion_sort", "opinion", MANAGE),
    *row("meetings:opinion_claim", "opinion", {"secretary": 302, "member": 302}, method="post"),
    *row("meetings:opinion_answer", "opinion", MANAGE),
    *row("meetings:opinion_answer", "claimed_opinion", {**MANAGE, "member": 200}),
    *row("meetings:public_opinion", "token", {**READ, "anyue": 200, None: 200}),
    # 座谈会
    *row("meetings:forum_list", "meeting", READ),
    *row("meetings:forum_list", "palace", {"anyue": 200}),
    *row("meetings:forum_export", "meeting", READ),
    *row("meetings:forum_new", "meeting", FORUMS),
    *row("meetings:forum_new", "palace", {"anyue": 200}),
    *row("meetings:forum_detail", "forum", READ),
    *row("meetings:forum_detail", "forum", {"secretary": 400, "county": 400, "supervisor": 400}, method="post"),  # empty
    *row("meetings:forum_edit", "forum", FORUMS),
    *row("meetings:forum_delete", "forum", {"secretary": 302, "county": 302, "supervisor": 302}, method="post"),
    *row("meetings:talk_list", "meeting", READ),
    *row("meetings:talk_export", "meeting", READ),
    *row("meetings:talk_new", "meeting", MEMBERS),
    *row("meetings:talk_detail", "talk", READ),
    *row("meetings:talk_edit", "talk", {"secretary": 200}),
    *row("meetings:talk_edit", "my_talk", {"secretary": 200, "member": 200}),
    # issue 16: only the side who did not record a talk confirms it or says it did not take place
    *row("meetings:talk_confirm", "talk_to_confirm", {"member": 302}, method="post"),
    *row("meetings:talk_dispute", "talk_to_confirm", {"member": 302}, method="post"),
    *row("meetings:talk_confirm", "my_talk", {}, method="post"),  # recorded by nobody: nothing to confirm
    *row("meetings:meeting_ics", "meeting", READ),
    *row("meetings:meeting_ics", "palace", {"anyue": 200}),
    *row("meetings:selfreview_list", "meeting", OVERSEE),
    *row("meetings:selfreview_export", "meeting", OVERSEE),
    *row("meetings:selfreview_mine", "meeting", {"secretary": 302, "member": 302}),
    *row("meetings:selfreview_committee", "meeting", {"secretary": 302}),
    *row("meetings:selfreview_detail", "my_review", {**OVERSEE, "member": 200}),
    *row("meetings:selfreview_detail", "other_review", OVERSEE),
    *row("meetings:selfreview_detail", "committee_review", READ),
    *row("meetings:selfreview_edit", "my_review", {"member": 200}),
    *row("meetings:selfreview_edit", "other_review", {}),
    *row("meetings:selfreview_autosave", "my_review", {"member": 400}, method="post"),
    # issue 5: only the secretary, a designated recorder and the supervisor write the record
    *row("meetings:attendance", "meeting", READ),
    *row("meetings:attendance", "meeting", {"secretary": 400, "supervisor": 400}, method="post"),  # empty form
    *row("meetings:agenda", "meeting", RECORD),
    *row("meetings:record", "meeting", RECORD),
    *row("meetings:record", "palace", {"anyue": 200}),
    *row("meetings:record_entry", "meeting", {"secretary": 302, "supervisor": 302}, method="post"),
    *row("meetings:record_entry_delete", "criticism", {"secretary": 302, "supervisor": 302}, method="post"),
    *row("meetings:record_text", "meeting", {"secretary": 302, "supervisor": 302}, method="post"),
    *row("meetings:meeting_close", "meeting", {"secretary": 302}, method="post"),
    *row("meetings:report", "meeting", READ),
    *row("meetings:report_pdf", "meeting", READ),
    *row("meetings:report", "palace", {"anyue": 200}),
]


@pytest.fixture
def targets(meeting_day, palace_meeting, people):
    meeting = meeting_day  # held today: the record is open (issue 17)
    me = people["杨丽"]
    claimed = OpinionFactory(meeting=meeting)
    claimed.claims.create(member=me, claimed_on=claimed.received_on)
    committee_review = SelfReviewFactory(meeting=meeting, kind=SelfReview.Kind.COMMITTEE, status="approved")
    ProblemFactory(review=committee_review)
    return {
        "meeting": meeting,
        "palace": palace_meeting,
        "study": StudySessionFactory(meeting=meeting),
        "opinion": OpinionFactory(meeting=meeting),
        "claimed_opinion": claimed,
        "token": meeting,
        "talk": TalkFactory(meeting=meeting, member_a=people["李建国"], member_b=people["王秀兰"]),
        "my_talk": TalkFactory(meeting=meeting, member_a=me, member_b=people["赵磊"]),
        "talk_to_confirm": TalkFactory(
            meeting=meeting, member_a=people["李建国"], member_b=me, recorded_by=people["李建国"].user
        ),
        "my_review": SelfReviewFactory(meeting=meeting, member=me),
        "other_review": SelfReviewFactory(meeting=meeting, member=people["赵磊"], status="submitted"),
        "committee_review": committee_review,
        "criticism": Criticism.objects.create(meeting=meeting, giver=people["赵磊"], receiver=me, text="下村少"),
        "forum": Forum.objects.create(meeting=meeting, held_on=meeting.opinions_close_on, topic="座谈会", member_participants=5),
    }


def _args(url_name, target, objects):
    if target is None:
        return []
    obj = objects[target]
    if target == "token":
        return [obj.public_token]
    if url_name == "meetings:study_edit":
        return [obj.meeting_id, obj.pk]
    if url_name == "meetings:record_entry_delete":
        return [obj.meeting_id, "criticism", obj.pk]
    return [obj.pk]


@pytest.mark.parametrize(("url_name", "target", "role", "method", "status"), TABLE)
def test_it_allows_only_the_right_roles(targets, client, login, url_name, target, role, method, status):
    if role:
        login(role)
    url = reverse(url_name, args=_args(url_name, target, targets))
    response = client.post(url) if method == "post" else client.get(url)
    assert response.status_code == status, (url_name, target, role, response.status_code)


def test_the_public_link_is_keyed_by_an_unguessable_token(meeting, client):
    assert len(meeting.public_token) >= 22
    assert str(meeting.pk) != meeting.public_token
    response = client.get(reverse("meetings:public_opinion", args=[str(meeting.pk)]))
    assert response.status_code == 404


def test_a_designated_recorder_writes_the_record_and_other_members_do_not(meeting_day, people, client):
    meeting = meeting_day
    from tests.organizations.factories import UserFactory

    recorder, other = people["刘芳"], people["赵磊"]
    for m in (recorder, other):
        m.user = UserFactory()
        m.save()
    meeting.recorders.set([recorder])
    url = reverse("meetings:record_entry", args=[meeting.pk])
    data = {"kind": "criticism", "member": people["杨丽"].pk, "giver": other.pk, "text": "下村少，群众反映多"}
    client.force_login(other.user)
    assert client.get(reverse("meetings:record", args=[meeting.pk])).status_code == 403
    assert client.post(url, data).status_code == 403
    client.force_login(recorder.user)
    assert client.get(reverse("meetings:record", args=[meeting.pk])).status_code == 200
    assert client.post(url, data).status_code == 302
    assert Criticism.objects.filter(meeting=meeting).count() == 1
