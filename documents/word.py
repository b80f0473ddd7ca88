"""A document's HTML (templates/documents/*.html) as a .docx in the 公文 layout of GB/T 9704, with python-docx.

The HTML is a small vocabulary our own templates write: h1 the title, h2 a first-level heading (黑体), h3 a
second-level one (楷体), h4 a third-level one (仿宋 bold), p a body paragraph (classes: center, noindent,
signature, red-header, doc-number, red-line), strong/b bold, br a line break, table/tr/th/td (colspan,
data-mm for a column's width). Everything else is read for its text.

Fonts are set on the styles *and* on every run, with w:eastAsia in rFonts: python-docx's font.name alone
sets only the Latin slots, and Word then draws the Chinese in the theme's East-Asian font (等线/宋体).
"""

from __future__ import annotations

import io
import re
import unicodedata

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import gongwen as gw

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Our styles: (name, font, size, bold). Built-in names for the title and headings, so that Word's navigation
# pane and python-docx see a title and headings.
TITLE, H1, H2, H3, BODY, TABLE_TEXT = "Title", "Heading 1", "Heading 2", "Heading 3", "Normal", "Table Text"
STYLES = {
    BODY: (gw.BODY_FONT, gw.BODY_PT, False),
    TITLE: (gw.TITLE_FONT, gw.TITLE_PT, False),
    H1: (gw.HEADING1_FONT, gw.BODY_PT, False),
    H2: (gw.HEADING2_FONT, gw.BODY_PT, False),
    H3: (gw.BODY_FONT, gw.BODY_PT, True),
    TABLE_TEXT: (gw.BODY_FONT, gw.TABLE_PT, False),
}
TAG_STYLES = {"h1": TITLE, "h2": H1, "h3": H2, "h4": H3}
INDENT = Pt(gw.BODY_PT * 2)  # 首行缩进两字


# ---------------------------------------------------------------- fonts
def set_fonts(rpr_parent, name: str) -> None:
    """Name one font for every script of a run or style: ascii, hAnsi, eastAsia and cs, with the theme
    fonts removed (a theme attribute wins over an explicit name in Word)."""
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), name)


def _declare_fonts(document) -> None:
    """The font table names each font with its GB2312 charset and a Windows alternative (see gongwen.py)."""
    font_part = next((p for p in document.part.package.iter_parts() if p.partname.endswith("fontTable.xml")), None)
    if font_part is None:
        return
    from docx.oxml.parser import parse_xml

    root = parse_xml(font_part.blob)
    for name in (gw.TITLE_FONT, gw.BODY_FONT, gw.HEADING1_FONT, gw.HEADING2_FONT, gw.PAGE_NUMBER_FONT):
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        if name in gw.ALT_NAMES:
            alt = OxmlElement("w:altName")
            alt.set(qn("w:val"), gw.ALT_NAMES[name])
            font.append(alt)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        family = OxmlElement("w:family")
        family.set(qn("w:val"), "modern" if name != gw.HEADING1_FONT else "swiss")
        font.append(family)
        root.append(font)
    from lxml import etree

    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style(document, name: str):
    styles = document.styles
    if name in [s.name for s in styles]:
        return styles[name]
    from docx.enum.style import WD_STYLE_TYPE

    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[BODY]
    return style


def _exact(paragraph_format, points: float) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = Pt(points)


def _set_up_styles(document) -> None:
    # The template's defaults name theme fonts (等线, 宋体) for East Asian text; name ours there too.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
    rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if rfonts is not None:
        rfonts.attrib.clear()
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{attr}"), gw.BODY_FONT)
    lang = rpr.find(qn("w:lang")) if rpr is not None else None
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    for name, (font, size, bold) in STYLES.items():
        style = _style(document, name)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(style.element, font)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:eastAsia"), "zh-CN")
        style.element.get_or_add_rPr().append(lang)
        pf = style.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        pf.first_line_indent = None
        _exact(pf, gw.TABLE_LINE_PT if name == TABLE_TEXT else gw.LINE_PT)
        ppr = style.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):  # the built-in Title has a rule under it
            ppr.remove(border)
    body = document.styles[BODY].paragraph_format
    body.first_line_indent = INDENT
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name in (H1, H2, H3):
        document.styles[name].paragraph_format.first_line_indent = INDENT
        document.styles[name].paragraph_format.keep_with_next = True
    title = document.styles[TITLE].paragraph_format
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact(title, 36)  # a two-line 二号 title needs more than the body's 28.9 pt
    title.space_after = Pt(gw.LINE_PT)  # 标题下空一行
    table = document.styles[TABLE_TEXT].paragraph_format
    table.first_line_indent = Pt(0)
    table.alignment = WD_ALIGN_PARAGRAPH.LEFT


