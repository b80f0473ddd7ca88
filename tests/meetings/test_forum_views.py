"""The forum pages: list (search, filter, export), create, edit, delete, and recording opinions at a forum."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meetings import services
from meetings.models import Forum, Opinion
from organizations.models import Supervisor

from .factories import days


@pytest.fixture
def forum(meeting):
    return services.forums.forum_save(
        meeting=meeting, held_on=days(-2), topic="机关党员座谈会", member_participants=18, other_participants=2,
        supervisors=list(meeting.supervisors.all()),
    )


def form_data(**fields):
    data = {"held_on": days(-1).isoformat(), "topic": "服务对象座谈会", "place": "村委会", "member_participants": "6",
            "other_participants": "11", "notes": ""}
    data.update(fields)
    return data


def test_the_secretary_records_a_forum(meeting, login):
    supervisor = meeting.supervisors.get()
    response = login("secretary").post(reverse("meetings:forum_new", args=[meeting.pk]), form_data(supervisors=[supervisor.pk]))
    forum = Forum.objects.get()
    assert response.status_code == 302 and response.url == reverse("meetings:forum_detail", args=[forum.pk])
    assert (forum.topic, forum.member_participants, forum.other_participants, forum.held_on) == ("服务对象座谈会", 6, 11, days(-1))
    assert list(forum.supervisors.all()) == [supervisor]


def test_a_supervisor_records_a_forum_they_held(meeting, login):
    client = login("supervisor")
    supervisor = Supervisor.objects.get(user__username="supervisor")
    page = client.get(reverse("meetings:forum_new", args=[meeting.pk]))
    assert page.status_code == 200 and page.context["form"]["supervisors"].initial == [supervisor]
    response = client.post(reverse("meetings:forum_new", args=[meeting.pk]), form_data(supervisors=[supervisor.pk]))
    assert response.status_code == 302
    assert list(Forum.objects.get().supervisors.all()) == [supervisor]


def test_bad_input_is_refused_and_kept(meeting, login):
    response = login("secretary").post(
        reverse("meetings:forum_new", args=[meeting.pk]),
        form_data(held_on=days(3).isoformat(), member_participants="-2", topic="保留的座谈主题"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "保留的座谈主题" in page and "村委会" in page and "确保该值大于或等于0" in page
    assert not Forum.objects.exists()
    response = login("secretary").post(reverse("meetings:forum_new", args=[meeting.pk]), form_data(held_on=days(3).isoformat()))
    assert response.status_code == 400 and "只能登记已经召开的座谈会" in response.content.decode()
    assert not Forum.objects.exists()


def test_a_forum_is_edited_and_deleted(forum, login):
    client = login("secretary")
    opinion = services.forums.forum_opinion_record(forum=forum, text="希望多到困难户家里走一走")
    response = client.post(reverse("meetings:forum_edit", args=[forum.pk]), form_data(topic="改过的主题", supervisors=[]))
    forum.refresh_from_db()
    assert response.status_code == 302
    assert (forum.topic, forum.held_on, forum.supervisors.count()) == ("改过的主题", days(-1), 0)
    response = client.post(reverse("meetings:forum_delete", args=[forum.pk]))
    assert response.status_code == 302 and response.url == reverse("meetings:forum_list", args=[forum.meeting_id])
    assert not Forum.objects.exists()
    opinion.refresh_from_db()
    assert opinion.forum_id is None and opinion.received_on == days(-1)


def test_opinions_are_recorded_at_a_forum_and_answered_on_the_spot(forum, login, people):
    client = login("secretary")
    url = reverse("meetings:forum_detail", args=[forum.pk])
    response = client.post(url, {"text": "党员活动日有时流于形式", "category": "organization", "target_member": "",
                                 "status": "answered", "answer": "下次主题党日结合中心工作"})
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert (opinion.forum_id, opinion.channel, opinion.status, opinion.answered_on) == (forum.pk, "forum", "answered", days(-2))
    assert opinion.answered_by == people["李建国"] and opinion.is_anonymous
    page = client.get(url)
    assert "党员活动日有时流于形式" in page.content.decode() and page.context["page"].paginator.count == 1


def test_a_bad_opinion_is_refused_and_kept(forum, login):
    client = login("secretary")
    url = reverse("meetings:forum_detail", args=[forum.pk])
    short = client.post(url, {"text": "太短", "answer": "保留的答复"})
    assert short.status_code == 400 and "保留的答复" in short.content.decode() and "至少写 5 个字" in short.content.decode()
    no_answer = client.post(url, {"text": "路灯坏了好几盏了", "status": "resolved"})
    page = no_answer.content.decode()
    assert no_answer.status_code == 400 and "请填写当场答复或办理情况。" in page and "路灯坏了好几盏了" in page
    assert not Opinion.objects.exists()


def test_a_member_reads_the_forum_but_records_nothing(forum, login):
    client = login("member")
    page = client.get(reverse("meetings:forum_detail", args=[forum.pk]))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(reverse("meetings:forum_detail", args=[forum.pk]), {"text": "我想说的意见建议"}).status_code == 403
    assert not Opinion.objects.exists()


def test_the_list_searches_filters_and_exports(forum, meeting, login):
    services.forums.forum_save(meeting=meeting, held_on=days(-5), topic="老党员座谈会", member_participants=4)
    services.forums.forum_opinion_record(forum=forum, text="会议通知太晚了", answer="以后提前三天", status="answered")
    client = login("secretary")
    url = reverse("meetings:forum_list", args=[meeting.pk])
    response = client.get(url)
    assert [f.topic for f in response.context["page"]] == ["机关党员座谈会", "老党员座谈会"]
    assert response.context["totals"] == {"forums": 2, "members": 22, "others": 2, "opinions": 1, "done": 1}
    assert [f.topic for f in client.get(url, {"q": "老党员"}).context["page"]] == ["老党员座谈会"]
    assert [f.topic for f in client.get(url, {"supervisor": "none"}).context["page"]] == ["老党员座谈会"]
    supervisor = meeting.supervisors.get()
    assert [f.topic for f in client.get(url, {"supervisor": supervisor.pk}).context["page"]] == ["机关党员座谈会"]
    rows = list(load_workbook(io.BytesIO(client.get(reverse("meetings:forum_export", args=[meeting.pk])).content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("召开日期", "座谈主题")
    assert rows[1][1:8] == ("机关党员座谈会", None, supervisor.name, 18, 2, 1, 1)


def test_the_meeting_navigation_and_the_opinions_page_link_the_forums(meeting, login):
    client = login("member")
    url = reverse("meetings:forum_list", args=[meeting.pk])
    assert url in client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert url in client.get(reverse("meetings:opinion_list", args=[meeting.pk])).content.decode()


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_runs_a_fixed_number_of_queries(meeting, login, django_assert_num_queries, rows):
    supervisors = list(meeting.supervisors.all())
    for i in range(rows):
        forum = services.forums.forum_save(meeting=meeting, held_on=days(-1 - i % 5), topic=f"座谈会{i}", member_participants=3,
                                    supervisors=supervisors)
        services.forums.forum_opinion_record(forum=forum, text=f"第{i}条座谈会意见")
    client = login("secretary")
    url = reverse("meetings:forum_list", args=[meeting.pk])
    client.get(url)
    # session, user, the meeting, the actor (member, officer, supervisor), the supervisor choices, the
    # count, the totals (2), the navigation badge, the page and its supervisors (the secretary's permission
    # checks need no query).
    with django_assert_num_queries(QUERIES):
        assert len(client.get(url).context["page"]) == rows


QUERIES = 10  # issue 23: the roles in one query, the unread badge from the cache


def test_editing_a_forum_keeps_a_supervisor_who_has_since_left_the_meeting(meeting, forum, login):
    supervisor = forum.supervisors.get()
    meeting.supervisors.remove(supervisor)
    meeting.branch.supervisors.remove(supervisor)
    response = login("secretary").post(
        reverse("meetings:forum_edit", args=[forum.pk]), form_data(topic="改过的主题", supervisors=[supervisor.pk])
    )
    assert response.status_code == 302
    forum.refresh_from_db()
    assert forum.topic == "改过的主题" and list(forum.supervisors.all()) == [supervisor]


def test_a_closed_meetings_forums_are_final(meeting, forum, login):
    from django.utils import timezone

    meeting.closed_at = timezone.now()
    meeting.save()
    client = login("secretary")
    assert client.post(reverse("meetings:forum_new", args=[meeting.pk]), form_data()).status_code == 403
    assert client.post(reverse("meetings:forum_edit", args=[forum.pk]), form_data(topic="改")).status_code == 403
    assert client.get(reverse("meetings:forum_detail", args=[forum.pk])).status_code == 200  # still readable
    assert Forum.objects.get().topic == "机关党员座谈会"


def test_an_answer_without_choosing_answered_or_resolved_is_refused_and_kept(forum, login):
    response = login("secretary").post(
        reverse("meetings:forum_detail", args=[forum.pk]),
        {"text": "希望多组织到先进村学习观摩", "category": "", "target_member": "", "status": "", "answer": "会后研究"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "请选择“当场答复”或“已解决”" in page
    assert "希望多组织到先进村学习观摩" in page and "会后研究" in page
    assert not Opinion.objects.filter(forum=forum).exists()


def test_the_offline_form_sends_forum_opinions_to_their_forum(meeting, login):
    client = login("secretary")
    page = client.get(reverse("meetings:opinion_record", args=[meeting.pk])).content.decode()
    assert 'value="forum"' not in page and reverse("meetings:forum_list", args=[meeting.pk]) in page
    response = client.post(reverse("meetings:opinion_record", args=[meeting.pk]),
                           {"channel": "forum", "received_on": days(-1).isoformat(), "text": "座谈会上听到的意见", "is_anonymous": "on"})
    assert response.status_code == 400 and "座谈会上听到的意见" in response.content.decode()
    assert not Opinion.objects.filter(channel="forum").exists()
