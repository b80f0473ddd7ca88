"""The officer's dashboard page: the indicators, each linked to the list behind it, and the drill-down."""

from decimal import Decimal

from django.urls import reverse

from .conftest import YEAR


def test_it_shows_which_branches_are_behind_and_why(known, client, no_cache):
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:index"), {"year": YEAR})
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["totals"].branches == 3
    assert "测试县委" in page and "三支部" in page and "未安排本年度组织生活会" in page
    # Each indicator links to the list of branches behind it.
    assert "flag=self_reviews_late" in page and "1 个支部逾期未交齐" in page
    assert "state=overdue" in page
    # The drill-down: one row per township, linked to its own dashboard.
    assert f"?org={known.towns[0].pk}&amp;year={YEAR}" in page
    assert "vendor/echarts/echarts.min.js" in page and 'id="dashboard-charts"' in page


def test_it_drills_down_to_a_township_and_a_branch(known, client, no_cache):
    client.force_login(known.officer_user)
    town = client.get(reverse("dashboard:index"), {"org": known.towns[0].pk, "year": YEAR})
    assert town.status_code == 200
    assert [a.name for a in town.context["scope"].ancestors] == ["测试县委"]
    assert [c.node.name for c in town.context["data"].children] == ["一支部", "二支部"]
    branch = client.get(reverse("dashboard:index"), {"org": known.b1.pk, "year": YEAR})
    page = branch.content.decode()
    assert branch.status_code == 200 and branch.context["row"].score == Decimal("59.9")
    assert "必谈 4/9 已完成" in page and "4/6 名党员已提交" in page and "到会 5/6 人" in page
    assert reverse("meetings:talk_list", args=[known.meeting1.pk]) in page
    assert "已评定：优秀 1 · 合格 4 · 基本合格 1 · 不合格 0" in page


def test_the_overdue_branches_link_keeps_the_node_and_the_year(known, client, no_cache):
    """Issue 24 item 6: from a township's view of a year, "逾期 N（M 个支部）" led to the county's current year."""
    import re

    client.force_login(known.officer_user)
    page = client.get(reverse("dashboard:index"), {"org": known.towns[0].pk, "year": YEAR}).content.decode()
    link = re.search(r'href="([^"]*)" data-testid="overdue-branches"', page).group(1)
    assert link == f"{reverse('dashboard:branches')}?org={known.towns[0].pk}&amp;year={YEAR}&amp;kind=annual&amp;flag=items_overdue"


def test_it_lists_the_branches_behind_an_indicator(known, client, no_cache):
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:branches"), {"year": YEAR, "flag": "talks_late"})
    assert [r.name for r in response.context["page"]] == ["一支部"]
    assert "谈心谈话逾期未完成的支部：1 个" in response.content.decode()


def test_it_keeps_a_bad_filter_and_says_so(known, client, no_cache):
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:index"), {"year": "明年"})
    assert response.status_code == 200
    assert "筛选条件有误" in response.content.decode()
    assert response.context["scope"].season.year  # fell back to a default year


def test_it_ranks_every_branch_with_its_score_parts(known, client, no_cache):
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:ranking"), {"year": YEAR})
    rows = list(response.context["page"])
    assert [(r.name, r.rank, str(r.score)) for r in rows] == [("一支部", 1, "59.9"), ("二支部", 2, "5.0"), ("三支部", 3, "0.0")]
    assert "不看点击、登录次数或在线时长" in response.content.decode()


def test_it_lists_rectification_items_under_the_node(known, client, no_cache):
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:items"), {"year": YEAR, "state": "overdue"})
    assert [i.title for i in response.context["page"]] == ["逾期未完成"]
    everything = client.get(reverse("dashboard:items"), {"year": YEAR, "q": "一支部"})
    assert everything.context["page"].paginator.count == 4