# ---------------------------------------------------------------- page, footer
def _set_up_page(document, *, landscape: bool) -> None:
    section = document.sections[0]
    width, height = Mm(gw.PAGE_WIDTH_MM), Mm(gw.PAGE_HEIGHT_MM)
    if landscape:
        # A wide table (the ledger) is turned on its side; the margins keep their GB/T 9704 values.
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.top_margin = Mm(gw.MARGIN_TOP_MM)
    section.bottom_margin = Mm(gw.MARGIN_BOTTOM_MM)
    section.left_margin = Mm(gw.MARGIN_LEFT_MM)
    section.right_margin = Mm(gw.MARGIN_RIGHT_MM)
    section.footer_distance = Mm(gw.FOOTER_DISTANCE_MM)
    section.header_distance = Mm(15)
    # GB/T 9704 §7.5: odd page numbers at the right, even ones at the left, each one character in.
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(footer, alignment) -> None:
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = alignment
    pf = paragraph.paragraph_format
    pf.first_line_indent = Pt(0)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = Pt(gw.PAGE_NUMBER_PT)
    else:
        pf.left_indent = Pt(gw.PAGE_NUMBER_PT)
    _exact(pf, gw.PAGE_NUMBER_PT * 1.5)
    _run(paragraph, "— ", font=gw.PAGE_NUMBER_FONT, size=gw.PAGE_NUMBER_PT)
    _field(paragraph, "PAGE", "1", font=gw.PAGE_NUMBER_FONT, size=gw.PAGE_NUMBER_PT)
    _run(paragraph, " —", font=gw.PAGE_NUMBER_FONT, size=gw.PAGE_NUMBER_PT)


