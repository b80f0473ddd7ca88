from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from . import accounts
from .models import Member, Organization
from .roster import HEADERS, RosterRow, parse_row

MAX_ROSTER_ROWS = 5000
# An .xlsx is a zip: 5 MB on the wire can unpack to gigabytes (openpyxl reads the shared strings whole,
# even read-only). A roster of MAX_ROSTER_ROWS rows unpacks to about 3 MB; the zip's own size records are
# checked before anything is unpacked (zipfile stops a member at its recorded size, so they cannot lie).
MAX_ROSTER_UNPACKED_BYTES = 40 * 1024 * 1024
# Rows read at most, blank ones included: a row numbered 1,000,000 would otherwise be reached through a
# million padded empty rows.
MAX_ROSTER_LINES = 2 * MAX_ROSTER_ROWS


class RosterError(Exception):
    """The file as a whole cannot be read (not an .xlsx, wrong header, too large)."""


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    bad_rows: list[RosterRow] = field(default_factory=list)
    # Codes for the new members' accounts, when the import was asked to open them.
    issued: list[accounts.IssuedCode] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_rows


# What a damaged or foreign file raises while openpyxl opens it or, in read-only mode, while it reads the
# rows lazily: a broken zip or deflate stream, a missing part, malformed XML (ParseError is a SyntaxError),
# a cell pointing past the shared strings (IndexError).
UNREADABLE = (
    zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, KeyError, IndexError, OSError, ValueError, TypeError,
)


def _unpacked_size(fileobj) -> int:
    with zipfile.ZipFile(fileobj) as archive:
        size = sum(info.file_size for info in archive.infolist())
    fileobj.seek(0)
    return size


def _read_rows(fileobj) -> list[RosterRow]:
    try:
        if _unpacked_size(fileobj) > MAX_ROSTER_UNPACKED_BYTES:
            raise RosterError(_("文件解压后过大，不像是花名册：请用本页模板重新填写后上传。"))
        wb = load_workbook(fileobj, read_only=True, data_only=True)
        try:
            return _parse_sheet(wb.worksheets[0])
        finally:
            wb.close()
    except UNREADABLE as exc:
        raise RosterError(_("无法读取该文件：请上传用本页模板填写的 .xlsx 表格（不支持 .xls、.csv 或其他格式）。")) from exc


def sheet_rows(ws):
    """The sheet's rows, only the template's columns of each. The size the sheet declares for itself
    (<dimension ref="A1:XFD60000"/>) is ignored: read-only openpyxl would pad every row to it."""
    ws.reset_dimensions()
    for line, cells in enumerate(ws.iter_rows(values_only=True, max_col=len(HEADERS)), start=1):
        if line > MAX_ROSTER_LINES:
            raise RosterError(_("一次最多导入 %(n)s 行。") % {"n": MAX_ROSTER_ROWS})
        yield cells


def _parse_sheet(ws) -> list[RosterRow]:
    rows = sheet_rows(ws)
    header = next(rows, None)
    expected = [str(h) for h in HEADERS]
    got = [str(c).strip() if c is not None else "" for c in (header or [])][: len(expected)]
    if got != expected:
        raise RosterError(
            _("表头与模板不一致。第一行应依次为：%(expected)s") % {"expected": "、".join(expected)}
        )
    parsed = []
    for line, cells in enumerate(rows, start=2):
        if not any(c not in (None, "") for c in cells):
            continue
        if len(parsed) >= MAX_ROSTER_ROWS:
            raise RosterError(_("一次最多导入 %(n)s 行。") % {"n": MAX_ROSTER_ROWS})
        parsed.append(parse_row(line, list(cells)))
    if not parsed:
        raise RosterError(_("表格中没有党员数据。"))
    return parsed


def roster_import(*, branch: Organization, fileobj, open_accounts_by=None) -> RosterResult:
    """Validates every row first; writes nothing unless every row is good.

    A row whose name and phone match an active member of the branch updates that member; any other
    row adds a member. With `open_accounts_by` (the user importing), the new members get accounts and
    codes in the same transaction.
    """
    rows = _read_rows(fileobj)
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.values:
            key = (row.values["name"], row.values["phone"])
            if key in seen:
                row.errors.append(_("与第 %(line)s 行姓名和电话重复") % {"line": seen[key]})
            seen.setdefault(key, row.line)
    result = RosterResult(bad_rows=[r for r in rows if r.errors])
    if not result.ok:
        return result

    with transaction.atomic():
        existing = {(m.name, m.phone): m for m in Member.objects.select_for_update().filter(branch=branch)}
        created: list[Member] = []
        groups = {g.name: g for g in branch.get_children().filter(level=Organization.Level.GROUP)}
        for row in rows:
            group = None
            if row.party_group:
                group = groups.get(row.party_group)
                if group is None:
                    group = branch.add_child(name=row.party_group, level=Organization.Level.GROUP)
                    branch.refresh_from_db()
                    groups[group.name] = group
            member = existing.get((row.values["name"], row.values["phone"]))
            if member is None:
                member = Member(branch=branch)
                result.created += 1
                created.append(member)
            else:
                result.updated += 1
            for key, value in row.values.items():
                setattr(member, key, value)
            member.party_group = group
            member.is_active = True
            member.full_clean()
            member._change_reason = _("花名册导入")  # read by django-simple-history
            member.save()
        if open_accounts_by is not None and created:
            result.issued = accounts.open_accounts(members=created, by=open_accounts_by)
    return result
