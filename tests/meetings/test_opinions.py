import io

from django.urls import reverse
from openpyxl import load_workbook

from meetings import selectors
from meetings.models import Opinion, OpinionClaim

from .factories import OpinionFactory, days


def test_a_member_addresses_an_opinion_to_a_named_member(meeting, people, login):
    response = login("member").post(
        reverse("meetings:opinion_new", args=[meeting.pk]), {"text": "纪检委员提醒不够经常", "target_member": people["刘芳"].pk}
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert opinion.target_kind == Opinion.Target.MEMBER and opinion.target_member == people["刘芳"]
    assert opinion.channel == Opinion.Channel.MEMBER_ONLINE


def test_a_member_cannot_submit_after_the_deadline(meeting, login):
    meeting.opinions_close_on = days(-1)
    meeting.save()
    response = login("member").post(reverse("meetings:opinion_new", args=[meeting.pk]), {"text": "截止以后的意见建议"})
    assert response.status_code == 410
    assert not Opinion.objects.exists()


def test_the_secretary_records_offline_opinions_with_their_channel(meeting, people, login):
    response = login("secretary").post(
        reverse("meetings:opinion_record", args=[meeting.pk]),
        {"channel": "visit", "received_on": days(-2).isoformat(), "text": "低保办理进度希望公示", "is_anonymous": "",
         "author_label": "燕儿坪村 李大娘", "target_member": people["杨丽"].pk, "category": "service"},
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert (opinion.channel, opinion.received_on, opinion.author_label) == ("visit", days(-2), "燕儿坪村 李大娘")
    assert opinion.target_member == people["杨丽"] and opinion.category == "service"


def test_an_offline_opinion_without_a_name_is_anonymous(meeting, login):
    login("secretary").post(
        reverse("meetings:opinion_record", args=[meeting.pk]),
        {"channel": "box", "received_on": days(0).isoformat(), "text": "意见箱里的一张纸条", "category": ""},
    )
    opinion = Opinion.objects.get()
    assert opinion.is_anonymous and opinion.author_label == ""


def test_the_secretary_sorts_assigns_and_merges(meeting, people, login):
    first = OpinionFactory(meeting=meeting, text="机关开会太多")
    duplicate = OpinionFactory(meeting=meeting, text="会议太多，有的可以合并")
    duplicate.claims.create(member=people["张伟"], claimed_on=days(0))
    client = login("secretary")
    response = client.post(
        reverse("meetings:opinion_sort", args=[first.pk]), {"category": "style", "target_member": people["李建国"].pk}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.category == "style" and first.target_member == people["李建国"]
    response = client.post(
        reverse("meetings:opinion_sort", args=[duplicate.pk]), {"category": "style", "target_member": "", "merged_into": str(first.pk)}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == first
    assert first.claims.filter(member=people["张伟"]).exists()  # the claim follows the merge
    assert selectors.opinions.opinions_summary(meeting=meeting)["total"] == 1


def test_members_claim_and_unclaim(meeting, people, login):
    opinion = OpinionFactory(meeting=meeting)
    client = login("member")
    client.post(reverse("meetings:opinion_claim", args=[opinion.pk]))
    client.post(reverse("meetings:opinion_claim", args=[opinion.pk]))  # twice is once
    assert list(opinion.claimants.all()) == [people["杨丽"]]
    client.post(reverse("meetings:opinion_claim", args=[opinion.pk]), {"undo": "1"})
    assert not OpinionClaim.objects.exists()


def test_a_claimant_answers_and_the_answer_needs_text(meeting, people, login):
    opinion = OpinionFactory(meeting=meeting)
    opinion.claims.create(member=people["杨丽"], claimed_on=days(0))
    client = login("member")
    response = client.post(reverse("meetings:opinion_answer", args=[opinion.pk]), {"answer": "", "status": "resolved"})
    assert response.status_code == 400
    assert "请填写答复或办理情况" in response.content.decode()
    response = client.post(reverse("meetings:opinion_answer", args=[opinion.pk]), {"answer": "已在公示栏公开", "status": "resolved"})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == "resolved" and opinion.answered_by == people["杨丽"] and opinion.answered_on == days(0)


def test_the_counts_by_channel_target_and_claimant(meeting, people):
    a = OpinionFactory(meeting=meeting, channel="box")
    OpinionFactory(meeting=meeting, channel="box", status="answered", answer="已答复")
    OpinionFactory(meeting=meeting, channel="wechat", status="resolved", answer="已解决", target_kind="member", target_member=people["杨丽"])
    a.claims.create(member=people["李建国"], claimed_on=days(0))
    stats = selectors.opinions.opinion_stats(meeting=meeting)
    summary = stats["summary"]
    assert (summary["total"], summary["open"], summary["answered"], summary["resolved"], summary["claimed"]) == (3, 1, 1, 1, 1)
    assert summary["by_channel"] == {"box": 2, "wechat": 1}
    assert summary["answered_or_resolved"] == 2
    assert dict(stats["by_target"]) == {"支部班子": 2, "杨丽": 1}
    rows = {c.member.name: c for c in stats["claimants"]}
    assert (rows["李建国"].claimed, rows["李建国"].target, rows["李建国"].short) == (1, 5, True)
    assert (rows["杨丽"].claimed, rows["杨丽"].target, rows["杨丽"].addressed) == (0, 3, 1)


def test_the_list_filters_and_hides_authors_from_members(meeting, people, login):
    OpinionFactory(meeting=meeting, text="意见箱：食堂浪费", channel="box")
    OpinionFactory(meeting=meeting, text="微信群：流动党员渠道少", channel="wechat", is_anonymous=False, author_member=people["赵磊"])
    client = login("member")
    page = client.get(reverse("meetings:opinion_list", args=[meeting.pk]), {"channel": "wechat"}).content.decode()
    assert "流动党员渠道少" in page and "食堂浪费" not in page
    assert "赵磊" not in page.split('data-testid="opinions"')[1]
    page = login("secretary").get(reverse("meetings:opinion_list", args=[meeting.pk]), {"channel": "wechat"}).content.decode()
    assert "赵磊" in page.split('data-testid="opinions"')[1]


def test_it_exports_the_filtered_list(meeting, login):
    OpinionFactory(meeting=meeting, text="意见箱：食堂浪费", channel="box")
    OpinionFactory(meeting=meeting, text="微信群：流动党员渠道少", channel="wechat")
    response = login("secretary").get(reverse("meetings:opinion_export", args=[meeting.pk]), {"channel": "box"})
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][2] == "意见建议"
    assert [r[2] for r in rows[1:]] == ["意见箱：食堂浪费"]
    assert rows[1][8] == "匿名"


OPINION_LIST_QUERIES = 10  # issue 23: the roles in one query, the unread badge from the cache, no members read for a dropdown


def test_the_list_query_count_does_not_grow_with_rows(meeting, people, login, django_assert_num_queries):
    client = login("secretary")
    first = OpinionFactory(meeting=meeting, target_kind="member", target_member=people["杨丽"])
    first.claims.create(member=people["张伟"], claimed_on=days(0))
    client.get(reverse("meetings:opinion_list", args=[meeting.pk]))  # warm the unread badge's cache (issue 23)
    with django_assert_num_queries(OPINION_LIST_QUERIES):
        response = client.get(reverse("meetings:opinion_list", args=[meeting.pk]))
    assert len(response.context["page"]) == 1
    for i in range(19):
        o = OpinionFactory(meeting=meeting, target_kind="member", target_member=people["赵磊"])
        o.claims.create(member=people["李建国" if i % 2 else "张伟"], claimed_on=days(0))
    with django_assert_num_queries(OPINION_LIST_QUERIES):
        response = client.get(reverse("meetings:opinion_list", args=[meeting.pk]))
    assert len(response.context["page"]) == 20
