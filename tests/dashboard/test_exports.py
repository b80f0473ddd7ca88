"""Every dashboard table exports to .xlsx with the same rows as the page."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from .conftest import YEAR


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


def test_it_exports_the_branches_behind_an_indicator(known, client, no_cache):
    client.force_login(known.officer_user)
    rows = sheet(client.get(reverse("dashboard:branches_export"), {"year": YEAR, "flag": "behind", "sort": "-rank"}))
    assert rows[0][:4] == ["排名", "党支部", "所属", "综合得分"]
    assert [r[1] for r in rows[1:]] == ["三支部", "二支部", "一支部"]
    b1 = rows[3]
    assert (b1[2], b1[3], b1[9], b1[10], b1[18], b1[20]) == ("第一镇", 59.9, 4, 9, 4, 1)
    assert "谈心谈话逾期未完成" in b1[21]


def test_it_exports_the_ranking_with_score_parts(known, client, no_cache):
    client.force_login(known.officer_user)
    rows = sheet(client.get(reverse("dashboard:branches_export"), {"year": YEAR, "parts": "1"}))
    assert rows[0][-8:] == ["会议安排", "征求意见", "谈心谈话", "对照检查", "召开会议", "民主评议", "整改销号率", "整改按期质量"]
    assert rows[1][1] == "一支部" and rows[1][-8] == 10 and rows[1][-7] == 8.75


def test_it_exports_the_children_with_a_total(known, client, no_cache):
    client.force_login(known.officer_user)
    rows = sheet(client.get(reverse("dashboard:children_export"), {"year": YEAR}))
    assert [r[0] for r in rows[1:]] == ["第一镇", "第二镇", "测试县委 合计"]
    assert rows[1][1:5] == [2, 10, 2, 1] and rows[3][1:3] == [3, 15]


def test_it_exports_the_items(known, client, no_cache):
    client.force_login(known.officer_user)
    rows = sheet(client.get(reverse("dashboard:items_export"), {"year": YEAR}))
    assert rows[0] == ["党支部", "整改事项", "责任人", "完成时限", "状态", "逾期", "销号日期"]
    assert sorted((r[1], r[5]) for r in rows[1:]) == [("待核验", "否"), ("按期销号", "否"), ("逾期未完成", "是"), ("逾期销号", "否")]
