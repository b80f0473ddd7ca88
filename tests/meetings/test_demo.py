import datetime as dt

from meetings import demo, selectors
from meetings.models import (
    AgendaItem,
    Attendance,
    ClaimedProblem,
    Commitment,
    Criticism,
    Forum,
    Meeting,
    MeetingComment,
    Opinion,
    OpinionClaim,
    SelfReview,
    SelfReviewProblem,
    StudySession,
    Talk,
)
from organizations import demo as org_demo

MODELS = (
    Meeting, Opinion, OpinionClaim, SelfReview, SelfReviewProblem, StudySession, Talk, AgendaItem, Attendance,
    Criticism, ClaimedProblem, Commitment, MeetingComment, Forum, Forum.supervisors.through,
)


def snapshot():
    return {m.__name__: sorted(m.objects.values_list("pk", flat=True)) for m in MODELS}


def test_it_is_safe_to_run_twice(demo_orgs):
    demo.seed(demo_orgs)
    first = snapshot()
    demo.seed(org_demo.seed())
    assert snapshot() == first


def test_the_2026_meeting_is_part_way_through_preparation(demo_orgs):
    demo.seed(demo_orgs)
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["office"], year=2026)
    assert meeting.held_on == dt.date(2026, 12, 10)
    cov = selectors.talk_coverage(meeting=meeting)
    assert 0 < len(cov.done) < len(cov.required)
    statuses = set(SelfReview.objects.filter(meeting=meeting, kind="member").values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "approved"}
    assert 0 < len(selectors.self_reviews_missing(meeting=meeting)) < 28
    todos = selectors.my_todos(member=demo_orgs.members["office"]["杨丽"])
    assert todos.meeting == meeting and todos.count > 0 and todos.talks_missing and todos.to_claim
    assert todos.review_hints >= 2  # a repeat from 2025 and vague measures


def test_the_2020_palace_meeting_covers_the_four_talks(demo_orgs):
    demo.seed(demo_orgs)
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["palace"], year=2020)
    assert (meeting.held_on, meeting.starts_at.hour, meeting.place) == (dt.date(2021, 3, 15), 9, "安岳县青少年宫底楼会议室")
    assert [str(s) for s in meeting.supervisors.all()] == ["左香菊(共青团安岳县教育和体育局副书记)"]
    cov = selectors.talk_coverage(meeting=meeting)
    assert cov.complete and len(cov.required) == 10
    assert not selectors.self_reviews_missing(meeting=meeting)


def test_the_2020_palace_meeting_is_fully_recorded_and_closed(demo_orgs):
    demo.seed(demo_orgs)
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["palace"], year=2020)
    assert meeting.closed_at is not None and meeting.closed_at.date().isoformat() == "2021-03-15"
    assert [a.kind for a in selectors.agenda(meeting=meeting)][0] == "committee_review"
    assert len(selectors.members_present(meeting=meeting)) == 8
    assert list(meeting.supervisors_present.values_list("name", flat=True)) == ["左香菊"]
    speakers, rec = selectors.speaker_records(meeting=meeting, members=selectors.meeting_members(meeting=meeting))
    assert all(s.self_criticism for s in speakers) and all(s.received for s in speakers)
    assert rec.to_committee and rec.supervisor_comments and meeting.closing_statement and meeting.next_steps


def test_the_2026_forum_opinions_were_gathered_at_forums(demo_orgs):
    demo.seed(demo_orgs)
    demo.seed(org_demo.seed())
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["office"], year=2026)
    forums = list(Forum.objects.filter(meeting=meeting).order_by("held_on"))
    assert [(f.held_on, f.member_participants, [s.name for s in f.supervisors.all()]) for f in forums] == [
        (dt.date(2026, 11, 10), 22, ["何奇哲"]), (dt.date(2026, 11, 17), 6, []),
    ]
    opinions = Opinion.objects.filter(meeting=meeting, channel="forum")
    assert opinions.count() == 2 and not opinions.filter(forum__isnull=True).exists()
    assert all(o.received_on == o.forum.held_on for o in opinions)
    resolved = opinions.get(status="resolved")
    assert resolved.forum == forums[0] and resolved.answered_on == forums[0].held_on
