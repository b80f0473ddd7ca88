from django.urls import reverse

from .factories import OpinionFactory, SelfReviewFactory, TalkFactory, days


def test_a_member_lands_on_their_to_dos(meeting, login):
    response = login("member").get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("meetings:my_home")
    assert login("county").get(reverse("home")).url != reverse("meetings:my_home")


def test_it_lists_each_to_do_with_a_link_to_where_it_is_done(meeting, people, login):
    to_me = OpinionFactory(meeting=meeting, text="民政窗口解释政策不够耐心", target_kind="member", target_member=people["杨丽"])
    OpinionFactory(meeting=meeting, text="针对别人的意见", target_kind="member", target_member=people["赵磊"])
    claimed = OpinionFactory(meeting=meeting, text="我认领了还没答复的意见")
    claimed.claims.create(member=people["杨丽"], claimed_on=days(0))
    TalkFactory(meeting=meeting, member_a=people["赵磊"], member_b=people["杨丽"])
    response = login("member").get(reverse("meetings:my_home"))
    assert response.status_code == 200
    page = response.content.decode()
    todos = response.context["todos"]
    assert [o.pk for o in todos.to_claim] == [to_me.pk]
    assert "针对别人的意见" not in page
    assert reverse("meetings:opinion_claim", args=[to_me.pk]) in page
    assert reverse("meetings:opinion_answer", args=[claimed.pk]) in page
    assert "已认领 1 条(至少 3 条)" in page
    # Talks: with a committee member still missing (suggested partner named); member-with-member done.
    own = [p.rule for p in todos.talks_missing if p.a == people["杨丽"]]
    assert own == ["committee_with_members"]
    # Where she is the suggested partner of someone still missing a talk, that shows up too.
    assert all(p.b == people["杨丽"] for p in todos.talks_missing if p.a != people["杨丽"])
    assert f"{reverse('meetings:talk_new', args=[meeting.pk])}?with=" in page
    assert "还没有开始写" in page and reverse("meetings:selfreview_mine", args=[meeting.pk]) in page


def test_the_secretary_sees_the_review_queue(meeting, people, login):
    SelfReviewFactory(meeting=meeting, member=people["赵磊"], status="submitted")
    page = login("secretary").get(reverse("meetings:my_home")).content.decode()
    assert "1 份对照检查材料待审核" in page
    assert reverse("meetings:timeline", args=[meeting.pk]) in page


def test_without_a_meeting_it_says_so(demo_orgs, login):
    page = login("member").get(reverse("meetings:my_home")).content.decode()
    assert "本支部目前没有组织生活会" in page


def test_it_lists_the_ballot_to_cast_and_open_rectification_items(demo, login):
    from django.urls import reverse

    from rectification.models import RectificationItem
    from tests.season import office_vote_opens_today

    _season, evaluation = office_vote_opens_today()
    page = login("member").get(reverse("meetings:my_home")).content.decode()
    assert reverse("evaluations:vote", args=[evaluation.pk]) in page
    open_items = RectificationItem.objects.filter(responsible__user__username="member").exclude(status="closed")
    assert open_items.exists()
    for item in open_items:
        assert reverse("rectification:item_detail", args=[item.pk]) in page
