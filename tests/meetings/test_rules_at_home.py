"""Issue 21: rules in their home. The talk-ownership rule lives in services.talks.talk_save (not only in the
form); GET never writes the default agenda; the record page's <option>s are built by the template."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import AgendaItem, Criticism, Talk

from .factories import days


def test_talk_save_refuses_a_member_recording_others_talk(meeting, people):
    with pytest.raises(ValidationError) as exc:
        services.talks.talk_save(
            meeting=meeting, member_a=people["赵磊"], member_b=people["黄静"], held_on=days(0), topics="别人的谈话",
            as_member=people["杨丽"],
        )
    assert exc.value.message_dict == {"member_b": ["只能记录自己参加的谈话。"]}
    assert not Talk.objects.exists()


def test_talk_save_lets_a_member_record_their_own_talk_either_side(meeting, people):
    services.talks.talk_save(meeting=meeting, member_a=people["杨丽"], member_b=people["黄静"], held_on=days(0), topics="甲",
                       as_member=people["杨丽"])
    services.talks.talk_save(meeting=meeting, member_a=people["黄静"], member_b=people["杨丽"], held_on=days(0), topics="乙",
                       as_member=people["杨丽"])
    assert Talk.objects.count() == 2


def test_the_talk_edit_view_passes_the_member_to_the_service(meeting, people, login):
    talk = services.talks.talk_save(meeting=meeting, member_a=people["杨丽"], member_b=people["黄静"], held_on=days(0), topics="甲")
    client = login("member")
    # A forged member_a is ignored by the disabled field; a member_b that leaves 杨丽 out still fails in the service.
    response = client.post(reverse("meetings:talk_edit", args=[talk.pk]),
                           {"member_b": people["黄静"].pk, "held_on": days(0).isoformat(), "topics": "改过"})
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.topics == "改过" and talk.member_a == people["杨丽"]


@pytest.mark.parametrize("url", ["meetings:attendance", "meetings:agenda", "meetings:record"])
def test_a_get_never_stores_the_default_agenda(meeting_day, login, url):
    response = login("secretary").get(reverse(url, args=[meeting_day.pk]))
    assert response.status_code == 200
    assert "对照检查" in response.content.decode()  # the default agenda is shown
    assert not AgendaItem.objects.filter(meeting=meeting_day).exists()


def test_a_planned_meeting_has_the_default_agenda(office):
    meeting = services.plan.meeting_create(branch=office, year=2026, kind="annual", theme="测试")
    assert AgendaItem.objects.filter(meeting=meeting).count() == 5


def test_the_first_record_post_stores_the_default_agenda(meeting_day, people, login):
    response = login("secretary").post(
        reverse("meetings:record_entry", args=[meeting_day.pk]),
        {"kind": "criticism", "member": people["杨丽"].pk, "giver": people["黄静"].pk, "text": "学习不够深入"},
    )
    assert response.status_code == 302
    assert Criticism.objects.filter(meeting=meeting_day).count() == 1
    assert AgendaItem.objects.filter(meeting=meeting_day).count() == 5


def test_the_record_page_lists_every_giver_but_the_speaker(meeting_day, people, login):
    page = login("secretary").get(reverse("meetings:record", args=[meeting_day.pk])).content.decode()
    yang = people["杨丽"]
    select = re.search(rf'id="g-list-criticism-{yang.pk}"[^>]*>(.*?)</select>', page, re.S).group(1)
    values = re.findall(r'<option value="(\d+)">', select)
    assert str(yang.pk) not in values
    assert str(people["黄静"].pk) in values
    committee = re.search(r'id="g-list-criticism-committee"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert str(yang.pk) in re.findall(r'<option value="(\d+)">', committee)
