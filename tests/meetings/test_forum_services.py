"""Forums (座谈会): forum_save, forum_delete, forum_opinion_record and the forum link of an opinion."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from meetings import services
from meetings.models import Forum, Opinion
from organizations.models import Supervisor
from tests.organizations.factories import UserFactory

from .factories import MeetingFactory, days


@pytest.fixture
def demo_supervisor(demo_orgs):
    return Supervisor.objects.get(user=demo_orgs.users["supervisor"])


def save(meeting, **fields):
    data = {"held_on": days(-2), "topic": "党员群众座谈会", "member_participants": 12, "other_participants": 4}
    data.update(fields)
    return services.forums.forum_save(meeting=meeting, **data)


def test_it_saves_a_forum_with_its_supervisors(meeting, office, demo_supervisor):
    assigned = Supervisor.objects.create(user=UserFactory(), name="联系督导")
    assigned.branches.add(office)
    forum = save(meeting, place="会议室", supervisors=[demo_supervisor, assigned], notes=" 备注 ")
    forum.refresh_from_db()
    assert (forum.topic, forum.place, forum.member_participants, forum.other_participants, forum.notes) == (
        "党员群众座谈会", "会议室", 12, 4, "备注"
    )
    assert set(forum.supervisors.values_list("name", flat=True)) == {demo_supervisor.name, "联系督导"}


def test_it_refuses_a_supervisor_who_may_not_see_the_branch(meeting):
    stranger = Supervisor.objects.create(user=UserFactory(), name="外单位督导")
    with pytest.raises(ValidationError) as exc:
        save(meeting, supervisors=[stranger])
    assert "外单位督导 不是本次会议或本支部的督导。" in exc.value.message_dict["supervisors"]
    assert not Forum.objects.exists()


def test_it_refuses_a_date_after_the_meeting_or_in_the_future(meeting):
    meeting.held_on = days(-5)
    meeting.save()
    with pytest.raises(ValidationError) as exc:
        save(meeting, held_on=days(-4))
    assert "不能晚于会议召开日期" in exc.value.message_dict["held_on"][0]
    with pytest.raises(ValidationError) as exc:
        save(MeetingFactory(branch=meeting.branch), held_on=days(1))
    assert exc.value.message_dict["held_on"] == ["只能登记已经召开的座谈会，日期不能晚于今天。"]
    assert not Forum.objects.exists()


def test_it_refuses_negative_counts(meeting):
    with pytest.raises(ValidationError) as exc:
        save(meeting, member_participants=-1, other_participants=-3)
    assert exc.value.message_dict["member_participants"] == ["人数不能为负数。"]
    assert exc.value.message_dict["other_participants"] == ["人数不能为负数。"]
    assert not Forum.objects.exists()


def test_moving_its_date_moves_its_opinions_and_answers_on_the_spot(meeting):
    forum = save(meeting, held_on=days(-3))
    spot = services.forums.forum_opinion_record(forum=forum, text="希望多组织学习观摩", answer="下月安排", status="answered")
    later = services.forums.forum_opinion_record(forum=forum, text="路灯坏了好几盏了")
    services.opinions.opinion_answer(opinion=later, answer="已修好", status="resolved", by=None)
    save(meeting, forum=forum, held_on=days(-1))
    spot.refresh_from_db()
    later.refresh_from_db()
    assert (spot.received_on, spot.answered_on) == (days(-1), days(-1))
    assert (later.received_on, later.answered_on) == (days(-1), days(0))


def test_it_records_an_anonymous_opinion_answered_on_the_spot(meeting, people):
    forum = save(meeting, held_on=days(-2))
    secretary = people["李建国"]
    opinion = services.forums.forum_opinion_record(
        forum=forum, text="党员活动日有时流于形式", category="organization", target_member=people["杨丽"],
        answer="下次主题党日结合中心工作", status="answered", by=secretary,
    )
    opinion.refresh_from_db()
    assert (opinion.forum_id, opinion.channel, opinion.received_on, opinion.meeting_id) == (forum.pk, "forum", days(-2), meeting.pk)
    assert (opinion.status, opinion.answered_on, opinion.answered_by_id) == ("answered", days(-2), secretary.pk)
    assert opinion.is_anonymous and opinion.author_member_id is None and opinion.author_label == ""
    assert (opinion.target_kind, opinion.target_member_id) == ("member", people["杨丽"].pk)


def test_an_answer_without_a_status_is_an_answer_and_a_status_needs_an_answer(meeting):
    forum = save(meeting)
    assert services.forums.forum_opinion_record(forum=forum, text="会议通知太晚了", answer="以后提前三天").status == "answered"
    assert services.forums.forum_opinion_record(forum=forum, text="办事流程还比较繁琐").status == "open"
    with pytest.raises(ValidationError) as exc:
        services.forums.forum_opinion_record(forum=forum, text="党务公开栏更新不及时", status="resolved")
    assert exc.value.message_dict["answer"] == ["请填写当场答复或办理情况。"]
    assert Opinion.objects.filter(forum=forum).count() == 2


def test_opinion_submit_keeps_a_forum_opinion_consistent(meeting, palace_meeting):
    forum = save(meeting, held_on=days(-2))
    other = save(palace_meeting)
    cases = [
        ({"forum": other, "channel": "forum"}, "forum"),
        ({"forum": forum, "channel": "box"}, "channel"),
        ({"forum": forum, "channel": "forum", "received_on": days(-1)}, "received_on"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.opinions.opinion_submit(meeting=meeting, text="座谈会上提的意见", **kwargs)
        assert field in exc.value.message_dict
    assert not Opinion.objects.exists()


def test_the_database_refuses_a_forum_link_on_another_channel(meeting):
    forum = save(meeting)
    opinion = services.opinions.opinion_submit(meeting=meeting, text="意见箱里的意见", channel="box")
    opinion.forum = forum
    with pytest.raises(ValidationError) as exc:
        opinion.full_clean()
    assert "座谈会上收集的意见，渠道须为“座谈会”。" in exc.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.filter(pk=opinion.pk).update(forum=forum)
    assert Opinion.objects.get(pk=opinion.pk).forum_id is None


def test_deleting_a_forum_keeps_its_opinions(meeting):
    forum = save(meeting)
    opinion = services.forums.forum_opinion_record(forum=forum, text="希望多到困难户家里走走")
    services.forums.forum_delete(forum=forum)
    opinion.refresh_from_db()
    assert not Forum.objects.exists()
    assert (opinion.forum_id, opinion.channel) == (None, "forum")


def test_correcting_an_answer_on_the_spot_keeps_its_day(meeting):
    forum = save(meeting, held_on=days(-3))
    opinion = services.forums.forum_opinion_record(forum=forum, text="希望多组织学习观摩", answer="下月安排", status="answered")
    services.opinions.opinion_answer(opinion=opinion, answer="下月安排到先进村观摩学习", status="answered", by=None)
    opinion.refresh_from_db()
    assert (opinion.answer, opinion.answered_on) == ("下月安排到先进村观摩学习", days(-3))
    services.opinions.opinion_answer(opinion=opinion, answer="", status="open", by=None)
    services.opinions.opinion_answer(opinion=opinion, answer="已安排", status="answered", by=None)
    opinion.refresh_from_db()
    assert opinion.answered_on == days(0)  # answered again after being reopened: today
