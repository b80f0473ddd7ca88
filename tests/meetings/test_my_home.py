import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lifecycle import selectors as lifecycle_selectors
from meetings.models import Meeting, SelfReview
from organizations.models import Member

from .factories import MeetingFactory, OpinionFactory, SelfReviewFactory, TalkFactory, days


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
    [todos] = response.context["home"].groups
    assert [o.pk for o in todos.to_claim] == [to_me.pk]
    assert "针对别人的意见" not in page
    assert reverse("meetings:opinion_claim", args=[to_me.pk]) in page
    assert reverse("meetings:opinion_answer", args=[claimed.pk]) in page
    assert "已认领 1 条（至少 3 条）" in page
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


# ---------------------------------------------------------------- every open meeting, most urgent first (issue 16)
RETURNED = "请结合窗口工作举出具体事例"
THEME = "学党史、悟思想、办实事、开新局"
OTHERS = ["王秀兰", "张伟", "赵磊", "黄静", "周杰"]


@pytest.fixture
def year_2026(demo_orgs, people):
    """The 2026 annual meeting in preparation: 杨丽's self-review returned, her talks not yet held, five
    reviews submitted and waiting for the secretary."""
    meeting = MeetingFactory(branch=demo_orgs.orgs["office"], year=2026, kind=Meeting.Kind.ANNUAL)
    SelfReviewFactory(meeting=meeting, member=people["杨丽"], status="returned", secretary_comment=RETURNED)
    for name in OTHERS:
        SelfReviewFactory(meeting=meeting, member=people[name], status="submitted")
    return meeting


@pytest.fixture
def year_2027(demo_orgs):
    """The secretary plans next year's special-topic meeting: its deadlines all come later."""
    return MeetingFactory(
        branch=demo_orgs.orgs["office"], year=2027, kind=Meeting.Kind.SPECIAL, theme=THEME,
        held_on=dt.date(2027, 6, 28), opinions_close_on=dt.date(2027, 5, 31),
        talks_due_on=dt.date(2027, 6, 14), self_reviews_due_on=dt.date(2027, 6, 21),
    )


def _group(page: str, meeting) -> str:
    """The part of the page under one meeting's heading."""
    start = page.index(f'data-testid="todo-meeting" id="meeting-{meeting.pk}"')
    end = page.find('data-testid="todo-meeting"', start + 1)
    return page[start:] if end < 0 else page[start:end]


def test_it_keeps_the_open_meeting_s_to_dos_when_the_next_one_is_planned(year_2026, year_2027, login):
    response = login("member").get(reverse("meetings:my_home"))
    assert response.status_code == 200
    home = response.context["home"]
    assert [g.meeting for g in home.groups] == [year_2026, year_2027]
    page = response.content.decode()
    assert page.index(str(year_2026)) < page.index(str(year_2027))
    group = _group(page, year_2026)
    assert "书记退回修改" in group and RETURNED in group
    assert reverse("meetings:selfreview_edit", args=[home.groups[0].review.pk]) in group
    assert home.groups[0].talks_missing
    assert f"{reverse('meetings:talk_new', args=[year_2026.pk])}?with=" in group
    # The new meeting is there too, with its own links.
    assert THEME in page and reverse("meetings:selfreview_mine", args=[year_2027.pk]) in _group(page, year_2027)
    assert home.count == sum(g.count for g in home.groups) + len(home.to_vote) + len(home.open_items)


def test_the_secretary_sees_the_reviews_waiting_in_the_earlier_meeting(year_2026, year_2027, login):
    response = login("secretary").get(reverse("meetings:my_home"))
    assert response.status_code == 200
    page = response.content.decode()
    queue = f"{reverse('meetings:selfreview_list', args=[year_2026.pk])}?status=submitted"
    assert queue in _group(page, year_2026) and "5 份对照检查材料待审核" in _group(page, year_2026)
    assert reverse("meetings:timeline", args=[year_2027.pk]) in _group(page, year_2027)
    assert [g.secretary_queue for g in response.context["home"].groups] == [5, 0]


def test_it_puts_the_most_urgent_meeting_first(year_2026, year_2027, login):
    # The special-topic meeting comes forward: its talks were due yesterday.
    Meeting.objects.filter(pk=year_2027.pk).update(held_on=days(10), talks_due_on=days(-1), self_reviews_due_on=days(5))
    response = login("member").get(reverse("meetings:my_home"))
    assert [g.meeting.pk for g in response.context["home"].groups] == [year_2027.pk, year_2026.pk]
    first = response.context["home"].groups[0]
    assert first.due == days(-1) and first.is_overdue
    assert "已逾期" in _group(response.content.decode(), year_2027)


