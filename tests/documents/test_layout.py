"""The 公文 layout of GB/T 9704 in the Word file: A4 and its margins, fonts named for East Asian text, a fixed
line, page numbers "— 1 —" from a PAGE field, and the optional 红头 and 发文字号."""

import pytest
from django.urls import reverse
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm

from documents import gongwen
from meetings.models import SelfReview, SelfReviewProblem

from .conftest import read_docx


@pytest.fixture
def review(office_meeting, demo_orgs):
    """杨丽's self-review: a title, first- and second-level headings and body text, without building the demo."""
    yang = demo_orgs.members["office"]["杨丽"]
    review = SelfReview.objects.create(
        meeting=office_meeting, member=yang, status=SelfReview.Status.APPROVED,
        root_causes="根据群众反映，理想信念有所淡化。", measures="每周学习2小时。", direction="做一名合格党员。",
    )
    SelfReviewProblem.objects.create(review=review, position=0, aspect="坚定理想信念方面", text="学习不够系统", measure="每周学习")
    return review


@pytest.fixture
def report(review, login, on_the_day):
    """The self-review's Word file as 杨丽 (`member`) downloads it, with a query string."""
    client = login("member")
    return lambda query="": read_docx(client.get(reverse("documents:docx", args=["self-review", review.pk]) + query))


def _east_asia(run) -> str:
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def _body_paragraph(document):
    return next(p for p in document.paragraphs if p.text.startswith("根据"))


def test_the_page_is_a4_with_the_standards_margins(report):
    section = report().sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    for value, mm in ((section.top_margin, 37), (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26)):
        assert abs(value - Mm(mm)) < Mm(0.1)


def test_the_body_is_fangsong_at_16_pt_on_a_fixed_line(report):
    document = report()
    paragraph = _body_paragraph(document)
    assert paragraph.style.name == "Normal"
    assert {_east_asia(r) for r in paragraph.runs} == {"仿宋_GB2312"}
    style = document.styles["Normal"]
    assert style.font.size.pt == 16
    assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert style.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert 28 <= style.paragraph_format.line_spacing.pt <= 29
    assert style.paragraph_format.first_line_indent.pt == 32  # two characters


def test_title_and_headings_have_their_fonts(report):
    document = report()
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert {_east_asia(r) for r in title.runs} == {"方正小标宋简体"}
    assert document.styles["Title"].font.size.pt == 22
    heading = next(p for p in document.paragraphs if p.style.name == "Heading 1")
    assert {_east_asia(r) for r in heading.runs} == {"黑体"}


def test_the_second_level_heading_is_kaiti(report):
    document = report()
    heading = next(p for p in document.paragraphs if p.style.name == "Heading 2")
    assert {_east_asia(r) for r in heading.runs} == {"楷体_GB2312"}


def test_the_footer_numbers_pages_with_a_page_field(report):
    section = report().sections[0]
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>" in xml
        assert footer.paragraphs[0].text == "— 1 —"


def test_the_font_table_offers_windows_alternatives(report):
    document = report()
    font_table = next(p for p in document.part.package.iter_parts() if p.partname.endswith("fontTable.xml")).blob.decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in font_table


def test_without_options_there_is_no_red_header(report, settings):
    settings.DOCUMENTS_RED_HEADER_COUNTIES = []
    document = report()
    assert document.paragraphs[0].style.name == "Title"


def test_the_red_header_and_doc_number_on_request(report):
    document = report("?red_header=1&doc_number=水阜机党[2026]1号")
    organ, number, title = document.paragraphs[:3]
    assert organ.text == "中共水阜镇机关党支部"
    assert {str(r.font.color.rgb) for r in organ.runs} == {"FF0000"}
    assert {_east_asia(r) for r in organ.runs} == {"方正小标宋简体"}
    assert number.text == "水阜机党〔2026〕1号"  # the year in 六角括号
    assert 'w:color="FF0000"' in number._p.pPr.xml  # the red line under it
    assert title.style.name == "Title"


def test_the_county_setting_turns_the_red_header_on_and_a_download_off(report, settings):
    settings.DOCUMENTS_RED_HEADER_COUNTIES = ["中共皋兰县委"]
    assert report().paragraphs[0].text == "中共水阜镇机关党支部"
    assert report("?red_header=0").paragraphs[0].style.name == "Title"
    settings.DOCUMENTS_RED_HEADER_COUNTIES = ["中共安岳县委"]
    assert report().paragraphs[0].style.name == "Title"


def test_the_doc_number_alone_has_no_red_line(report):
    number = report("?doc_number=水阜机党〔2026〕2号").paragraphs[0]
    assert number.text == "水阜机党〔2026〕2号"
    assert number._p.pPr.find(qn("w:pBdr")) is None


def test_a_long_organ_name_still_fits_the_line():
    options = gongwen.Options(red_header=True, organ="中共某某县某某镇某某村第一党支部委员会")
    assert options.red_header_pt * len(options.organ) <= 440


def test_dates_are_written_without_leading_zeros():
    import datetime as dt

    assert gongwen.written_date(dt.date(2026, 1, 6)) == "2026年1月6日"
