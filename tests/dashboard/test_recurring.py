"""The recurring-problems page (issue 20 item 4): counts by branch, theme and child node, names only for one
branch, 整改不到位, the 约谈督促 flag, the .xlsx, who may see it, and a query count that does not grow."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboard import scale
from dashboard.recurring import Counts, needs_talk
from meetings.models import Meeting
from organizations.models import Officer, Organization
from rectification import services
from rectification.models import Problem
from rectification.services import ProblemEntry
from tests.organizations.factories import MemberFactory, UserFactory

URL = reverse("dashboard:recurring")
EXPORT = reverse("dashboard:recurring_export")

# (branch key, member key, year, text, close the item that answers it?)
LISTS = [
    ("b1", "甲", 2024, "理论学习不够深入，满足于读文件", True),
    ("b1", "甲", 2025, "政治理论学习系统性不强，停留在读原文", True),
    ("b1", "甲", 2026, "学习浅尝辄止，学用脱节", False),
    ("b1", "乙", 2025, "下村入户少，对群众反映的问题跟进不及时", True),
    ("b1", "乙", 2026, "走访群众走马观花，很少到群众家中拉家常", False),
    ("b1", "乙", 2026, "廉洁自律意识不够强，对身边小节问题警惕不够", False),
    ("b2", "丙", 2025, "工作标准不高，存在应付思想", False),
    ("b2", "丙", 2026, "廉洁自律意识不够强，收受过服务对象的土特产", False),
]


@pytest.fixture
def tree(db):
    county = Organization.add_root(name="复发县委", level=Organization.Level.COUNTY)
    town = county.add_child(name="复发镇", level=Organization.Level.TOWNSHIP)
    b1 = town.add_child(name="复发一支部", level=Organization.Level.BRANCH)
    town.refresh_from_db()
    b2 = town.add_child(name="复发二支部", level=Organization.Level.BRANCH)
    t = {"county": county, "town": town, "b1": b1, "b2": b2}
    t["书记"] = MemberFactory(branch=b1, name="书记甲", committee_post="secretary", user=UserFactory())
    t["甲"] = MemberFactory(branch=b1, name="党员甲", user=UserFactory())
    t["乙"] = MemberFactory(branch=b1, name="党员乙")
    t["丙"] = MemberFactory(branch=b2, name="党员丙")
    t["书记二"] = MemberFactory(branch=b2, name="书记二", committee_post="secretary", user=UserFactory())
    t["officer"] = UserFactory()
    Officer.objects.create(user=t["officer"], organization=county, name="干部")
    other = Organization.add_root(name="别县委", level=Organization.Level.COUNTY)
    t["outsider"] = UserFactory()
    Officer.objects.create(user=t["outsider"], organization=other, name="外县干部")
    # each year's list is built when its meeting closes, in order, as meetings.services.meeting_close does
    for year in (2024, 2025, 2026):
        for key in ("b1", "b2"):
            rows = [(m, text, close) for b, m, y, text, close in LISTS if b == key and y == year]
            if not rows:
                continue
            meeting = Meeting.objects.create(branch=t[key], year=year, kind=Meeting.Kind.ANNUAL,
                                             held_on=timezone.localdate().replace(year=year, month=1, day=10))
            entries = [ProblemEntry(member_id=t[m].pk, text=text, source_kind="self_review", source_id=n)
                       for n, (m, text, _c) in enumerate(rows, start=1)]
            services.problem_list_build(meeting=meeting, entries=entries)
            for m, text, close in rows:
                if close:
                    item = services.item_create(
                        branch=t[key], meeting=meeting, problems=[Problem.objects.get(meeting=meeting, text=text)],
                        title=text[:20], goal="清零", measures="每周学习", responsible=t[m],
                        deadline=meeting.held_on.replace(month=6), commitment="按期完成", actor=t["officer"],
                    )
                    services.item_submit(item=item, actor=t["officer"], note="已完成")
                    services.rectification_item_close(item=item, actor=t["officer"])
    return t


def test_it_counts_what_came_back_for_the_county_without_names(client, tree):
    client.force_login(tree["officer"])
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.totals.problems, board.totals.recurred, board.totals.running2, board.totals.running3) == (4, 2, 2, 1)
    assert board.totals.not_fixed == 2 and board.totals.members == 2 and board.totals.flagged == 1
    rows = {r.name: r for r in board.rows}
    assert rows["复发一支部"].flag and not rows["复发二支部"].flag
    assert set(rows["复发一支部"].recurring_themes) == {"工作作风", "理论学习"}  # 走马观花: the rule says 作风
    themes = {t.theme: t for t in board.themes}
    assert (themes["study"].counts.running3, themes["study"].branches3) == (1, 1)
    assert [c.counts.recurred for c in board.children] == [2]  # the township, for the drill-down
    html = response.content.decode()
    assert "党员甲" not in html and "党员乙" not in html  # the county sees counts
    assert "（不显示姓名）" in html and f"?org={tree['town'].pk}" in html


def test_an_officer_who_opens_one_branch_sees_names_and_what_was_not_fixed(client, tree):
    client.force_login(tree["officer"])
    response = client.get(URL, {"org": tree["b1"].pk, "year": 2026})
    board = response.context["board"]
    assert board.names and [m.name for m in board.members] == ["党员甲", "党员乙"]  # three years running first
    assert {row.problem.member.name for row in board.not_fixed} == {"党员甲", "党员乙"}
    html = response.content.decode()
    assert 'data-testid="not-fixed"' in html and "销号" in html and "党员甲" in html


def test_a_branch_secretary_lands_on_their_own_branch(client, tree):
    user = tree["书记"].user
    client.force_login(user)
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200 and response.context["node"] == tree["b1"]
    assert response.context["board"].names


def test_the_talk_filter_and_the_export_list_the_flagged_branch(client, tree):
    client.force_login(tree["officer"])
    response = client.get(URL, {"year": 2026, "show": "talk"})
    assert [r.name for r in response.context["page"]] == ["复发一支部"]
    export = client.get(EXPORT, {"year": 2026})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in values if r and r[0] == "党支部")
    line = next(r for r in values if r and r[0] == "复发一支部")
    assert line[header.index("连续三年")] == 1 and line[header.index("建议约谈督促")] == "是"


def test_a_bad_year_is_said_and_the_default_shown(client, tree):
    client.force_login(tree["officer"])
    response = client.get(URL, {"year": "1999"}, follow=True)
    assert response.status_code == 200 and response.context["board"].year == 2026
    assert "所选年度没有组织生活会" in response.content.decode()


@pytest.mark.parametrize(
    "who, org, expected",
    [
        ("officer", "b1", 200),
        ("officer", "county", 200),
        ("书记", "b1", 200),
        ("书记", "b2", 403),  # another branch's secretary
        ("书记", "town", 403),
        ("甲", "b1", 403),  # an ordinary member
        ("outsider", "county", 403),  # an officer of another county
        ("书记二", "b1", 403),
        ("officer", None, 200),
        ("甲", None, 403),
    ],
)
def test_who_may_open_it(client, tree, who, org, expected):
    user = tree[who] if who in ("officer", "outsider") else tree[who].user
    client.force_login(user)
    params = {"org": tree[org].pk} if org else {}
    assert client.get(URL, params).status_code == expected
    assert client.get(EXPORT, params).status_code == expected


def test_it_404s_for_a_node_that_does_not_exist_and_asks_anonymous_to_log_in(client, tree):
    assert client.get(URL).status_code == 302
    client.force_login(tree["officer"])
    assert client.get(URL, {"org": 999999}).status_code == 404


def test_the_flag_rule():
    assert needs_talk(Counts(running3=1))
    assert needs_talk(Counts(not_fixed=2))
    assert not needs_talk(Counts(recurred=5, running2=5, not_fixed=1))


# ---------------------------------------------------------------- the same queries for 10 and 100 branches
YEAR = 2026


def _county(branches: int, client):
    county, season = scale.build(name=f"{branches}支部复发县", branches=branches, members=8 * branches, year=YEAR,
                                 seed=branches, officer_username=None)
    user = UserFactory()
    Officer.objects.create(user=user, organization=county.county, name="干部")
    client.force_login(user)
    return county.county, season


def _queries(client, county) -> tuple[int, int]:
    township = Organization.objects.filter(path__startswith=county.path, depth=county.depth + 1).first()
    counts = []
    for node in (county, township):
        client.get(URL, {"org": node.pk, "year": YEAR})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"org": node.pk, "year": YEAR})
        assert response.status_code == 200
        counts.append(len(captured))
    return tuple(counts)


# session, user, the officer's authenticator, the actor, the ?org= node, the years, then dashboard.recurring's
# five reads (tree, branch × theme, 整改不到位, members per branch, the top members); a township adds its
# breadcrumb.
RECURRING_QUERIES = 11


def test_it_runs_the_same_queries_for_10_and_100_branches(db, client, still_clock):
    county, season = _county(10, client)
    assert season.history.linked > 0
    small = _queries(client, county)
    county, _season = _county(100, client)
    large = _queries(client, county)
    assert small == large == (RECURRING_QUERIES, RECURRING_QUERIES + 1)
    board = client.get(URL, {"org": county.pk, "year": YEAR}).context["board"]
    assert board.totals.recurred > 0 and board.totals.running3 > 0 and board.totals.not_fixed > 0