def test_a_meeting_with_nothing_left_for_the_member_shrinks_to_one_line(year_2026, year_2027, people, login):
    # 2027: no talk required of her, no claims asked, her review submitted.
    Meeting.objects.filter(pk=year_2027.pk).update(talk_rule_set="custom", custom_talk_rules=[], claim_target_member=0)
    SelfReviewFactory(meeting=year_2027, member=people["杨丽"], status="submitted")
    response = login("member").get(reverse("meetings:my_home"))
    groups = response.context["home"].groups
    assert [g.meeting for g in groups] == [year_2026, year_2027] and groups[1].is_done and groups[1].count == 0
    group = _group(response.content.decode(), year_2027)
    assert "本次会议您的事项都已完成。" in group and "<details>" in group
    assert "本次会议您的事项都已完成。" not in _group(response.content.decode(), year_2026)


def test_a_closed_meeting_s_to_dos_do_not_appear(year_2026, year_2027, login):
    Meeting.objects.filter(pk=year_2026.pk).update(closed_at=timezone.now())
    response = login("member").get(reverse("meetings:my_home"))
    assert [g.meeting for g in response.context["home"].groups] == [year_2027]
    page = response.content.decode()
    assert RETURNED not in page and reverse("meetings:meeting_detail", args=[year_2026.pk]) not in page


def test_a_member_of_another_branch_sees_none_of_it(year_2026, year_2027, login):
    response = login("anyue").get(reverse("meetings:my_home"))
    assert response.status_code == 200 and response.context["home"].groups == []
    page = response.content.decode()
    assert RETURNED not in page and THEME not in page and "本支部目前没有组织生活会" in page


def test_the_groups_sort_by_the_nearest_outstanding_deadline():
    """urgency() without the database: outstanding before finished, overdue first, then the nearest deadline
    of what is still to do, undated last."""
    me = Member(pk=1, name="杨丽")

    def group(pk, *, held, talks=None, reviews=None, missing_talks=0, review_done=False):
        meeting = Meeting(pk=pk, held_on=held, talks_due_on=talks, self_reviews_due_on=reviews)
        todos = lifecycle_selectors.MyTodos(meeting=meeting, member=me, talks_missing=[object()] * missing_talks)
        todos.review = SelfReview(status="approved") if review_done else None
        return todos

    overdue = group(1, held=days(30), talks=days(-2), missing_talks=1, review_done=True)
    soon = group(2, held=days(40), talks=days(1), reviews=days(3))  # talks all held: their date does not count
    later = group(3, held=days(9), talks=days(8), reviews=days(8), missing_talks=2)
    undated = group(4, held=None)
    done = group(5, held=days(1), talks=days(0), review_done=True)
    ordered = sorted([done, undated, later, soon, overdue], key=lifecycle_selectors.urgency)
    assert [g.meeting.pk for g in ordered] == [1, 2, 3, 4, 5]
    assert overdue.is_overdue and overdue.due == days(-2)
    assert soon.due == days(3) and not soon.is_overdue and later.due == days(8)
    assert undated.due is None and not undated.is_done
    assert done.is_done and done.due is None and done.count == 0


# The page runs 10 queries whatever the number of meetings: session, user, the actor (member, officer,
# supervisor), the unread-notifications badge; ballots to cast, own rectification items, the branch's open
# meetings, its roll. Then each open meeting costs 6 (opinions to claim: how many and the first five; own
# claims; claimed and not yet answered; talks; own self-review), 1 more for the secretary (the review
# queue), and 3 more while the member's own review is being written (its quality hints: its problems, the
# earlier years' problems and criticisms) — 杨丽's 2026 review is returned, the secretary has none.
PAGE_QUERIES = 10
PER_MEETING = {"member": 6, "secretary": 7}
HINTS = {"member": 3, "secretary": 0}


@pytest.mark.parametrize("who", ["member", "secretary"])
def test_it_costs_a_few_queries_per_open_meeting_and_none_per_member_or_opinion(
    year_2026, demo_orgs, people, login, django_assert_max_num_queries, who
):
    from tests.organizations.factories import MemberFactory

    client = login(who)
    client.get(reverse("meetings:my_home"))  # the session is set up once
    one = PAGE_QUERIES + PER_MEETING[who] + HINTS[who]
    with django_assert_max_num_queries(one):
        assert len(client.get(reverse("meetings:my_home")).context["home"].groups) == 1

    special = MeetingFactory(branch=demo_orgs.orgs["office"], year=2027, kind=Meeting.Kind.SPECIAL, theme=THEME)
    with django_assert_max_num_queries(one + PER_MEETING[who]):
        assert len(client.get(reverse("meetings:my_home")).context["home"].groups) == 2

    # Ten more members and forty more opinions, claimed or not: the same count.
    MemberFactory.create_batch(10, branch=demo_orgs.orgs["office"])
    for meeting in (year_2026, special):
        for i in range(20):
            opinion = OpinionFactory(meeting=meeting, target_kind="member", target_member=people["杨丽"])
            if i % 2:
                opinion.claims.create(member=people["杨丽"], claimed_on=days(0))
                opinion.claims.create(member=people["李建国"], claimed_on=days(0))
    with django_assert_max_num_queries(one + PER_MEETING[who]):
        home = client.get(reverse("meetings:my_home")).context["home"]
    assert [len(g.to_answer) for g in home.groups] == [10, 10]