def _field(paragraph, instruction: str, shown: str, *, font: str, size: float) -> None:
    """A complex field (begin, instruction, separate, last value, end): Word and WPS update PAGE itself."""
    def char(kind):
        run = _run(paragraph, "", font=font, size=size)
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run._r.append(fld)

    char("begin")
    run = _run(paragraph, "", font=font, size=size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    _run(paragraph, shown, font=font, size=size)
    char("end")


def _run(paragraph, text: str, *, font: str | None = None, size: float | None = None, bold: bool | None = None,
         color: str | None = None):
    run = paragraph.add_run(text)
    set_fonts(run._r, font or _font_of(paragraph))
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _font_of(paragraph) -> str:
    return STYLES.get(paragraph.style.name, STYLES[BODY])[0]


# ---------------------------------------------------------------- inline text
_SPACE = re.compile(r"\s+")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _inline(element, bold: bool = False, out: list | None = None) -> list[tuple[str, bool]]:
    """The element's text as (character, bold) pairs, "\n" for a <br>."""
    out = [] if out is None else out

    def text(value):
        # A run of white space with a line break in it is the template's layout ("\r" until _tidy), a space
        # on its own line is what someone typed.
        for ch in _SPACE.sub(lambda m: "\r" if "\n" in m.group() else " ", value or ""):
            out.append((ch, bold))

    text(element.text)
    for child in element:
        if not isinstance(child.tag, str):  # a comment
            text(child.tail)
            continue
        if child.tag == "br":
            out.append(("\n", bold))
        else:
            _inline(child, bold or child.tag in ("strong", "b"), out)
        text(child.tail)
    return out


def _tidy(chars: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Drop the spaces HTML would show but Chinese typesetting does not: at the ends, around a line break,
    and a template's line break next to a Chinese character or full-width punctuation (where a browser
    shows a stray space). Spaces people typed inside their text stay."""
    kept = []
    for i, (ch, bold) in enumerate(chars):
        if ch in " \r":
            before = kept[-1][0] if kept else "\n"
            after = next((c for c, _b in chars[i + 1:] if c not in " \r"), "\n")
            if before in " \n" or after == "\n" or (ch == "\r" and (_wide(before) or _wide(after))):
                continue
            ch = " "
        kept.append((ch, bold))
    return kept


def _write_inline(paragraph, element, *, font=None, size=None, bold=None, color=None) -> str:
    chars = _tidy(_inline(element))
    text_out = []
    i = 0
    while i < len(chars):
        if chars[i][0] == "\n":
            (paragraph.runs[-1] if paragraph.runs else _run(paragraph, "", font=font, size=size)).add_break()
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j][0] != "\n" and chars[j][1] == chars[i][1]:
            j += 1
        piece = "".join(c for c, _b in chars[i:j])
        _run(paragraph, piece, font=font, size=size, bold=True if chars[i][1] else bold, color=color)
        text_out.append(piece)
        i = j
    return "".join(text_out)


# ---------------------------------------------------------------- blocks
class Writer:
    def __init__(self, *, landscape: bool = False):
        self.document = Document()
        self.landscape = landscape
        _set_up_styles(self.document)
        _set_up_page(self.document, landscape=landscape)
        _declare_fonts(self.document)
        self._first = True

    @property
    def text_width_mm(self) -> float:
        width = gw.PAGE_HEIGHT_MM if self.landscape else gw.PAGE_WIDTH_MM
        return width - gw.MARGIN_LEFT_MM - gw.MARGIN_RIGHT_MM

    def paragraph(self, element, style: str = BODY):
        classes = set((element.get("class") or "").split())
        if "red-header" in classes:
            return self._red_header(element)
        if "doc-number" in classes:
            return self._doc_number(element, red_line="red-line" in classes)
        if self._first and self.document.paragraphs and not self.document.paragraphs[0].text:
            p = self.document.paragraphs[0]  # python-docx's template opens with an empty paragraph
            p.style = self.document.styles[style]
        else:
            p = self.document.add_paragraph(style=style)
        self._first = False
        pf = p.paragraph_format
        if "center" in classes:
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.first_line_indent = Pt(0)
        if "noindent" in classes:
            pf.first_line_indent = Pt(0)
        if "signature" in classes:
            # 落款 and 成文日期: at the right, four characters in (GB/T 9704 §7.3.5).
            pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            pf.first_line_indent = Pt(0)
            pf.right_indent = Pt(gw.BODY_PT * 4)
        if "space-before" in classes:
            pf.space_before = Pt(gw.LINE_PT)
        _write_inline(p, element)
        return p

    def _red_header(self, element):
        p = self.paragraph(lxml.html.fromstring("<p class='center'></p>"), BODY)
        _exact(p.paragraph_format, self._organ_pt(element) * 1.3)
        p.paragraph_format.space_before = Pt(gw.LINE_PT)
        _write_inline(p, element, font=gw.TITLE_FONT, size=self._organ_pt(element), color=gw.RED)
        return p

    @staticmethod
    def _organ_pt(element) -> int:
        return int(element.get("data-pt") or gw.TITLE_PT)

    def _doc_number(self, element, *, red_line: bool):
        p = self.paragraph(lxml.html.fromstring("<p class='center'></p>"), BODY)
        p.paragraph_format.space_before = Pt(gw.LINE_PT)  # 发文机关标志下空二行 (one line here, one in spacing)
        _write_inline(p, element)
        if red_line:
            # 版头中的分隔线: red, the width of the type area, 4 mm under the 发文字号.
            ppr = p._p.get_or_add_pPr()
            border = OxmlElement("w:pBdr")
            bottom = OxmlElement("w:bottom")
            for key, value in (("val", "single"), ("sz", "12"), ("space", "11"), ("color", gw.RED)):
                bottom.set(qn(f"w:{key}"), value)
            border.append(bottom)
            ppr.append(border)
            p.paragraph_format.space_after = Pt(gw.LINE_PT)
        return p

    def table(self, element) -> None:
        rows = [tr for tr in element.iter("tr")]
        if not rows:
            return
        ncols = max(sum(int(c.get("colspan") or 1) for c in tr if c.tag in ("td", "th")) for tr in rows)
        table = self.document.add_table(rows=0, cols=ncols)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False  # the widths below, not Word's guess from the first screenful of text
        widths = self._widths(rows[0], ncols)
        for tr in rows:
            row = table.add_row()
            if tr.getparent() is not None and tr.getparent().tag == "thead":
                trpr = row._tr.get_or_add_trPr()
                header = OxmlElement("w:tblHeader")  # repeated at the top of every page
                trpr.append(header)
            col = 0
            for cell_el in (c for c in tr if c.tag in ("td", "th")):
                span = int(cell_el.get("colspan") or 1)
                cell = row.cells[col]
                if span > 1:
                    cell = cell.merge(row.cells[col + span - 1])
                p = cell.paragraphs[0]
                p.style = self.document.styles[TABLE_TEXT]
                if cell_el.tag == "th":
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    _write_inline(p, cell_el, font=gw.HEADING1_FONT)
                else:
                    _write_inline(p, cell_el)
                col += span
            for i, cell in enumerate(row.cells):
                cell.width = Mm(widths[i])
        for i, column in enumerate(table.columns):
            column.width = Mm(widths[i])

    def _widths(self, first_row, ncols: int) -> list[float]:
        given: list[float | None] = []
        for c in (c for c in first_row if c.tag in ("td", "th")):
            given += [float(c.get("data-mm")) if c.get("data-mm") else None] * int(c.get("colspan") or 1)
        given += [None] * (ncols - len(given))
        free = [i for i, w in enumerate(given) if w is None]
        left = max(self.text_width_mm - sum(w for w in given if w), 10 * len(free))
        return [w if w is not None else left / len(free) for w in given]

    def block(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in TAG_STYLES:
            self.paragraph(element, TAG_STYLES[tag])
        elif tag == "p":
            self.paragraph(element)
        elif tag == "table":
            self.table(element)
        elif tag in ("ol", "ul"):
            for n, li in enumerate(element.findall("li"), start=1):
                if tag == "ol":
                    li.text = f"{n}．" + (li.text or "")
                self.paragraph(li)
        elif tag in ("div", "section", "article", "body", "html", "main"):
            for child in element:
                self.block(child)
        elif tag:
            self.paragraph(element)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def html_to_docx(html: str, *, title: str = "", author: str = "", landscape: bool = False) -> bytes:
    writer = Writer(landscape=landscape)
    root = lxml.html.fromstring(f"<div>{html}</div>")
    for child in root:
        writer.block(child)
    props = writer.document.core_properties
    props.title, props.author, props.language = title, author, "zh-CN"
    return writer.save()
