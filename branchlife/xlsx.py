"""One way to turn a table into an .xlsx download, used by every export in the project."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text starting with one of these is read as a formula by a spreadsheet (OWASP "CSV injection"): openpyxl
# stores "=..." as a live formula, and Excel and LibreOffice re-evaluate the others once the cell is edited.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"


class Percent:
    """A percentage (68.1 for 68.1 %) that goes into a cell as the number 0.681 shown as "68.1%", so that an
    office can sum, sort and chart it; None (no denominator) stays an empty cell."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _cell(value) -> tuple[object, str | None]:
    """What goes into a cell, and its number format. Numbers and dates as themselves; a date-time in the site's
    time zone (Asia/Shanghai) without tzinfo — a spreadsheet has no zones, and written in UTC an item closed at
    13:26 read "05:26"; text without the control characters openpyxl refuses (IllegalCharacterError, a 500 for
    the whole export, and older rows may still hold them)."""
    if value is None:
        return "", None
    if isinstance(value, Percent):
        if value.value is None:
            return "", None
        return float(Decimal(str(value.value)) / 100), PERCENT_FORMAT
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_default_timezone())
        return value.replace(microsecond=0), DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return value, DATE_FORMAT
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value), None
    return value, None


def _append(ws, values: Sequence) -> list:
    """Append a row: every text a literal string (a user's "=HYPERLINK(...)" shows as typed), every number, date
    and percentage with its number format. Returns the values as written."""
    cells = [_cell(v) for v in values]
    written = [value for value, _format in cells]
    ws.append(written)
    row = ws.max_row
    for column, (value, number_format) in enumerate(cells, start=1):
        if number_format:
            ws.cell(row=row, column=column).number_format = number_format
        elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = ws.cell(row=row, column=column)
            cell.data_type = "s"  # openpyxl made it "f" (a formula) when it starts with "="
            cell.quotePrefix = True  # the spreadsheet's own "text, not formula" mark, kept when the cell is edited
    return written


def _width(value) -> int:
    if isinstance(value, datetime.date):
        return 18
    if isinstance(value, float | int | Decimal):
        return 10
    return len(str(value)) * 2 + 2


def workbook_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence], notes: Sequence[str] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    _append(ws, [str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DEDE")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        values = _append(ws, row)
        for i, v in enumerate(values[: len(widths)]):
            widths[i] = min(60, max(widths[i], _width(v)))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if notes:
        info = wb.create_sheet(_("说明"))
        for line in notes:
            _append(info, [str(line)])
        info.column_dimensions["A"].width = 100
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # RFC 5987 so that Chinese file names survive every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(*, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence], notes: Sequence[str] = ()) -> HttpResponse:
    return attachment(workbook_bytes(title=title, headers=headers, rows=rows, notes=notes), filename, XLSX_MIME)
