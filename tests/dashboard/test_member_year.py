"""The member's year (issue 18 item 4): the selector on known data, beside the vote on the determination
page, the member's own page, and the county's 先锋指数 (off unless turned on, computed from its weights)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityAttendance, Kind, PioneerIndexSetting
from dashboard.member_year import member_years
from dashboard.pioneer_index import Rule, compute
from evaluations import services
from evaluations.models import Candidate, Evaluation
from meetings.models import Meeting, Opinion, OpinionClaim
from organizations.models import Officer, Organization
from rectification.models import RectificationItem
from tests.evaluations.conftest import Builder
from tests.organizations.factories import MemberFactory, UserFactory

YEAR = 2026  # tests.clock.NOW is 2026-11-25
PRESENT, LATE, ABSENT, LEAVE = (ActivityAttendance.Status.PRESENT, ActivityAttendance.Status.LATE,
                                ActivityAttendance.Status.ABSENT, ActivityAttendance.Status.LEAVE)


@pytest.fixture
def build(db) -> Builder:
    return Builder()


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def activity(branch, kind, day, roll: dict, service=""):
    a = Activity.objects.create(branch=branch, kind=kind, held_on=day, topic=f"{kind} {day}", service=service)
    for member, status in roll.items():
        ActivityAttendance.objects.create(activity=a, member=member, status=status,
                                          reason="" if status in ActivityAttendance.ATTENDED else "外出")
    return a


def item(branch, member, deadline, *, closed_on=None, status="not_started"):
    return RectificationItem.objects.create(
        branch=branch, responsible=member, title="整改", goal="目标", measures="措施", commitment="承诺",
        deadline=deadline, status="closed" if closed_on else status, closed_at=at(closed_on) if closed_on else None,
    )


def last_years_grades(branch, grades: dict):
    meeting = Meeting.objects.create(branch=branch, year=YEAR - 1, kind=Meeting.Kind.ANNUAL, held_on=dt.date(2025, 12, 10))
    ev = Evaluation.objects.create(meeting=meeting, opens_at=at(dt.date(2025, 12, 10), 9), closes_at=at(dt.date(2025, 12, 10), 17),
                                   determined_at=at(dt.date(2025, 12, 12)), published_at=at(dt.date(2025, 12, 13)))
    for member, grade in grades.items():
        Candidate.objects.create(evaluation=ev, member=member, final_grade=grade)


def record_year(ev):
    """Known facts of 2026 for the evaluation's first two members, A (the secretary) and B.

    A: on the roll of 4 events, attended 3 (two 主题党日 with services, a 支委会; on leave at the 党员大会);
       claimed 2 opinions (one anonymous), 1 resolved; 3 items due (1 closed on time, 1 closed late,
       1 overdue), 1 not yet due; last year 优秀.
    B: on the roll of 3, attended 2 (one service); no claims (but gave a signed opinion); no items; last year 合格.
    Events, items and claims of 2025 are outside the year."""
    branch = ev.meeting.branch
    a, b = ev.members[0], ev.members[1]
    rest = {m: PRESENT for m in ev.members[2:]}
    activity(branch, Kind.THEME_DAY, dt.date(2026, 3, 5), {a: PRESENT, b: ABSENT, **rest}, service="义务耕种 31 亩")
    activity(branch, Kind.THEME_DAY, dt.date(2026, 6, 1), {a: LATE, b: PRESENT, **rest}, service="清理河道")
    activity(branch, Kind.COMMITTEE, dt.date(2026, 4, 10), {a: PRESENT})
    activity(branch, Kind.ASSEMBLY, dt.date(2026, 9, 1), {a: LEAVE, b: PRESENT, **rest})
    activity(branch, Kind.THEME_DAY, dt.date(2025, 12, 1), {a: PRESENT, b: PRESENT, **rest}, service="去年的服务")

    meeting = ev.meeting
    anonymous = Opinion.objects.create(meeting=meeting, received_on=dt.date(2026, 10, 1), channel="box",
                                       text="匿名的意见建议", is_anonymous=True, status="resolved")
    signed = Opinion.objects.create(meeting=meeting, received_on=dt.date(2026, 10, 2), channel="member",
                                    text="署名的意见建议", author_member=b, status="open")
    old = Opinion.objects.create(meeting=meeting, received_on=dt.date(2025, 12, 2), channel="box", text="去年的意见建议",
                                 status="resolved")
    OpinionClaim.objects.create(opinion=anonymous, member=a, claimed_on=dt.date(2026, 10, 3))
    OpinionClaim.objects.create(opinion=signed, member=a, claimed_on=dt.date(2026, 10, 3))
    OpinionClaim.objects.create(opinion=old, member=a, claimed_on=dt.date(2025, 12, 3))

    item(branch, a, dt.date(2026, 5, 31), closed_on=dt.date(2026, 5, 20))
    item(branch, a, dt.date(2026, 6, 30), closed_on=dt.date(2026, 7, 10))
    item(branch, a, dt.date(2026, 10, 31), status="in_progress")
    item(branch, a, dt.date(2026, 12, 31))
    item(branch, a, dt.date(2025, 12, 31), closed_on=dt.date(2025, 12, 1))

    last_years_grades(branch, {a: "excellent", b: "qualified"})
    return a, b


def closed_evaluation(build: Builder, n: int):
    ev = build.evaluation(n=n, quota=None, with_users=True)
    for voter in ev.members:
        services.ballot_cast(evaluation=ev, member=voter, content=build.content(ev))
    build.close(ev)
    ev.members[0].committee_post = "secretary"
    ev.members[0].save()
    return ev


@pytest.fixture
def closed(build):
    ev = closed_evaluation(build, 3)
    ev.a, ev.b = record_year(ev)
    return ev


def county_of(branch) -> Organization:
    return Organization.objects.get(path=branch.path[: Organization.steplen])


def candidate_card(page: str, name: str) -> str:
    """The determination page's card of one candidate."""
    start = page.index(f"<strong>{name}</strong>")
    end = page.find('<div class="bl-card">', start)
    return page[start:end if end != -1 else None]


