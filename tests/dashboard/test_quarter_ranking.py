"""The quarterly work ranking (issue 18 item 5): scores and parts on known branches, movement, ties,
publication to a township's branches, permissions, the .xlsx and a query count that does not grow.

    测试县 ─┬─ 甲镇 ─┬─ 一支部  Q3: every 三会一课 unit held; 2025 meeting done; one item closed on time
            │        ├─ 二支部  Q3: two 支委会 missed; 2025 meeting: opinions only; one item closed late
            │        ├─ 三支部  nothing recorded
            │        └─ 五支部  nothing recorded (ties with 三支部)
            └─ 乙镇 ─── 四支部

The clock is tests.clock.NOW (2026-11-25, in Q4): Q3 2026 has ended, Q2 2026 is the quarter before it.
Without RhythmRules a branch without party groups owes per quarter 1 党员大会, 3 支委会, 1 党课, 3 主题党日.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import Activity, Kind, RankingPublication
from activities.rhythm import Quarter
from dashboard.quarter_ranking import (
    QuarterRow,
    overdue_on,
    quarter_ranking,
    ranking_publish,
    score_parts,
)
from evaluations.models import Evaluation
from meetings.models import Meeting, Opinion
from organizations.models import Officer, Organization
from rectification.models import RectificationItem
from rectification.selectors import with_overdue
from tests.clock import TODAY
from tests.organizations.factories import MemberFactory, UserFactory

D = dt.date


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def held(branch, kind, *days):
    for day in days:
        Activity.objects.create(branch=branch, kind=kind, held_on=day, topic="记录")


def full_quarter(branch, year: int, q: int, skip_committee: int = 0):
    """Every unit of a quarter held (1 党员大会, 3 支委会, 1 党课, 3 主题党日), but the last `skip_committee` 支委会."""
    start = Quarter(year, q).start
    months = [D(start.year, start.month + i, 10) for i in range(3)]
    held(branch, Kind.ASSEMBLY, months[1])
    held(branch, Kind.LECTURE, months[1])
    held(branch, Kind.COMMITTEE, *months[: 3 - skip_committee])
    held(branch, Kind.THEME_DAY, *[m.replace(day=20) for m in months])


def item(branch, deadline, closed_on=None, meeting=None, created=None):
    obj = RectificationItem.objects.create(
        branch=branch, meeting=meeting, title="整改事项", goal="目标", measures="措施", commitment="承诺",
        responsible=MemberFactory(branch=branch), deadline=deadline,
        status="closed" if closed_on else "in_progress", closed_at=at(closed_on) if closed_on else None,
    )
    if created:
        RectificationItem.objects.filter(pk=obj.pk).update(created_at=at(created))
    return obj


@dataclass
class Known:
    county: Organization
    t1: Organization
    t2: Organization
    b1: Organization
    b2: Organization
    b3: Organization
    b4: Organization
    b5: Organization


def build() -> Known:
    county = Organization.add_root(name="测试县", level=Organization.Level.COUNTY)
    t1 = county.add_child(name="甲镇", level=Organization.Level.TOWNSHIP)
    county.refresh_from_db()
    t2 = county.add_child(name="乙镇", level=Organization.Level.TOWNSHIP)
    branches = []
    for name in ("一支部", "二支部", "三支部"):
        t1.refresh_from_db()
        branches.append(t1.add_child(name=name, level=Organization.Level.BRANCH))
    b4 = t2.add_child(name="四支部", level=Organization.Level.BRANCH)
    t1.refresh_from_db()
    b5 = t1.add_child(name="五支部", level=Organization.Level.BRANCH)
    b1, b2, b3 = branches
    k = Known(county, t1, t2, b1, b2, b3, b4, b5)
    # 一支部: Q2 half of its units (4 of 8), Q3 all of them; the 2025 meeting done in January.
    held(b1, Kind.ASSEMBLY, D(2026, 5, 10))
    held(b1, Kind.COMMITTEE, D(2026, 4, 10), D(2026, 5, 10))
    held(b1, Kind.THEME_DAY, D(2026, 4, 20))
    full_quarter(b1, 2026, 3)
    m1 = Meeting.objects.create(branch=b1, year=2025, held_on=D(2026, 1, 10), closed_at=at(D(2026, 1, 10)))
    Opinion.objects.create(meeting=m1, received_on=D(2025, 12, 1), channel="box", text="意见建议一条")
    Evaluation.objects.create(meeting=m1, opens_at=at(D(2026, 1, 10), 9), closes_at=at(D(2026, 1, 10), 17),
                              determined_at=at(D(2026, 1, 12)))
    item(b1, D(2026, 8, 15), closed_on=D(2026, 8, 10), meeting=m1, created=D(2026, 1, 15))
    # 二支部: Q2 everything, Q3 two 支委会 missed; 2025 meeting with opinions, not held; an item closed late.
    full_quarter(b2, 2026, 2)
    full_quarter(b2, 2026, 3, skip_committee=2)
    m2 = Meeting.objects.create(branch=b2, year=2025, held_on=D(2026, 2, 1))
    Opinion.objects.create(meeting=m2, received_on=D(2025, 12, 5), channel="box", text="意见建议一条")
    item(b2, D(2026, 9, 10), closed_on=D(2026, 10, 5))
    full_quarter(b4, 2026, 3)
    return k


@pytest.fixture
def k(db) -> Known:
    return build()


def by_name(rows):
    return {r.name: r for r in rows}


# ---------------------------------------------------------------- the score
def test_it_scores_the_parts_on_known_numbers():
    row = QuarterRow(id=1, name="x", path="", rhythm_met=6, rhythm_missing=2, steps={"opinions": True, "held": True},
                     items_due=4, items_on_time=3, items_overdue=0)
    assert score_parts(row) == {"rhythm": Decimal("37.5"), "meeting": Decimal("15.0"), "rectification": Decimal("21.3")}


def test_it_gives_full_points_when_nothing_was_due():
    assert score_parts(QuarterRow(id=1, name="x", path="")) == {
        "rhythm": Decimal(50), "meeting": Decimal(0), "rectification": Decimal(25)}


def test_it_ranks_known_branches_with_their_parts(k):
    rows = quarter_ranking(node=k.t1, year=2026, quarter=3, today=TODAY)
    assert [(r.name, r.rank, r.score) for r in rows] == [
        ("一支部", 1, Decimal("100.0")), ("二支部", 2, Decimal("42.5")), ("三支部", 3, Decimal("25.0")),
        ("五支部", 3, Decimal("25.0")),
    ]
    one, two = by_name(rows)["一支部"], by_name(rows)["二支部"]
    assert (one.rhythm_met, one.rhythm_missing, one.rhythm_pending) == (8, 0, 0)
    assert one.steps == {"opinions": True, "held": True, "determined": True, "ledger": True}
    assert (one.items_due, one.items_on_time, one.items_overdue) == (1, 1, 0)
    assert two.parts == {"rhythm": Decimal("37.5"), "meeting": Decimal("5.0"), "rectification": Decimal("0.0")}
    assert (two.rhythm_met, two.rhythm_missing, two.missing_kinds) == (6, 2, [Kind.COMMITTEE])
    assert (two.items_due, two.items_on_time, two.items_overdue) == (1, 0, 1)


def test_it_shows_the_movement_since_the_previous_quarter(k):
    q2 = by_name(quarter_ranking(node=k.t1, year=2026, quarter=2, today=TODAY))
    assert (q2["二支部"].rank, q2["二支部"].score, q2["一支部"].rank, q2["一支部"].score) == (1, Decimal("80.0"), 2, Decimal("75.0"))
    q3 = by_name(quarter_ranking(node=k.t1, year=2026, quarter=3, today=TODAY))
    assert (q3["一支部"].previous_rank, q3["一支部"].movement) == (2, 1)
    assert (q3["二支部"].previous_rank, q3["二支部"].movement) == (1, -1)
    assert q3["三支部"].movement == 0
    assert q3["一支部"].previous_score == q2["一支部"].score


def test_ties_share_a_rank_in_tree_order(k):
    rows = quarter_ranking(node=k.t1, year=2026, quarter=3, today=TODAY)
    assert [(r.name, r.rank) for r in rows[2:]] == [("三支部", 3), ("五支部", 3)]


def test_it_ranks_only_the_branches_under_the_node(k):
    assert "四支部" not in by_name(quarter_ranking(node=k.t1, year=2026, quarter=3, today=TODAY))
    assert len(quarter_ranking(node=k.county, year=2026, quarter=3, today=TODAY)) == 5


def test_it_ranks_the_running_quarter_on_the_periods_that_have_ended(k):
    three = by_name(quarter_ranking(node=k.t1, year=2026, quarter=4, today=TODAY))["三支部"]
    # October's 支委会 and 主题党日 are missing; November, December and the quarter's own are still running.
    assert (three.rhythm_met, three.rhythm_missing, three.rhythm_pending) == (0, 2, 6)
    assert three.parts["rhythm"] == 0


def test_the_overdue_rule_as_of_today_is_rectifications(k):
    for deadline, closed in [(TODAY - dt.timedelta(days=3), None), (TODAY, None), (TODAY - dt.timedelta(days=9), TODAY),
                             (TODAY + dt.timedelta(days=5), None)]:
        item(k.b3, deadline, closed_on=closed)
    mine = set(RectificationItem.objects.filter(overdue_on(TODAY, TODAY)).values_list("pk", flat=True))
    theirs = set(with_overdue(RectificationItem.objects.all(), on=TODAY).filter(is_overdue=True).values_list("pk", flat=True))
    assert mine == theirs and len(mine) == 1


# ---------------------------------------------------------------- publication
def officer(node, username):
    user = UserFactory(username=username)
    Officer.objects.create(user=user, organization=node, name=username)
    return user


def member_user(branch, username):
    user = UserFactory(username=username)
    MemberFactory(branch=branch, user=user)
    return user


def test_it_publishes_an_ended_quarter_and_republishing_replaces_it(k):
    user = officer(k.t1, "zhen")
    first = ranking_publish(node=k.t1, year=2026, quarter=3, user=user, today=TODAY)
    assert [(r["name"], r["rank"], r["previous_rank"]) for r in first.rows][:2] == [("一支部", 1, 2), ("二支部", 2, 1)]
    assert first.rows[0]["parts"] == {"rhythm": "50.0", "meeting": "25.0", "rectification": "25.0"}
    held(k.b3, Kind.COMMITTEE, D(2026, 7, 10))  # recorded late
    second = ranking_publish(node=k.t1, year=2026, quarter=3, user=user, today=TODAY)
    assert RankingPublication.objects.filter(organization=k.t1).count() == 1
    assert second.pk == first.pk
    assert by_name([QuarterRow.from_json(r) for r in second.rows])["三支部"].rhythm_met == 1


def test_it_refuses_a_running_quarter_and_a_node_other_than_a_township(k):
    with pytest.raises(ValidationError):
        ranking_publish(node=k.t1, year=2026, quarter=4, user=None, today=TODAY)
    with pytest.raises(ValidationError):
        ranking_publish(node=k.county, year=2026, quarter=3, user=None, today=TODAY)
    assert not RankingPublication.objects.exists()


def test_the_officer_publishes_from_the_page(k, client):
    client.force_login(officer(k.t1, "zhen"))
    response = client.post(reverse("dashboard:quarter_ranking_publish"), {"org": k.t1.pk, "year": 2026, "quarter": 3})
    assert response.status_code == 302
    publication = RankingPublication.objects.get(organization=k.t1, year=2026, quarter=3)
    assert publication.rows[0]["branch"] == k.b1.pk
    page = client.get(reverse("dashboard:quarter_ranking"), {"org": k.t1.pk, "year": 2026, "quarter": 3})
    assert "重新发布" in page.content.decode()


def test_the_page_does_not_publish_a_running_quarter(k, client):
    client.force_login(officer(k.t1, "zhen"))
    client.post(reverse("dashboard:quarter_ranking_publish"), {"org": k.t1.pk, "year": 2026, "quarter": 4})
    assert not RankingPublication.objects.exists()


def test_the_townships_branches_see_the_published_ranking(k, client):
    ranking_publish(node=k.t1, year=2026, quarter=3, user=None, today=TODAY)
    client.force_login(member_user(k.b2, "m2"))
    response = client.get(reverse("dashboard:quarter_published", args=[k.b2.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "一支部" in html and "第 2 名" in html
    assert response.context["mine"].id == k.b2.pk and response.context["mine"].movement == -1


def test_another_townships_branch_does_not_see_it(k, client):
    ranking_publish(node=k.t1, year=2026, quarter=3, user=None, today=TODAY)
    client.force_login(member_user(k.b4, "m4"))
    assert client.get(reverse("dashboard:quarter_published", args=[k.b1.pk])).status_code == 403
    own = client.get(reverse("dashboard:quarter_published", args=[k.b4.pk]))
    assert own.status_code == 200
    assert own.context["chosen"] is None and "一支部" not in own.content.decode()


def test_branches_see_nothing_before_publication(k, client):
    client.force_login(member_user(k.b1, "m1"))
    response = client.get(reverse("dashboard:quarter_published", args=[k.b1.pk]))
    assert response.status_code == 200 and response.context["rows"] == []


# ---------------------------------------------------------------- the officer's page and its export
def test_the_page_lists_the_ranking_with_filters(k, client):
    client.force_login(officer(k.t1, "zhen"))
    url = reverse("dashboard:quarter_ranking")
    response = client.get(url, {"org": k.t1.pk, "year": 2026, "quarter": 3})
    assert response.status_code == 200
    assert [r.name for r in response.context["page"]] == ["一支部", "二支部", "三支部", "五支部"]
    up = client.get(url, {"org": k.t1.pk, "year": 2026, "quarter": 3, "show": "up"})
    assert [r.name for r in up.context["page"]] == ["一支部"]
    found = client.get(url, {"org": k.t1.pk, "year": 2026, "quarter": 3, "q": "二"})
    assert [r.name for r in found.context["page"]] == ["二支部"]


def test_the_page_defaults_to_the_last_ended_quarter(k, client):
    client.force_login(officer(k.t1, "zhen"))
    response = client.get(reverse("dashboard:quarter_ranking"), {"org": k.t1.pk})
    assert response.context["quarter"] == Quarter(2026, 3)
    future = client.get(reverse("dashboard:quarter_ranking"), {"org": k.t1.pk, "year": 2027, "quarter": 1})
    assert future.status_code == 200 and future.context["quarter"] == Quarter(2026, 3)


def test_the_xlsx_opens_with_openpyxl(k, client):
    client.force_login(officer(k.t1, "zhen"))
    response = client.get(reverse("dashboard:quarter_ranking_export"), {"org": k.t1.pk, "year": 2026, "quarter": 3})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("排名", "党支部", "上级组织", "得分")
    assert rows[1][:2] == (1, "一支部") and rows[2][:2] == (2, "二支部")
    assert rows[1][4:7] == (50, 25, 25)
    assert len(rows) == 5


ROLES = ["officer_t1", "officer_t2", "officer_county", "member_b1", "member_b4", "anonymous"]
EXPECTED = {
    "ranking": {"officer_t1": 200, "officer_t2": 403, "officer_county": 200, "member_b1": 403, "member_b4": 403, "anonymous": 302},
    "export": {"officer_t1": 200, "officer_t2": 403, "officer_county": 200, "member_b1": 403, "member_b4": 403, "anonymous": 302},
    "publish": {"officer_t1": 302, "officer_t2": 403, "officer_county": 302, "member_b1": 403, "member_b4": 403, "anonymous": 302},
    "published": {"officer_t1": 200, "officer_t2": 403, "officer_county": 200, "member_b1": 200, "member_b4": 403, "anonymous": 302},
}


@pytest.mark.parametrize("page", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_permissions(k, client, page, role):
    users = {"officer_t1": lambda: officer(k.t1, "a"), "officer_t2": lambda: officer(k.t2, "b"),
             "officer_county": lambda: officer(k.county, "c"), "member_b1": lambda: member_user(k.b1, "d"),
             "member_b4": lambda: member_user(k.b4, "e"), "anonymous": lambda: None}
    user = users[role]()
    if user is not None:
        client.force_login(user)
    query = {"org": k.t1.pk, "year": 2026, "quarter": 3}
    if page == "ranking":
        response = client.get(reverse("dashboard:quarter_ranking"), query)
    elif page == "export":
        response = client.get(reverse("dashboard:quarter_ranking_export"), query)
    elif page == "publish":
        response = client.post(reverse("dashboard:quarter_ranking_publish"), query)
    else:
        response = client.get(reverse("dashboard:quarter_published", args=[k.b1.pk]))
    assert response.status_code == EXPECTED[page][role]
    published = RankingPublication.objects.filter(organization=k.t1).exists()
    assert published == (page == "publish" and EXPECTED[page][role] == 302 and role != "anonymous")


# ---------------------------------------------------------------- queries
def township_of_size(n: int, tag: str) -> Organization:
    """A township of n branches, each with a few activities (some with party groups), a meeting with an
    opinion and an evaluation, and rectification items."""
    county = Organization.add_root(name=f"{tag}县", level=Organization.Level.COUNTY)
    town = county.add_child(name=f"{tag}镇", level=Organization.Level.TOWNSHIP)
    for i in range(n):
        town.refresh_from_db()
        branch = town.add_child(name=f"{tag}第{i}支部", level=Organization.Level.BRANCH)
        if i % 3 == 0:
            group = branch.add_child(name="第一党小组", level=Organization.Level.GROUP)
            Activity.objects.create(branch=branch, kind=Kind.GROUP, party_group=group, held_on=D(2026, 8, 3), topic="小组会")
        full_quarter(branch, 2026, 3, skip_committee=i % 3)
        held(branch, Kind.THEME_DAY, D(2026, 5, 20))
        meeting = Meeting.objects.create(branch=branch, year=2025, held_on=D(2026, 1, 10), closed_at=at(D(2026, 1, 10)))
        Opinion.objects.create(meeting=meeting, received_on=D(2025, 12, 1), channel="box", text="意见建议一条")
        Evaluation.objects.create(meeting=meeting, opens_at=at(D(2026, 1, 10), 9), closes_at=at(D(2026, 1, 10), 17),
                                  determined_at=at(D(2026, 1, 12)) if i % 2 else None)
        item(branch, D(2026, 8, 1 + i), closed_on=D(2026, 8, 5) if i % 2 else None, meeting=meeting)
    town.refresh_from_db()
    return town


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_the_ranking_takes_six_queries_for_3_and_12_branches(db):
    small, large = township_of_size(3, "小"), township_of_size(12, "大")
    counts = [queries_of(lambda t=t: quarter_ranking(node=t, year=2026, quarter=3, today=TODAY)) for t in (small, large)]
    assert counts == [6, 6]
    assert len(quarter_ranking(node=large, year=2026, quarter=3, today=TODAY)) == 12


def test_the_pages_take_the_same_queries_for_3_and_12_branches(db, client, still_clock):
    def page_queries(town) -> tuple[int, int, int]:
        client.force_login(officer(town, f"officer{town.pk}"))
        query = {"org": town.pk, "year": 2026, "quarter": 3}
        ranking_publish(node=town, year=2026, quarter=3, user=None, today=TODAY)
        client.get(reverse("dashboard:quarter_ranking"), query)  # the session is set up once
        branch = Organization.objects.filter(path__startswith=town.path, level=Organization.Level.BRANCH).first()
        return (
            queries_of(lambda: client.get(reverse("dashboard:quarter_ranking"), query)),
            queries_of(lambda: client.get(reverse("dashboard:quarter_ranking_export"), query)),
            queries_of(lambda: client.get(reverse("dashboard:quarter_published", args=[branch.pk]))),
        )

    assert page_queries(township_of_size(3, "小")) == page_queries(township_of_size(12, "大"))
