"""The 公文 layout (GB/T 9704-2012) as numbers and names, shared by the Word writer and the PDF stylesheet,
and the per-document options (红头, 发文字号) with their per-county default.

Fonts are *named*, not embedded, in the .docx: a government PC has 方正小标宋简体, 仿宋_GB2312, 楷体_GB2312 and
黑体 installed, and WPS and Word look them up by these exact names. Each also gets an alternate name (the
font table's w:altName) that Windows ships, so a PC without the GB2312 fonts still prints a 仿宋 body
instead of falling back to 宋体. The PDF cannot rely on fonts of the reader's PC: it embeds the installed
Noto CJK fonts instead (Noto Serif for the 仿宋-like body and the title, Noto Sans for 黑体 headings).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from organizations.models import Organization

# ---------------------------------------------------------------- page (GB/T 9704 §5.2.1: 版心 156 × 225 mm)
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28
MARGIN_RIGHT_MM = 26
# The page number sits about 7 mm under the type area (§7.5): the footer's baseline this far above the edge.
FOOTER_DISTANCE_MM = 24

# ---------------------------------------------------------------- fonts and sizes (二号 22 pt, 三号 16 pt, 四号 14 pt)
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
# What Windows has when the GB2312 fonts are missing (the font table's altName).
ALT_NAMES = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体", HEADING1_FONT: "SimHei"}
TITLE_PT = 22
BODY_PT = 16
PAGE_NUMBER_PT = 14
TABLE_PT = 12  # 小四: a ledger's eight columns do not fit at 三号
# 22 lines of 28 characters on the 225 mm type area: a fixed 28.9 pt line (GB/T 9704 §5.2.2).
LINE_PT = 28.9
TABLE_LINE_PT = 18
RED = "FF0000"

# The same faces for WeasyPrint, installed from Debian's fonts-noto-cjk and embedded in the PDF.
PDF_BODY_FONT = "Noto Serif CJK SC"
PDF_HEADING_FONT = "Noto Sans CJK SC"

DOC_NUMBER_MAX = 40


def written_date(day: dt.date) -> str:
    """A date as documents write it: 2026年12月6日 (no leading zeros)."""
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def organ_name(branch: Organization) -> str:
    """The issuing organ as the 红头 and the signature name it: the branch's full name under 中共."""
    return branch.name if branch.name.startswith("中共") else _("中共%(name)s") % {"name": branch.name}


def county_of(org: Organization) -> Organization | None:
    if org.level == Organization.Level.COUNTY:
        return org
    return org.get_ancestors().filter(level=Organization.Level.COUNTY).first()


def red_header_default(branch: Organization) -> bool:
    """Whether the branch's county asked for the 红头 by default (settings.DOCUMENTS_RED_HEADER_COUNTIES)."""
    counties = settings.DOCUMENTS_RED_HEADER_COUNTIES
    if not counties:
        return False
    if "*" in counties:
        return True
    county = county_of(branch)
    return county is not None and county.name in counties


_BRACKETS = re.compile(r"[\[［【(（]\s*(\d{4})\s*[\]］】)）]")


def clean_doc_number(value: str) -> str:
    """A 发文字号 such as 水阜机党〔2026〕3号. The year goes in 六角括号 (GB/T 9704 §7.2.4); the brackets people
    type for them ([2026], 【2026】, (2026)) are turned into 〔2026〕."""
    value = " ".join((value or "").split())
    if len(value) > DOC_NUMBER_MAX:
        raise ValidationError(
            _("发文字号最多 %(max)s 个字，现有 %(n)s 个。") % {"max": DOC_NUMBER_MAX, "n": len(value)}, code="too_long"
        )
    if any(ord(ch) < 32 for ch in value):
        raise ValidationError(_("发文字号含有不可见字符。"), code="control")
    return _BRACKETS.sub(r"〔\1〕", value)


@dataclass(frozen=True)
class Options:
    """What a download asked for on top of the layout itself."""

    red_header: bool = False
    doc_number: str = ""
    organ: str = ""
    day: dt.date | None = None

    @property
    def date_text(self) -> str:
        return written_date(self.day) if self.day else ""

    @property
    def red_header_pt(self) -> int:
        """The organ's name in the 红头 stays on the 156 mm line (442 pt; a little kept for the bold face and
        Word's spacing), at most 初号 (42 pt)."""
        return max(22, min(42, 410 // max(len(self.organ), 1)))


def layout() -> dict:
    """The numbers above for the PDF's stylesheet (templates/documents/gongwen_pdf.html)."""
    return {name: value for name, value in globals().items() if name.isupper()}