# ---------------------------------------------------------------- the selector
def test_it_counts_a_members_year_from_the_records(closed):
    years = member_years(members=[closed.a, closed.b], year=YEAR)
    a, b = years[closed.a.pk], years[closed.b.pk]
    assert (a.attended, a.on_roll) == (3, 4)
    assert {k.kind: (k.attended, k.on_roll) for k in a.kind_rows} == {
        Kind.ASSEMBLY: (0, 1), Kind.COMMITTEE: (1, 1), Kind.GROUP: (0, 0), Kind.LECTURE: (0, 0), Kind.THEME_DAY: (2, 2)
    }
    assert [s.text for s in a.services] == ["义务耕种 31 亩", "清理河道"]
    assert (a.opinions_claimed, a.opinions_answered) == (2, 1)
    assert (a.items_on_time, a.items_due, a.items_overdue) == (1, 3, 1)
    assert a.last_grade_label == "优秀"
    assert a.pioneer is None
    assert (b.attended, b.on_roll, [s.text for s in b.services]) == (2, 3, ["清理河道"])
    assert (b.opinions_claimed, b.items_due, b.last_grade_label) == (0, 0, "合格")


def test_it_reads_another_year_apart(closed):
    a = member_years(members=[closed.a], year=YEAR - 1)[closed.a.pk]
    assert (a.attended, a.on_roll, [s.text for s in a.services]) == (1, 1, ["去年的服务"])
    assert (a.opinions_claimed, a.opinions_answered, a.items_on_time, a.items_due) == (1, 1, 1, 1)
    assert a.last_grade == ""


def test_it_ignores_an_unpublished_grade(closed):
    Evaluation.objects.filter(meeting__year=YEAR - 1).update(published_at=None)
    assert member_years(members=[closed.a], year=YEAR)[closed.a.pk].last_grade == ""


def test_it_reads_any_number_of_members_in_seven_queries(build, django_assert_num_queries):
    small, large = closed_evaluation(build, 2), closed_evaluation(build, 6)
    record_year(small)
    record_year(large)
    PioneerIndexSetting.objects.create(organization=county_of(large.meeting.branch), enabled=True, weights={"attended": 1})
    for ev in (small, large):
        with django_assert_num_queries(7):
            years = member_years(members=ev.members, year=YEAR)
        assert len(years) == len(ev.members)


