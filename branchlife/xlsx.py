"""One way to turn a table into an .xlsx download, used by every export in the project."""

from collections.abc import Iterable, Sequence
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
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


def _cell_value(value):
    """What goes into a cell: numbers and dates as they are; text without the control characters openpyxl
    refuses (IllegalCharacterError, a 500 for the whole export, and older rows may still hold them)."""
    if value is None:
        return ""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _append(ws, values: list) -> None:
    """Append a row, every text in it a literal string: a user's "=HYPERLINK(...)" shows as typed."""
    ws.append(values)
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = ws.cell(row=ws.max_row, column=column)
            cell.data_type = "s"  # openpyxl made it "f" (a formula) when it starts with "="
            cell.quotePrefix = True  # the spreadsheet's own "text, not formula" mark, kept when the cell is edited


def workbook_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence], notes: Sequence[str] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    _append(ws, [_cell_value(str(h)) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DEDE")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        values = [_cell_value(v) for v in row]
        _append(ws, values)
        for i, v in enumerate(values[: len(widths)]):
            widths[i] = min(60, max(widths[i], len(str(v)) * 2 + 2))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if notes:
        info = wb.create_sheet(_("说明"))
        for line in notes:
            _append(info, [_cell_value(str(line))])
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
