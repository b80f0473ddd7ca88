"""Issue 19 item 4: what a ledger .xlsx holds reads right in a spreadsheet — times in Beijing time, dates and
percentages as numbers with a number format."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.urls import reverse
from openpyxl import load_workbook

from .factories import ItemFactory

UTC = dt.UTC
CLOSED_COLUMN = 12


def _ledger(client, office):
    response = client.get(reverse("rectification:ledger_export", args=[office.pk]), {"sort": "title"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def test_closing_times_read_back_in_beijing_time(login, office, yang):
    # 13:26 in Beijing is 05:26 UTC; 07:10 on 2 June in Beijing is still 1 June in UTC.
    ItemFactory(responsible=yang, title="甲", status="closed", closed_at=dt.datetime(2026, 6, 1, 5, 26, tzinfo=UTC))
    ItemFactory(responsible=yang, title="乙", status="closed", closed_at=dt.datetime(2026, 6, 1, 23, 10, 30, tzinfo=UTC))
    ws = _ledger(login("secretary"), office)
    assert ws.cell(row=1, column=CLOSED_COLUMN).value == "销号时间"
    first, second = ws.cell(row=2, column=CLOSED_COLUMN), ws.cell(row=3, column=CLOSED_COLUMN)
    assert first.value == dt.datetime(2026, 6, 1, 13, 26)
    assert second.value == dt.datetime(2026, 6, 2, 7, 10, 30)
    assert first.number_format == "yyyy-mm-dd hh:mm" and first.is_date


def test_deadlines_are_dates_not_text(login, office, yang):
    ItemFactory(responsible=yang, title="甲", deadline=dt.date(2027, 3, 31))
    cell = _ledger(login("secretary"), office).cell(row=2, column=8)
    assert cell.value == dt.datetime(2027, 3, 31) and cell.number_format == "yyyy-mm-dd"


def test_the_workbook_writes_each_kind_of_value_as_a_spreadsheet_expects(settings):
    from branchlife.xlsx import Percent, workbook_bytes

    aware = dt.datetime(2026, 12, 6, 16, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 7th in Beijing
    content = workbook_bytes(title="t", headers=["a", "b", "c", "d", "e"],
                             rows=[[Percent(68.1), Percent(None), aware, "+8613800000000", "-"]])
    ws = load_workbook(io.BytesIO(content)).active
    pct, empty, when, phone, dash = ws[2]
    assert pct.value == 0.681 and pct.number_format == "0.0%"
    assert empty.value is None
    assert when.value == dt.datetime(2026, 12, 7, 0, 30)
    assert (phone.value, phone.data_type, phone.quotePrefix) == ("+8613800000000", "s", True)
    assert dash.value == "-" and dash.data_type == "s"