# ---------------------------------------------------------------- beside the vote
def test_the_determination_page_shows_each_candidates_year(closed, client):
    client.force_login(closed.a.user)
    page = client.get(reverse("evaluations:determination", args=[closed.pk])).content.decode()
    a, b = candidate_card(page, closed.a.name), candidate_card(page, closed.b.name)
    assert "参加三会一课和主题党日 3 次（应参加 4 次）" in a
    assert "主题党日服务：义务耕种 31 亩；清理河道" in a
    assert "认领意见 2 条（已答复或解决 1 条）" in a
    assert "整改事项按期销号 1 项（已到期 3 项）" in a
    assert "上年等次：优秀" in a
    assert "参加三会一课和主题党日 2 次（应参加 3 次）" in b
    assert "主题党日服务：清理河道" in b and "义务耕种" not in b
    assert "上年等次：合格" in b
    assert reverse("dashboard:member_year", args=[closed.a.pk]) in a
    assert "先锋指数" not in page


def _page_queries(client, ev) -> int:
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:determination", args=[ev.pk])
    client.get(url)  # the first request after logging in may touch the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count('data-testid="member-year"') == len(ev.members)
    return len(ctx.captured_queries)


def test_the_determination_page_keeps_its_query_count_as_candidates_grow(build, client, still_clock):
    small, large = closed_evaluation(build, 2), closed_evaluation(build, 6)
    record_year(small)
    record_year(large)
    for ev in (small, large):
        PioneerIndexSetting.objects.create(organization=county_of(ev.meeting.branch), enabled=True, weights={"service": 2})
    assert _page_queries(client, small) == _page_queries(client, large)


