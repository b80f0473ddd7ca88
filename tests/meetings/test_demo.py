import datetime as dt

from lifecycle import demo as lifecycle_demo
from lifecycle import selectors as lifecycle_selectors
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


def test_the_current_meeting_is_part_way_through_preparation(demo_orgs):
    demo.seed(demo_orgs)
    season = demo_orgs.season
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["office"], year=season.year)
    assert meeting.held_on == season.meeting_day > season.anchor
    assert meeting.opinions_close_on >= season.anchor and meeting.closed_at is None
    cov = selectors.talk_coverage(meeting=meeting)
    assert 0 < len(cov.done) < len(cov.required)
    statuses = set(SelfReview.objects.filter(meeting=meeting, kind="member").values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "approved"}
    assert 0 < len(selectors.self_reviews_missing(meeting=meeting)) < 28
    todos = lifecycle_selectors.my_todos(member=demo_orgs.members["office"]["杨丽"])
    assert todos.meeting == meeting and todos.count > 0 and todos.talks_missing and todos.to_claim
    assert todos.review_hints >= 2  # a repeat from 2025 and vague measures


def test_the_2020_palace_meeting_covers_the_four_talks(demo_orgs):
    demo.seed(demo_orgs)
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["palace"], year=2020)
    assert (meeting.held_on, meeting.starts_at.hour, meeting.place) == (dt.date(2021, 3, 15), 9, "安岳县青少年宫底楼会议室")
    assert [str(s) for s in meeting.supervisors.all()] == ["左香菊（共青团安岳县教育和体育局副书记）"]
    cov = selectors.talk_coverage(meeting=meeting)
    assert cov.complete and len(cov.required) == 10
    assert not selectors.self_reviews_missing(meeting=meeting)


def test_the_2020_palace_meeting_is_fully_recorded_and_closed(demo_orgs):
    demo.seed(demo_orgs)
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["palace"], year=2020)
    assert meeting.closed_at is not None and meeting.closed_at.date().isoformat() == "2021-03-15"
    assert [a.kind for a in selectors.record.agenda(meeting=meeting)][0] == "committee_review"
    assert len(selectors.members_present(meeting=meeting)) == 8
    assert list(meeting.supervisors_present.values_list("name", flat=True)) == ["左香菊"]
    speakers, rec = selectors.record.speaker_records(meeting=meeting, members=selectors.plan.meeting_members(meeting=meeting))
    assert all(s.self_criticism for s in speakers) and all(s.received for s in speakers)
    assert rec.to_committee and rec.supervisor_comments and meeting.closing_statement and meeting.next_steps


def test_the_forum_opinions_were_gathered_at_forums(demo_orgs):
    demo.seed(demo_orgs)
    demo.seed(org_demo.seed())
    season = demo_orgs.season
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["office"], year=season.year)
    forums = list(Forum.objects.filter(meeting=meeting).order_by("held_on"))
    assert [(f.held_on, f.member_participants, [s.name for s in f.supervisors.all()]) for f in forums] == [
        (season.day(-15), 22, ["何奇哲"]), (season.day(-8), 6, []),
    ]
    opinions = Opinion.objects.filter(meeting=meeting, channel="forum")
    assert opinions.count() == 2 and not opinions.filter(forum__isnull=True).exists()
    assert all(o.received_on == o.forum.held_on for o in opinions)
    resolved = opinions.get(status="resolved")
    assert resolved.forum == forums[0] and resolved.answered_on == forums[0].held_on


def test_last_years_meeting_is_recorded_closed_and_has_a_problem_list(demo_orgs):
    demo.seed(demo_orgs)
    lifecycle_demo.seed(demo_orgs)  # closing builds the list (lifecycle), run next by seed_demo
    season = demo_orgs.season
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["office"], year=season.last_year)
    assert meeting.closed_at is not None and meeting.held_on < season.anchor
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == 26
    # every member present criticised themselves and every member received a criticism from someone present
    received = set(Criticism.objects.filter(meeting=meeting, is_self=False).values_list("receiver__name", flat=True))
    assert received == set(demo_orgs.members["office"])
    absent = set(Attendance.objects.filter(meeting=meeting, status="leave").values_list("member_id", flat=True))
    assert not Criticism.objects.filter(meeting=meeting, giver_id__in=absent).exists()
    assert meeting.problems.filter(source_kind="criticism").count() == Criticism.objects.filter(meeting=meeting, is_self=False).count()


def test_self_reviews_differ_from_member_to_member(demo_orgs):
    demo.seed(demo_orgs)
    for meeting in Meeting.objects.filter(branch=demo_orgs.orgs["office"]):
        sets = [
            frozenset(r.problems.values_list("text", flat=True))
            for r in SelfReview.objects.filter(meeting=meeting, kind="member", status__in=["submitted", "approved"])
        ]
        assert sets and len(set(sets)) == len(sets), meeting


def test_only_held_meetings_have_criticisms_attendance_or_problems(demo):
    from django.utils import timezone

    today = timezone.localdate()
    for meeting in Meeting.objects.all():
        recorded = (Criticism.objects.filter(meeting=meeting).exists() or Attendance.objects.filter(meeting=meeting).exists()
                    or meeting.problems.exists())
        if meeting.held_on > today:
            assert not recorded, meeting
        if meeting.closed_at is not None:
            assert meeting.held_on <= today and Attendance.objects.filter(meeting=meeting).exists(), meeting
