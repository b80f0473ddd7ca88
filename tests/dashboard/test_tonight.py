"""Many branches the same evening (issue 17 item 7): the officer's live turnout page and its JSON.

The tree:  测试县 ─┬─ 甲镇 ─── 甲镇第1…n支部 (4 members each)
                  └─ 乙镇 ─── 乙镇支部
The clock is tests.clock.NOW (2026-11-25 10:00, Asia/Shanghai); evaluations are laid out around it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.tonight import needs_warning
from evaluations import services
from evaluations.models import Candidate, Evaluation, Grade, Status, Voter
from evaluations.services import BallotContent
from meetings.models import Attendance, Meeting
from organizations.models import Member, Officer, Organization
from tests.organizations.factories import MemberFactory, UserFactory

HOUR = dt.timedelta(hours=1)


@dataclass
class Evening:
    county: Organization
    town_a: Organization
    town_b: Organization
    branches_a: list[Organization] = field(default_factory=list)
    branch_b: Organization | None = None
    users: dict[str, object] = field(default_factory=dict)


def members_of(branch: Organization, n: int = 4) -> list[Member]:
    return [MemberFactory(branch=branch, committee_post="secretary" if i == 0 else "") for i in range(n)]


def evaluation_of(branch: Organization, *, opens: dt.datetime | None = None, closes: dt.datetime | None = None,
                  members: list[Member] | None = None, attended: int | None = None) -> Evaluation:
    """An evaluation of a meeting held the day it opens (an hour ago, closing in two hours by default);
    the first `attended` members are on the roll as present / remote / late, the others on leave."""
    members = members if members is not None else list(Member.objects.filter(branch=branch).order_by("pk"))
    now = timezone.now()
    opens = opens or now - HOUR
    # The vote follows the meeting: it opens on the meeting's day or later.
    meeting = Meeting.objects.create(branch=branch, year=2026, kind=Meeting.Kind.ANNUAL,
                                     held_on=timezone.localdate(opens), starts_at=dt.time(9))
    evaluation = services.evaluation_create(meeting=meeting, opens_at=opens, closes_at=closes or now + 2 * HOUR,
                                            candidates=members, voters=members)
    if attended is not None:
        statuses = [*Attendance.ATTENDED] * len(members)
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=m, status=statuses[i] if i < attended else "leave",
                       reason="" if i < attended else "病假")
            for i, m in enumerate(members)
        )
    return evaluation


def vote(evaluation: Evaluation, n: int, *, excellent: bool = True) -> None:
    """n members cast online ballots (the first candidate 优秀, the others 合格), through the service."""
    candidates = list(Candidate.objects.filter(evaluation=evaluation).order_by("pk"))
    grades = {c.pk: Grade.EXCELLENT if excellent and i == 0 else Grade.QUALIFIED for i, c in enumerate(candidates)}
    voters = Voter.objects.filter(evaluation=evaluation, channel="").select_related("member").order_by("pk")[:n]
    for voter in voters:
        services.ballot_cast(evaluation=evaluation, member=voter.member,
                             content=BallotContent(grades=grades, committee_grade="good"))


def set_times(evaluation: Evaluation, *, opens: dt.datetime, closes: dt.datetime) -> None:
    """Move the voting window (after the ballots were cast while it was open)."""
    Evaluation.objects.filter(pk=evaluation.pk).update(opens_at=opens, closes_at=closes)


def branch_in(town: Organization, name: str) -> Organization:
    town.refresh_from_db()  # treebeard places a child after the parent's current children
    branch = town.add_child(name=name, level=Organization.Level.BRANCH)
    members_of(branch)
    return branch


def build_evening(branches: int = 2) -> Evening:
    county = Organization.add_root(name="测试县", level=Organization.Level.COUNTY)
    town_a = county.add_child(name="甲镇", level=Organization.Level.TOWNSHIP)
    county.refresh_from_db()
    town_b = county.add_child(name="乙镇", level=Organization.Level.TOWNSHIP)
    e = Evening(county=county, town_a=town_a, town_b=town_b)
    e.branches_a = [branch_in(town_a, f"甲镇第{i + 1}支部") for i in range(branches)]
    e.branch_b = branch_in(town_b, "乙镇支部")
    for key, org in (("county", county), ("town_a", town_a), ("town_b", town_b)):
        e.users[key] = UserFactory()
        Officer.objects.create(user=e.users[key], organization=org, name=f"{org.name}干部")
    secretary, member = Member.objects.filter(branch=e.branches_a[0]).order_by("pk")[:2]
    for key, m in (("secretary", secretary), ("member", member)):
        m.user = UserFactory()
        m.save(update_fields=["user"])
        e.users[key] = m.user
    return e


@pytest.fixture
def evening(db) -> Evening:
    return build_evening()


def rows(response) -> list:
    return response.context["board"].rows


# ---------------------------------------------------------------- access
TONIGHT_URLS = ["dashboard:tonight", "dashboard:tonight_json"]


@pytest.mark.parametrize("url_name", TONIGHT_URLS)
@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        ("county", None, 200), ("county", "town_a", 200), ("county", "branch_a", 200),
        ("town_a", None, 200), ("town_a", "branch_a", 200), ("town_a", "county", 403), ("town_a", "town_b", 403),
        ("town_b", None, 200), ("town_b", "town_a", 403), ("town_b", "branch_a", 403),
        ("secretary", None, 403), ("member", None, 403), ("secretary", "branch_a", 403),
        (None, None, 302),
    ],
)
def test_it_allows_officers_over_the_node_only(evening, client, url_name, role, target, expected):
    orgs = {"county": evening.county, "town_a": evening.town_a, "town_b": evening.town_b,
            "branch_a": evening.branches_a[0]}
    if role:
        client.force_login(evening.users[role])
    response = client.get(reverse(url_name), {"org": orgs[target].pk} if target else {})
    assert response.status_code == expected


def test_it_answers_404_for_a_node_that_does_not_exist(evening, client):
    client.force_login(evening.users["county"])
    assert client.get(reverse("dashboard:tonight"), {"org": 999999}).status_code == 404


def test_it_shows_an_officer_only_the_branches_under_their_node(evening, client):
    evaluation_of(evening.branches_a[0])
    evaluation_of(evening.branch_b)
    client.force_login(evening.users["town_b"])
    response = client.get(reverse("dashboard:tonight"))
    page = response.content.decode()
    assert response.status_code == 200
    assert [r.branch_name for r in rows(response)] == ["乙镇支部"]
    assert "乙镇支部" in page and "甲镇第1支部" not in page
    data = client.get(reverse("dashboard:tonight_json")).json()
    assert [r["branch"] for r in data["rows"]] == [evening.branch_b.pk]


def test_the_county_sees_every_township_and_drills_down(evening, client):
    evaluation_of(evening.branches_a[0])
    evaluation_of(evening.branch_b)
    client.force_login(evening.users["county"])
    everything = client.get(reverse("dashboard:tonight"))
    assert sorted(r.branch_name for r in rows(everything)) == ["乙镇支部", "甲镇第1支部"]
    # The township under each branch's name, linked to the branch's own dashboard.
    assert [r.parent_name for r in sorted(rows(everything), key=lambda r: r.branch_name)] == ["乙镇", "甲镇"]
    assert f'{reverse("dashboard:index")}?org={evening.branch_b.pk}"' in everything.content.decode()
    town = client.get(reverse("dashboard:tonight"), {"org": evening.town_a.pk})
    assert [r.branch_name for r in rows(town)] == ["甲镇第1支部"]
    assert [r.parent_name for r in rows(town)] == [""]  # the township heads the page


def test_the_dashboard_links_to_it(evening, client, no_cache):
    client.force_login(evening.users["town_a"])
    page = client.get(reverse("dashboard:index")).content.decode()
    assert f'{reverse("dashboard:tonight")}?org={evening.town_a.pk}' in page


# ---------------------------------------------------------------- which evaluations, and the numbers
def test_it_counts_attended_voters_and_voted(evening, client):
    evaluation = evaluation_of(evening.branches_a[0], attended=3)
    vote(evaluation, 2)
    client.force_login(evening.users["town_a"])
    response = client.get(reverse("dashboard:tonight"))
    (row,) = rows(response)
    assert (row.status, row.attended, row.voters, row.voted, str(row.percent)) == (Status.OPEN, 3, 4, 2, "50.0")
    page = response.content.decode()
    assert 'data-field="voted">2<' in page and 'data-field="voters">4<' in page and 'data-field="attended">3<' in page
    assert 'value="50.0"' in page and "投票中" in page


def test_it_shows_no_attendance_when_none_was_recorded(evening, client):
    evaluation_of(evening.branches_a[0])
    client.force_login(evening.users["town_a"])
    response = client.get(reverse("dashboard:tonight"))
    assert rows(response)[0].attended is None
    assert 'data-field="attended">—<' in response.content.decode()


def test_it_lists_today_and_now_only(evening, client):
    now = timezone.now()
    a1 = evening.branches_a[0]
    a2, a3, a4 = (branch_in(evening.town_a, f"甲镇第{i}支部") for i in (3, 4, 5))
    evaluation_of(a1, opens=now + 9 * HOUR, closes=now + 11 * HOUR)  # tonight at 19:00: listed, not started
    evaluation_of(evening.branches_a[1], opens=now - 50 * HOUR, closes=now + 30 * HOUR)  # open for days: listed
    evaluation_of(a2, opens=now - 30 * HOUR, closes=now - 11 * HOUR)  # closed yesterday at 23:00
    evaluation_of(a3, opens=now + 15 * HOUR, closes=now + 17 * HOUR)  # tomorrow at 01:00
    evaluation_of(a4, opens=now - 30 * HOUR, closes=now - 2 * HOUR)  # opened yesterday, closed this morning
    client.force_login(evening.users["town_a"])
    listed = {r.branch_name: r.status for r in rows(client.get(reverse("dashboard:tonight")))}
    assert listed == {"甲镇第1支部": Status.SCHEDULED, "甲镇第2支部": Status.OPEN, "甲镇第5支部": Status.CLOSED}


def test_it_puts_open_first_lowest_turnout_first(evening, client):
    now = timezone.now()
    branches = [*evening.branches_a, *(branch_in(evening.town_a, f"甲镇第{i}支部") for i in (3, 4))]
    high, low, closed, later = (evaluation_of(b) for b in branches)
    vote(high, 3)
    vote(low, 1)
    vote(closed, 1)
    set_times(closed, opens=now - 3 * HOUR, closes=now - HOUR)
    set_times(later, opens=now + 8 * HOUR, closes=now + 10 * HOUR)
    client.force_login(evening.users["town_a"])
    response = client.get(reverse("dashboard:tonight"))
    assert [(r.branch_name, r.voted) for r in rows(response)] == [
        ("甲镇第2支部", 1), ("甲镇第1支部", 3), ("甲镇第4支部", 0), ("甲镇第3支部", 1),
    ]
    totals = response.context["board"].totals
    assert (totals.branches, totals.voting, totals.voted, totals.voters, str(totals.percent)) == (4, 2, 5, 16, "31.3")
    assert "合计：<span data-total=\"voting\">2</span> 个支部正在投票" in response.content.decode()


def test_it_warns_below_two_thirds_when_closed_or_closing_soon(evening, client):
    now = timezone.now()
    soon, later = evaluation_of(evening.branches_a[0]), evaluation_of(evening.branches_a[1])
    vote(soon, 2)
    vote(later, 1)
    set_times(soon, opens=now - HOUR, closes=now + dt.timedelta(minutes=20))
    client.force_login(evening.users["town_a"])
    response = client.get(reverse("dashboard:tonight"))
    assert {r.branch_name: r.warning for r in rows(response)} == {"甲镇第1支部": True, "甲镇第2支部": False}
    assert response.context["board"].totals.warnings == 1
    assert response.content.decode().count('class="badge text-bg-danger" data-field="warning"') == 1


@pytest.mark.parametrize(
    ("status", "closes_in", "voted", "voters", "warn"),
    [
        (Status.OPEN, 20, 2, 4, True),  # closing in 20 minutes at 50%
        (Status.OPEN, 30, 2, 4, True),
        (Status.OPEN, 31, 2, 4, False),  # not closing yet
        (Status.CLOSED, -5, 5, 8, True),  # 62.5%
        (Status.CLOSED, -5, 2, 3, False),  # exactly two thirds
        (Status.CLOSED, -5, 19, 28, False),  # 67.9%
        (Status.CLOSED, -5, 18, 28, True),  # 64.3%
        (Status.CLOSED, -5, 0, 0, False),  # nobody on the roster: nothing to warn about
        (Status.SCHEDULED, 120, 0, 4, False),
    ],
)
def test_the_warning_rule(status, closes_in, voted, voters, warn):
    now = timezone.now()
    closes = now + dt.timedelta(minutes=closes_in)
    assert needs_warning(status=status, closes_at=closes, now=now, voted=voted, voters=voters) is warn


# ---------------------------------------------------------------- no result leaks
def test_it_shows_no_grade_while_voting(evening, client):
    evaluation = evaluation_of(evening.branches_a[0], attended=4)
    vote(evaluation, 3)
    assert evaluation.marks.filter(grade=Grade.EXCELLENT).count() == 3  # the ballots are there
    client.force_login(evening.users["town_a"])
    page = client.get(reverse("dashboard:tonight")).content.decode()
    board = page[page.index('id="tonight"'):page.index("</section>")]
    raw = client.get(reverse("dashboard:tonight_json")).content.decode()
    for text in (board, raw):
        for label in (*Grade.labels, *Grade.values, "grade", "ballot", "好", "较好"):
            assert str(label) not in text, label
    data = json.loads(raw)
    assert set(data["rows"][0]) == {"id", "branch", "status", "status_label", "in_room", "attended", "voters", "voted",
                                    "percent", "warning"}


# ---------------------------------------------------------------- the JSON endpoint
def test_the_json_gives_the_numbers_in_the_page_order(evening, client):
    first, second = evaluation_of(evening.branches_a[0], attended=4), evaluation_of(evening.branches_a[1])
    Evaluation.objects.filter(pk=first.pk).update(in_room=True)
    vote(first, 4, excellent=False)
    vote(second, 1)
    client.force_login(evening.users["town_a"])
    response = client.get(reverse("dashboard:tonight_json"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert [(r["id"], r["in_room"], r["attended"], r["voted"], r["voters"], r["percent"], r["status"], r["warning"])
            for r in data["rows"]] == [
        (second.pk, False, None, 1, 4, "25.0", "open", False),
        (first.pk, True, 4, 4, 4, "100.0", "open", False),
    ]
    assert data["rows"][0]["status_label"] == "投票中"
    assert data["totals"] == {"branches": 2, "voting": 2, "voters": 8, "voted": 5, "percent": "62.5", "warnings": 0}
    assert re.fullmatch(r"\d\d:\d\d:\d\d", data["updated"])


def test_the_page_refreshes_itself_and_works_without_script(evening, client):
    client.force_login(evening.users["town_a"])
    page = client.get(reverse("dashboard:tonight"), {"org": evening.town_a.pk}).content.decode()
    assert f'data-json-url="{reverse("dashboard:tonight_json")}?org={evening.town_a.pk}"' in page
    assert "js/dashboard_tonight.js" in page
    assert f'href="{reverse("dashboard:tonight")}?org={evening.town_a.pk}">刷新</a>' in page
    assert "今天没有正在进行或安排的民主评议。" in page


# ---------------------------------------------------------------- constant queries
def township_with(county: Organization, name: str, branches: int) -> Organization:
    county.refresh_from_db()
    town = county.add_child(name=name, level=Organization.Level.TOWNSHIP)
    for i in range(branches):
        town.refresh_from_db()
        branch = town.add_child(name=f"{name}第{i + 1}支部", level=Organization.Level.BRANCH)
        evaluation = evaluation_of(branch, members=members_of(branch, 3), attended=2)
        vote(evaluation, i % 3, excellent=False)
        Evaluation.objects.filter(pk=evaluation.pk).update(in_room=bool(i % 2))
    return town


def test_the_query_count_does_not_grow_with_the_branches(evening, client, still_clock):
    small = township_with(evening.county, "两支部镇", 2)
    large = township_with(evening.county, "十二支部镇", 12)
    client.force_login(evening.users["county"])
    counts = {}
    for url_name in TONIGHT_URLS:
        for town, n in ((small, 2), (large, 12)):
            url, query = reverse(url_name), {"org": town.pk}
            client.get(url, query)  # the session is set up once
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, query)
            assert response.status_code == 200
            assert len(response.context["board"].rows if url_name == "dashboard:tonight" else response.json()["rows"]) == n
            counts[(url_name, n)] = len(captured)
    assert counts[("dashboard:tonight", 2)] == counts[("dashboard:tonight", 12)]
    assert counts[("dashboard:tonight_json", 2)] == counts[("dashboard:tonight_json", 12)]
    # The evaluations and all their counts in one query.
    evaluation_queries = [q for q in captured.captured_queries if "evaluations_evaluation" in q["sql"]]
    assert len(evaluation_queries) == 1


# ---------------------------------------------------------------- in a real browser
@pytest.mark.browser
def test_the_page_refreshes_its_numbers_on_a_phone(transactional_db, live_server, client, browser):
    from playwright.sync_api import expect

    e = build_evening()
    evaluation = evaluation_of(e.branches_a[0], attended=4)
    client.force_login(e.users["town_a"])
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = ctx.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}{reverse('dashboard:tonight')}")
    row = page.locator(f'tr[data-evaluation="{evaluation.pk}"]')
    expect(row.locator('[data-field="voted"]')).to_have_text("0")
    vote(evaluation, 3)
    # The script asks every 15 seconds; the numbers change in place, without a reload.
    expect(row.locator('[data-field="voted"]')).to_have_text("3", timeout=25000)
    expect(row.locator('[data-field="percent"]')).to_have_text("75.0%")
    expect(page.locator('[data-total="voted"]')).to_have_text("3")
    assert row.locator("progress").evaluate("p => p.value") == 75
    assert refused == []
    page.goto("about:blank")
    ctx.close()