# ---------------------------------------------------------------- the member's page
def test_the_member_sees_their_own_year(closed, client):
    client.force_login(closed.b.user)
    response = client.get(reverse("dashboard:member_year", args=[closed.b.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "我的一年" in page
    assert "参加三会一课和主题党日 2 次（应参加 3 次）" in page
    assert "6月1日：清理河道" in page
    assert "合格" in page


def test_the_year_selector_shows_another_year(closed, client):
    client.force_login(closed.a.user)
    page = client.get(reverse("dashboard:member_year", args=[closed.a.pk]), {"year": YEAR - 1}).content.decode()
    assert "去年的服务" in page and "义务耕种" not in page
    assert '<option value="2025" selected>' in page


def test_a_bad_year_falls_back_to_this_year(closed, client):
    client.force_login(closed.a.user)
    page = client.get(reverse("dashboard:member_year", args=[closed.a.pk]), {"year": "1900"}).content.decode()
    assert "义务耕种 31 亩" in page


def test_the_members_home_links_to_their_year(closed, client):
    client.force_login(closed.b.user)
    page = client.get(reverse("meetings:my_home")).content.decode()
    assert reverse("dashboard:member_year", args=[closed.b.pk]) in page and "我的一年" in page


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("themself", 200),
        ("secretary", 200),
        ("same_branch_member", 403),
        ("other_branch_member", 403),
        ("county_officer", 200),
        ("other_county_officer", 403),
    ],
)
def test_it_shows_a_year_only_to_the_right_people(closed, build, client, viewer, status):
    other_branch = build.branch()
    users = {
        "themself": closed.b.user,
        "secretary": closed.a.user,
        "same_branch_member": closed.members[2].user,
        "other_branch_member": MemberFactory(branch=other_branch, user=UserFactory()).user,
        "county_officer": Officer.objects.create(user=UserFactory(), organization=county_of(closed.meeting.branch), name="干部").user,
        "other_county_officer": Officer.objects.create(user=UserFactory(), organization=county_of(other_branch), name="干部").user,
    }
    client.force_login(users[viewer])
    response = client.get(reverse("dashboard:member_year", args=[closed.b.pk]))
    assert response.status_code == status
    if status == 200:
        assert "参加三会一课和主题党日 2 次（应参加 3 次）" in response.content.decode()


def test_a_missing_member_is_404(closed, client):
    client.force_login(closed.a.user)
    assert client.get(reverse("dashboard:member_year", args=[999999])).status_code == 404


def test_anonymous_visitors_go_to_login(closed, client):
    response = client.get(reverse("dashboard:member_year", args=[closed.b.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


# ---------------------------------------------------------------- the 先锋指数
def test_there_is_no_pioneer_index_while_it_is_off(closed, client):
    PioneerIndexSetting.objects.create(organization=county_of(closed.meeting.branch), enabled=False, weights={"attended": 5})
    assert member_years(members=[closed.a], year=YEAR)[closed.a.pk].pioneer is None
    client.force_login(closed.a.user)
    assert "先锋指数" not in client.get(reverse("dashboard:member_year", args=[closed.a.pk])).content.decode()
    assert "先锋指数" not in client.get(reverse("evaluations:determination", args=[closed.pk])).content.decode()


def test_the_pioneer_index_is_computed_from_the_published_weights(closed, client):
    county = county_of(closed.meeting.branch)
    PioneerIndexSetting.objects.create(
        organization=county, enabled=True, weights={"attended": 1, "service": 2, "answered": 3, "items_on_time": 5.5}
    )
    a = member_years(members=[closed.a], year=YEAR)[closed.a.pk]
    # 3 attended × 1 + 2 services × 2 + 1 answered × 3 + 1 on time × 5.5
    assert a.pioneer.total == Decimal("15.5")
    assert "参加三会一课和主题党日每次 1 分" in a.pioneer.rule.text and "整改事项按期销号每项 5.5 分" in a.pioneer.rule.text
    assert county.name in a.pioneer.rule.text

    client.force_login(closed.a.user)
    card = candidate_card(client.get(reverse("evaluations:determination", args=[closed.pk])).content.decode(), closed.a.name)
    assert "先锋指数：<strong>15.5</strong>" in card and "参加主题党日服务每次 2 分" in card
    page = client.get(reverse("dashboard:member_year", args=[closed.a.pk])).content.decode()
    assert ">15.5</p>" in page and "认领的意见已答复或解决每条 3 分" in page


def test_the_nearest_enabled_setting_wins(closed):
    branch = closed.meeting.branch
    PioneerIndexSetting.objects.create(organization=county_of(branch), enabled=True, weights={"attended": 1})
    PioneerIndexSetting.objects.create(organization=branch, enabled=True, weights={"attended": 10})
    assert member_years(members=[closed.a], year=YEAR)[closed.a.pk].pioneer.total == 30


def test_a_rule_with_no_weights_says_so():
    index = compute(rule=Rule(source="某县委", weights={}), facts={"attended": 4})
    assert index.total == 0 and "各项均不计分" in index.rule.text


def test_a_county_officer_turns_the_index_on_with_weights(closed, client):
    county = county_of(closed.meeting.branch)
    officer = Officer.objects.create(user=UserFactory(), organization=county, name="干部")
    client.force_login(officer.user)
    assert client.get(reverse("dashboard:pioneer_index_home")).url == reverse("dashboard:pioneer_index", args=[county.pk])
    url = reverse("dashboard:pioneer_index", args=[county.pk])
    assert client.get(url).status_code == 200
    data = {"enabled": "on", "attended": "1", "service": "2.5", "claimed": "0", "answered": "", "items_on_time": "4"}
    assert client.post(url, data).status_code == 302
    setting = PioneerIndexSetting.objects.get(organization=county)
    assert setting.enabled
    assert setting.weights == {"attended": 1, "service": 2.5, "claimed": 0, "answered": 0, "items_on_time": 4}
    assert "参加主题党日服务每次 2.5 分" in client.get(url).content.decode()
    # 3 × 1 + 2 × 2.5 + 1 × 4
    assert member_years(members=[closed.a], year=YEAR)[closed.a.pk].pioneer.total == 12


def test_it_refuses_weights_out_of_bounds(closed, client):
    county = county_of(closed.meeting.branch)
    client.force_login(Officer.objects.create(user=UserFactory(), organization=county, name="干部").user)
    url = reverse("dashboard:pioneer_index", args=[county.pk])
    response = client.post(url, {"enabled": "on", "attended": "-1"})
    assert response.status_code == 200 and not PioneerIndexSetting.objects.filter(organization=county).exists()


@pytest.mark.parametrize("viewer", ["secretary", "plain_member", "other_county_officer"])
def test_only_the_countys_officers_set_the_index(closed, build, client, viewer):
    county = county_of(closed.meeting.branch)
    users = {
        "secretary": closed.a.user,
        "plain_member": closed.b.user,
        "other_county_officer": Officer.objects.create(user=UserFactory(), organization=county_of(build.branch()), name="干部").user,
    }
    client.force_login(users[viewer])
    url = reverse("dashboard:pioneer_index", args=[county.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"enabled": "on", "attended": "9"}).status_code == 403
    assert not PioneerIndexSetting.objects.filter(organization=county).exists()


def test_the_index_is_set_on_a_county_only(closed, client):
    branch = closed.meeting.branch
    client.force_login(Officer.objects.create(user=UserFactory(), organization=county_of(branch), name="干部").user)
    assert client.get(reverse("dashboard:pioneer_index", args=[branch.pk])).status_code == 404
