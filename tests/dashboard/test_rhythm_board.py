"""The dashboards' quarter view of 三会一课 and 主题党日 (issue 18 item 2): known activities give known cells,
the summary and the child nodes' roll-up, filters, drill-down, permissions, the .xlsx and a query count that
does not grow with the branches.

The tree is tests/activities' `build()`:

    测试县委 ─┬─ 第一镇 ─┬─ 一支部 (groups 一组, 二组)  Q3: every requirement held
              │          └─ 二支部 (group 乙组)        Q3: no 党员大会, no 党课, September's 支委会 missed
              └─ 第二镇 ─── 三支部 (no group)          nothing recorded

The clock is tests.clock.NOW (2026-11-25): Q3 2026 has ended, Q4 runs (October ended, November and
December still running). Without RhythmRules: 党员大会 and 党课 quarterly; 支委会, 党小组会 (per group) and
主题党日 monthly.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import Activity, Kind
from activities.rhythm import Quarter
from organizations.models import Officer, Organization
from tests.activities.conftest import Tree, build
from tests.organizations.factories import UserFactory

D = dt.date
URL = reverse("dashboard:rhythm")
EXPORT = reverse("dashboard:rhythm_export")
Q3 = {"year": 2026, "quarter": 3}


def held(branch, kind, *days, group=None):
    for day in days:
        Activity.objects.create(branch=branch, kind=kind, held_on=day, topic="记录", party_group=group)


def full_q3(branch, groups=(), skip=()):
    months = [D(2026, m, 10) for m in (7, 8, 9)]
    for kind, days in [(Kind.ASSEMBLY, months[1:2]), (Kind.LECTURE, months[1:2]), (Kind.COMMITTEE, months),
                       (Kind.THEME_DAY, months)]:
        held(branch, kind, *[d for d in days if (kind, d.month) not in skip and kind not in skip])
    for group in groups:
        held(branch, Kind.GROUP, *months, group=group)


@pytest.fixture
def t(db) -> Tree:
    tree = build()
    full_q3(tree.branch, groups=tree.groups)
    full_q3(tree.branch2, groups=[tree.group3], skip={Kind.ASSEMBLY, Kind.LECTURE, (Kind.COMMITTEE, 9)})
    return tree


def as_(client, t: Tree, role: str):
    client.force_login(t.users[role])
    return client


def cells(row) -> dict[str, tuple[int, int, str]]:
    return {c.kind: (c.tally.held, c.tally.due, c.state) for c in row.cells}


def rows_by_name(response) -> dict:
    return {r.name: r for r in response.context["page"]}


# ---------------------------------------------------------------- known data → known cells
def test_it_shows_held_and_due_per_kind_for_an_ended_quarter(t, client):
    response = as_(client, t, "county").get(URL, {"org": t.county.pk, **Q3})
    assert response.status_code == 200 and response.context["quarter"] == Quarter(2026, 3)
    rows = rows_by_name(response)
    assert cells(rows["一支部"]) == {"assembly": (1, 1, "met"), "committee": (3, 3, "met"), "group": (6, 6, "met"),
                                     "lecture": (1, 1, "met"), "theme_day": (3, 3, "met")}
    assert cells(rows["二支部"]) == {"assembly": (0, 1, "missing"), "committee": (2, 3, "missing"), "group": (3, 3, "met"),
                                     "lecture": (0, 1, "missing"), "theme_day": (3, 3, "met")}
    assert cells(rows["三支部"]) == {"assembly": (0, 1, "missing"), "committee": (0, 3, "missing"), "group": (0, 0, "none"),
                                     "lecture": (0, 1, "missing"), "theme_day": (0, 3, "missing")}
    assert (rows["一支部"].kept_percent, rows["二支部"].kept_percent, rows["三支部"].kept_percent) == (100, 73, 0)
    assert rows["二支部"].parent_names == ["第一镇"]


def test_missing_cells_are_red_and_each_branch_links_to_its_calendar(t, client):
    html = as_(client, t, "county").get(URL, {"org": t.county.pk, **Q3}).content.decode()
    assert html.count('data-state="missing"') == 3 + 4
    assert 'bl-missing fw-semibold" data-state="missing"' in html
    assert f'href="{reverse("activities:list", args=[t.branch2.pk])}?year=2026"' in html


def test_the_summary_counts_the_branches_that_kept_every_requirement_and_those_missing_each_kind(t, client):
    totals = as_(client, t, "county").get(URL, {"org": t.county.pk, **Q3}).context["totals"]
    assert (totals.branches, totals.kept, totals.not_kept) == (3, 1, 2)
    assert totals.missing_branches == {"assembly": 2, "committee": 2, "group": 0, "lecture": 2, "theme_day": 1}
    assert totals.kinds[Kind.COMMITTEE].held == 5 and totals.kinds[Kind.COMMITTEE].due == 9


def test_the_county_sees_its_townships_rolled_up_and_drills_down(t, client):
    c = as_(client, t, "county")
    response = c.get(URL, {"org": t.county.pk, **Q3})
    children = {ch.node.name: ch.totals for ch in response.context["board"].children}
    assert set(children) == {"第一镇", "第二镇"}
    assert (children["第一镇"].branches, children["第一镇"].kept, children["第一镇"].missing_branches["assembly"]) == (2, 1, 1)
    assert (children["第二镇"].branches, children["第二镇"].kept, children["第二镇"].missing_branches["theme_day"]) == (1, 0, 1)
    assert f"?org={t.town.pk}&amp;year=2026&amp;quarter=3" in response.content.decode()
    town = c.get(URL, {"org": t.town.pk, **Q3})
    assert town.status_code == 200 and town.context["board"].children == []
    assert set(rows_by_name(town)) == {"一支部", "二支部"}


def test_the_running_quarter_is_the_default_and_running_periods_are_pending(t, client):
    held(t.branch, Kind.COMMITTEE, D(2026, 10, 9))
    held(t.branch, Kind.THEME_DAY, D(2026, 10, 20), D(2026, 11, 20))
    response = as_(client, t, "town").get(URL, {"org": t.town.pk})
    assert response.context["quarter"] == Quarter(2026, 4)
    one = cells(rows_by_name(response)["一支部"])
    # October ended: its 支委会 and 主题党日 were held; November and December still run.
    assert one["committee"] == (1, 3, "pending") and one["theme_day"] == (2, 3, "pending")
    assert one["assembly"] == (0, 1, "pending")
    assert one["group"] == (0, 6, "missing")  # October's group meetings were not held
    assert 'text-muted" data-state="pending"' in response.content.decode()


def test_a_quarter_not_begun_falls_back_to_the_running_one(t, client):
    response = as_(client, t, "town").get(URL, {"org": t.town.pk, "year": 2027, "quarter": 1})
    assert response.status_code == 200 and response.context["quarter"] == Quarter(2026, 4)
    assert "季度选择有误" in response.content.decode()


# ---------------------------------------------------------------- filters, search, sort
@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"show": "missing_committee"}, ["三支部", "二支部"]),
        ({"show": "missing_theme_day"}, ["三支部"]),
        ({"show": "missing_group"}, []),
        ({"show": "kept"}, ["一支部"]),
        ({"show": "missing", "sort": "name"}, ["二支部", "三支部"]),
        ({"q": "二"}, ["二支部"]),
        ({"sort": "name"}, ["一支部", "二支部", "三支部"]),
        ({"sort": "-kept"}, ["一支部", "二支部", "三支部"]),
        ({"sort": "kept"}, ["三支部", "二支部", "一支部"]),
        ({}, ["三支部", "二支部", "一支部"]),  # most missing first
        ({"show": "nonsense"}, ["三支部", "二支部", "一支部"]),
    ],
)
def test_it_filters_searches_and_sorts(t, client, params, names):
    response = as_(client, t, "county").get(URL, {"org": t.county.pk, **Q3, **params})
    assert response.status_code == 200
    assert [r.name for r in response.context["page"]] == names


def test_the_filter_offers_each_kind(t, client):
    html = as_(client, t, "county").get(URL, {"org": t.county.pk, **Q3, "show": "missing_lecture"}).content.decode()
    assert "未开展党课的支部：2 个" in html and "全部按要求开展的支部" in html


def test_the_dashboard_links_to_it(t, client):
    html = as_(client, t, "county").get(reverse("dashboard:index"), {"org": t.county.pk}).content.decode()
    assert f'{URL}?org={t.county.pk}' in html and "三会一课开展情况" in html


# ---------------------------------------------------------------- the .xlsx
def test_the_xlsx_holds_the_same_list(t, client):
    response = as_(client, t, "county").get(EXPORT, {"org": t.county.pk, **Q3, "sort": "name"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("党支部", "上级组织", "支部党员大会开展（次）", "支部党员大会应开展（项）", "支部党员大会未开展（项）")
    assert rows[0][-4:] == ("本期待开展（项）", "按要求开展比例", "未开展的类型", "全部按要求开展")
    assert [r[0] for r in rows[1:]] == ["一支部", "二支部", "三支部"]
    two = rows[2]
    assert two[1] == "第一镇"
    assert two[2:17] == (0, 1, 1, 2, 3, 1, 3, 3, 0, 0, 1, 1, 3, 3, 0)
    assert two[-4:] == (0, 0.73, "支部党员大会、支委会、党课", "否")
    assert book.worksheets[0].cell(row=3, column=len(rows[0]) - 2).number_format == "0.0%"  # a number, shown as 73.0%
    assert rows[1][-1] == "是"
    assert "2026年第三季度" in book.worksheets[1]["A1"].value


def test_the_xlsx_follows_the_filter(t, client):
    response = as_(client, t, "county").get(EXPORT, {"org": t.county.pk, **Q3, "show": "kept"})
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["一支部"]


# ---------------------------------------------------------------- permissions
@pytest.mark.parametrize("url", [URL, EXPORT])
@pytest.mark.parametrize(
    ("role", "org", "status"),
    [("county", "town", 200), ("town", "town", 200), ("town2", "town", 403), ("town", "town2", 403),
     ("town", "county", 403), ("secretary", "town", 403), ("member", "branch", 403), (None, "town", 302)],
)
def test_permissions(t, client, url, role, org, status):
    if role:
        client.force_login(t.users[role])
    response = client.get(url, {"org": getattr(t, org).pk, **Q3})
    assert response.status_code == status


# ---------------------------------------------------------------- queries
def township_of_size(n: int, tag: str) -> Organization:
    """A county → township of n branches, every third with two party groups, each with some of Q3 held."""
    county = Organization.add_root(name=f"{tag}县", level=Organization.Level.COUNTY)
    town = county.add_child(name=f"{tag}镇", level=Organization.Level.TOWNSHIP)
    for i in range(n):
        town.refresh_from_db()
        branch = town.add_child(name=f"{tag}第{i}支部", level=Organization.Level.BRANCH)
        groups = []
        if i % 3 == 0:
            groups = [branch.add_child(name="第一党小组", level=Organization.Level.GROUP)]
            branch.refresh_from_db()
            groups.append(branch.add_child(name="第二党小组", level=Organization.Level.GROUP))
        full_q3(branch, groups=groups, skip={(Kind.COMMITTEE, 7 + i % 3)} if i % 2 else ())
    county.refresh_from_db()
    return county


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fn()
    assert response.status_code == 200
    return len(captured)


def test_the_page_and_the_export_take_the_same_queries_for_3_and_12_branches(db, client, still_clock):
    def page_queries(county) -> tuple[int, int]:
        user = UserFactory(username=f"officer{county.pk}")
        Officer.objects.create(user=user, organization=county, name="干部")
        client.force_login(user)
        query = {"org": county.pk, **Q3}
        client.get(URL, query)  # the session is set up once
        return queries_of(lambda: client.get(URL, query)), queries_of(lambda: client.get(EXPORT, query))

    small, large = page_queries(township_of_size(3, "小")), page_queries(township_of_size(12, "大"))
    assert small == large
    assert len(client.get(URL, {"org": Organization.objects.get(name="大县").pk, **Q3}).context["board"].rows) == 12
