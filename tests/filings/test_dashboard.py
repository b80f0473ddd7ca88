"""/dashboard/filings/: each branch's plan and report state for the officer's node, counts per state,
drill-down, filters, the .xlsx, and a query count that does not grow with the number of branches."""

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from filings import services
from meetings.models import Meeting
from organizations.models import Organization

from .conftest import YEAR

URL = "/dashboard/filings/"


@pytest.fixture
def states(tree):
    """一支部: plan returned; 三支部: plan approved, report pending; 二支部: no meeting (未报)."""
    users = tree.users
    plan = services.filing_submit(meeting=tree.meeting, kind="plan", user=users["sec1"])
    services.filing_review(filing=plan, user=users["town1"], approve=False, reason="请写明督导。")
    today = timezone.localdate()
    m3 = Meeting.objects.create(branch=tree.b3, year=YEAR, held_on=today - dt.timedelta(days=2), closed_at=timezone.now())
    plan3 = services.filing_submit(meeting=m3, kind="plan", user=users["sec3"])
    services.filing_review(filing=plan3, user=users["town2"], approve=True)
    services.filing_submit(meeting=m3, kind="report", user=users["sec3"])
    return tree


def test_it_counts_each_state_for_the_county(states, as_user):
    response = as_user("county_officer").get(URL, {"org": states.county.pk, "year": YEAR})
    assert response.status_code == 200
    counts = response.context["totals"].counts
    assert counts["plan"] == {"not_filed": 1, "pending": 0, "returned": 1, "approved": 1}
    assert counts["report"] == {"not_filed": 2, "pending": 1, "returned": 0, "approved": 0}
    children = {c.node.name: c.totals for c in response.context["board"].children}
    assert children["第一镇"].counts["plan"]["returned"] == 1
    assert children["第二镇"].counts["report"]["pending"] == 1
    body = response.content.decode()
    assert "请写明督导。" in body  # the return reason beside the branch
    assert f"{URL}?org={states.town1.pk}" in body.replace("&amp;", "&")  # the drill-down link


def test_it_filters_by_state(states, as_user):
    response = as_user("county_officer").get(URL, {"org": states.county.pk, "year": YEAR, "show": "plan_returned"})
    assert [r.name for r in response.context["page"]] == ["一支部"]
    response = as_user("county_officer").get(URL, {"org": states.county.pk, "year": YEAR, "show": "report_not_filed"})
    assert [r.name for r in response.context["page"]] == ["一支部", "二支部"]


def test_a_township_sees_only_its_own_branches(states, as_user):
    town = as_user("town1")
    response = town.get(URL, {"year": YEAR})
    assert [r.name for r in response.context["page"]] == ["一支部", "二支部"]
    assert town.get(URL, {"org": states.town2.pk, "year": YEAR}).status_code == 403
    assert as_user("sec1").get(URL).status_code == 403


def test_the_export_reads_back(states, as_user):
    response = as_user("county_officer").get(reverse("dashboard:filings_export"), {"org": states.county.pk, "year": YEAR})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(rows) if row[0] == "党支部")
    headers = rows[header_at]
    by_branch = {row[0]: dict(zip(headers, row, strict=False)) for row in rows[header_at + 1:] if row[0]}
    assert by_branch["一支部"]["方案报备状态"] == "退回"
    assert by_branch["一支部"]["方案报备驳回原因"] == "请写明督导。"
    assert by_branch["三支部"]["情况报告状态"] == "待审"
    assert by_branch["三支部"]["方案报备报送次数"] == 1
    assert isinstance(by_branch["三支部"]["情况报告报送时间"], dt.datetime)
    assert by_branch["二支部"]["方案报备状态"] == "未报"


def add_branches(tree, n: int) -> None:
    """n more branches under 第一镇, each with a meeting whose plan is pending."""
    for i in range(n):
        tree.town1.refresh_from_db()
        branch = tree.town1.add_child(name=f"加支部{i}", level=Organization.Level.BRANCH)
        meeting = Meeting.objects.create(branch=branch, year=YEAR, held_on=timezone.localdate())
        services.filing_submit(meeting=meeting, kind="plan", user=tree.users["town1"])


def queries(client, tree) -> int:
    params = {"org": tree.county.pk, "year": YEAR}
    client.get(URL, params)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured)


def test_it_runs_the_same_queries_for_3_and_12_branches(tree, as_user, still_clock):
    client = as_user("county_officer")
    add_branches(tree, 3)
    small = queries(client, tree)
    add_branches(tree, 9)
    assert queries(client, tree) == small
