"""The meeting-deadline rules, each against the real meetings models and selectors."""

import datetime as dt

import pytest

from notifications.models import Kind
from notifications.rules.meetings import OpinionsCloseRule, PlansDueRule, SelfReviewsDueRule, TalksDueRule
from tests.notifications.conftest import NOW, TODAY
from tests.notifications.factories import MeetingFactory

DAY = dt.timedelta(days=1)


@pytest.fixture
def people(demo_orgs):
    members = demo_orgs.members["office"]
    return {"secretary": members["李建国"], "member": members["杨丽"], "all": members}


def recipients(dues):
    return sorted(d.recipient_id for d in dues)


# ---------------------------------------------------------------- opinions close
def test_it_reminds_every_member_with_a_login_when_opinions_close_within_n_days(office, people, settings):
    settings.REMINDER_DUE_SOON_DAYS = 3
    meeting = MeetingFactory(branch=office, opinions_close_on=TODAY + 3 * DAY)
    dues = OpinionsCloseRule().run(now=NOW)
    # 28 members, but only the two with accounts can be reminded (the others work on paper).
    assert recipients(dues) == sorted([people["secretary"].user_id, people["member"].user_id])
    assert {(d.kind, d.due_date, d.subject.pk) for d in dues} == {(Kind.OPINIONS_CLOSE, TODAY + 3 * DAY, meeting.pk)}
    assert "征求意见" in dues[0].title and "截止" in dues[0].body


def test_it_does_not_remind_of_opinions_too_early_or_after_the_close(office, settings):
    settings.REMINDER_DUE_SOON_DAYS = 3
    MeetingFactory(branch=office, opinions_close_on=TODAY + 4 * DAY)
    MeetingFactory(branch=office, year=2025, opinions_close_on=TODAY - DAY)
    assert OpinionsCloseRule().run(now=NOW) == []


def test_it_reminds_on_the_closing_day_itself(office, people):
    MeetingFactory(branch=office, opinions_close_on=TODAY)
    assert len(OpinionsCloseRule().run(now=NOW)) == 2


def test_it_leaves_out_a_member_who_gave_a_named_opinion(office, people):
    from meetings.models import Opinion

    meeting = MeetingFactory(branch=office, opinions_close_on=TODAY + DAY)
    Opinion.objects.create(
        meeting=meeting, received_on=TODAY, channel="member", text="希望多开展集中学习", author_member=people["member"]
    )
    assert recipients(OpinionsCloseRule().run(now=NOW)) == [people["secretary"].user_id]


def test_it_stops_pre_meeting_reminders_once_the_meeting_is_closed(office):
    MeetingFactory(branch=office, opinions_close_on=TODAY + DAY, closed_at=NOW - dt.timedelta(hours=1))
    assert OpinionsCloseRule().run(now=NOW) == []


# ---------------------------------------------------------------- talks
def test_it_names_the_partners_each_member_still_has_to_talk_with(office, people):
    meeting = MeetingFactory(branch=office, talks_due_on=TODAY + 2 * DAY, talk_rule_set="three")
    dues = {d.recipient_id: d for d in TalksDueRule().run(now=NOW)}
    assert set(dues) == {people["secretary"].user_id, people["member"].user_id}
    # 支委之间: exact pairs, so the secretary is told each committee member by name.
    secretary_body = dues[people["secretary"].user_id].body
    for name in ("王秀兰", "张伟", "刘芳", "陈志强"):
        assert name in secretary_body
    # An ordinary member must talk with any committee member and any member (a suggestion is given).
    member_body = dues[people["member"].user_id].body
    assert "任一支委" in member_body and "任一党员" in member_body
    assert all(d.kind == Kind.TALKS_DUE and d.subject.pk == meeting.pk for d in dues.values())


def test_it_stops_reminding_a_member_whose_required_talks_are_done(office, people):
    from meetings.models import Talk

    members = people["all"]
    meeting = MeetingFactory(branch=office, talks_due_on=TODAY, talk_rule_set="three")
    for partner in ("张伟", "赵磊"):
        Talk.objects.create(meeting=meeting, member_a=people["member"], member_b=members[partner], held_on=TODAY, topics="谈心")
    assert people["member"].user_id not in recipients(TalksDueRule().run(now=NOW))
    assert people["secretary"].user_id in recipients(TalksDueRule().run(now=NOW))


def test_it_does_not_remind_of_talks_after_the_due_date(office):
    MeetingFactory(branch=office, talks_due_on=TODAY - DAY)
    assert TalksDueRule().run(now=NOW) == []


# ---------------------------------------------------------------- self-reviews
def test_it_reminds_only_those_whose_self_review_is_not_submitted(office, people):
    from meetings.models import SelfReview

    meeting = MeetingFactory(branch=office, self_reviews_due_on=TODAY + DAY)
    SelfReview.objects.create(meeting=meeting, member=people["member"], status="submitted", submitted_at=NOW)
    SelfReview.objects.create(meeting=meeting, member=people["secretary"], status="returned")
    dues = SelfReviewsDueRule().run(now=NOW)
    assert recipients(dues) == [people["secretary"].user_id]
    assert dues[0].kind == Kind.SELF_REVIEW_DUE and dues[0].due_date == TODAY + DAY


# ---------------------------------------------------------------- rectification plans
def test_it_reminds_the_secretary_while_problems_have_no_item(office, people):
    from rectification.models import Problem

    meeting = MeetingFactory(branch=office, rectification_plans_due_on=TODAY + DAY, closed_at=NOW - 10 * DAY)
    problem = Problem.objects.create(meeting=meeting, member=people["member"], text="理论学习不够系统")
    dues = PlansDueRule().run(now=NOW)
    assert recipients(dues) == [people["secretary"].user_id]
    assert "1 个问题" in dues[0].body

    from tests.notifications.factories import make_item

    item = make_item(branch=office, responsible=people["member"], deadline=TODAY + 30 * DAY, meeting=meeting)
    item.problems.add(problem)
    assert PlansDueRule().run(now=NOW) == []


def test_it_asks_only_about_one_meeting_when_given_a_subject(office, people):
    first = MeetingFactory(branch=office, opinions_close_on=TODAY + DAY)
    MeetingFactory(branch=office, year=2025, opinions_close_on=TODAY + DAY)
    dues = OpinionsCloseRule().run(now=NOW, subject=first)
    assert {d.subject.pk for d in dues} == {first.pk}


def test_each_reminder_links_to_the_page_where_it_is_done(office, people):
    from django.urls import reverse

    meeting = MeetingFactory(
        branch=office, opinions_close_on=TODAY, talks_due_on=TODAY, self_reviews_due_on=TODAY, talk_rule_set="three"
    )
    assert OpinionsCloseRule().run(now=NOW)[0].url == reverse("meetings:opinion_new", args=[meeting.pk])
    assert TalksDueRule().run(now=NOW)[0].url == reverse("meetings:talk_new", args=[meeting.pk])
    assert SelfReviewsDueRule().run(now=NOW)[0].url == reverse("meetings:selfreview_mine", args=[meeting.pk])
