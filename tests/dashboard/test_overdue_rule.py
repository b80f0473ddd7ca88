"""Issue 21: "overdue" is rectification's rule (rectification.selectors.overdue_q), written once. The
dashboard's list, page, export and counts all follow it: a 待核验 item past its deadline is overdue, an
item closed past its deadline is not."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dashboard import selectors
from rectification.models import RectificationItem

from .conftest import YEAR, days


def _pending_late(known):
    RectificationItem.objects.filter(title="待核验").update(deadline=days(-3))


def test_it_lists_a_pending_item_past_its_deadline_as_overdue(known, client, no_cache):
    _pending_late(known)
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:items"), {"year": YEAR, "state": "overdue"})
    assert sorted(i.title for i in response.context["page"]) == ["待核验", "逾期未完成"]


def test_it_marks_overdue_rows_from_the_rule_not_the_template(known, client, no_cache):
    _pending_late(known)
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:items"), {"year": YEAR})
    flags = {i.title: i.is_overdue for i in response.context["page"]}
    assert flags == {"待核验": True, "逾期未完成": True, "按期销号": False, "逾期销号": False}
    assert response.content.decode().count('<span class="badge text-bg-danger">逾期</span>') == 2


def test_it_exports_the_same_overdue_column(known, client, no_cache):
    _pending_late(known)
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:items_export"), {"year": YEAR})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {r[1]: r[5] for r in rows[1:] if r[1]} == {"待核验": "是", "逾期未完成": "是", "按期销号": "否", "逾期销号": "否"}


def test_it_counts_overdue_per_branch_by_the_same_rule(known, no_cache):
    _pending_late(known)
    season = selectors.Season(year=YEAR, kind="annual")
    rows = selectors.item_list(node=known.county, season=season, state="overdue")
    assert rows.count() == 2
    counts = selectors._item_counts(known.county, season, days(0))
    assert sum(r["overdue"] for r in counts.values()) == 2
