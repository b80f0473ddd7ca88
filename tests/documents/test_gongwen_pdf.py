"""The 公文 PDF of every document: A4 (the ledger landscape), the title, headings and body extractable, Noto
Serif CJK SC (body, title) and Noto Sans CJK SC (黑体 headings) embedded, the 红头 and 发文字号 as asked."""

import io
import re
import shutil
import subprocess
from urllib.parse import quote

import docx
import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings.models import SelfReview
from rectification.models import PROBLEM_TEXT_MAX, Problem

PDF = "application/pdf"


def _fonts(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.add(str(font["/BaseFont"]))
    return names


def text_of(content: bytes) -> str:
    """The PDF's text with the line breaks (and the spaces justification may leave) taken out."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def assert_gongwen_fonts_embedded(content: bytes, tmp_path=None) -> None:
    fonts = _fonts(PdfReader(io.BytesIO(content)))
    assert any("NotoSerifCJK" in f.replace("-", "") for f in fonts), fonts
    assert any("NotoSansCJK" in f.replace("-", "") for f in fonts), fonts
    if tmp_path is not None and shutil.which("pdffonts"):
        path = tmp_path / "d.pdf"
        path.write_bytes(content)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert "Noto-Serif-CJK-SC" in listing and " yes yes yes " in listing


def test_the_gongwen_pdf_has_the_title_and_embedded_cjk_fonts(palace, login, on_the_day, tmp_path):
    response = login("anyue").get(reverse("documents:pdf", args=["report", palace.pk]), {"red_header": "1"})
    assert response.status_code == 200 and response["Content-Type"] == PDF
    reader = PdfReader(io.BytesIO(response.content))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "安岳县青少年宫支部2020年度组织生活会情况报告" in text
    assert "中共安岳县青少年宫支部" in text and "2026年12月6日" in text
    assert "— 1 —" in text
    assert_gongwen_fonts_embedded(response.content, tmp_path)


def _committee_review(palace):
    return SelfReview.objects.get(meeting=palace, kind=SelfReview.Kind.COMMITTEE)


# kind → (the data it needs, who downloads, the object's pk, file name, title, a heading, a line of the body)
KINDS = {
    "record": (
        "palace", "anyue", lambda m: m.pk, "安岳县青少年宫支部2020年度组织生活会会议记录.pdf",
        "安岳县青少年宫支部2020年度组织生活会会议记录", "三、批评与自我批评",
        "蒋丽萍提出批评：对青年教师的思想动态掌握不够，谈心谈话有时走过场",
    ),
    "self-review": (
        "palace", "anyue", lambda m: _committee_review(m).pk, "支部班子-2020年度组织生活会对照检查材料.pdf",
        "安岳县青少年宫支部支部班子对照检查材料", "二、原因剖析", "执行上级党组织决定有时不够及时",
    ),
    "problems": (
        "office_meeting", "secretary", lambda m: m.pk, "水阜镇机关党支部2019年度组织生活会问题清单.pdf",
        "水阜镇机关党支部问题清单", "二、党员个人", "回复群众来电不及时",
    ),
    "ledger": (
        "office_meeting", "secretary", lambda m: m.branch_id, "水阜镇机关党支部整改台账.pdf",
        "水阜镇机关党支部整改台账", "整改事项及对应问题", "群众来电当日回复",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_document_downloads_as_a_gongwen_pdf(request, kind, login, on_the_day, tmp_path):
    fixture, user, pk_of, filename, title, heading, body = KINDS[kind]
    meeting = request.getfixturevalue(fixture)
    url = reverse("documents:pdf", args=[kind, pk_of(meeting)])
    response = login(user).get(url, {"red_header": "1", "doc_number": "机党[2026]3号"})
    assert response.status_code == 200 and response["Content-Type"] == PDF
    assert quote(filename) in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title and title.endswith(reader.metadata.title)  # a self-review's: 支部班子对照检查材料
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (width > height) == (kind == "ledger")  # the ledger is landscape, the others A4 upright
    text = text_of(response.content)
    # the 版头 (红头, 发文字号 in 六角括号), the title, a heading and the body, then the date of the download
    assert text.startswith(f"中共{meeting.branch.name}机党〔2026〕3号{title}"), text[:80]
    assert heading in text and body in text
    assert "—1—" in text
    if kind != "record":  # the minutes are not signed; the others are dated the day of the download
        assert "2026年12月6日" in text
    assert_gongwen_fonts_embedded(response.content, tmp_path)


def test_the_options_page_offers_the_pdf_of_every_kind(office_meeting, login):
    client = login("secretary")
    for kind, pk in (("problems", office_meeting.pk), ("ledger", office_meeting.branch_id)):
        html = client.get(reverse("documents:options", args=[kind, pk])).content.decode()
        assert f'formaction="{reverse("documents:pdf", args=[kind, pk])}"' in html and "下载公文版 PDF" in html


def test_the_pdf_of_a_list_prints_a_long_problem_up_to_its_bound_and_the_word_file_whole(office_meeting, login):
    long_text = "联系群众不够" * 300  # 1,800 characters: a row stored before the bounds (never cut on the way in)
    Problem.objects.bulk_create([Problem(meeting=office_meeting, member=None, text=long_text)])
    client = login("secretary")
    pdf = client.get(reverse("documents:pdf", args=["problems", office_meeting.pk]))
    # the row runs over pages: their numbers, the repeated header and the row's other cells cut into it
    text = re.sub(r"—\d+—|序号问题来源|书记添加", "", text_of(pdf.content))
    assert long_text[:PROBLEM_TEXT_MAX] + "……（全文见系统）" in text and long_text not in text
    # the 问题 column takes the width the others' (the header cells' widths) leave it: the title's page, two pages
    # for its 1,000 characters, the rest on a fourth — six when the columns were equal
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 4
    word = docx.Document(io.BytesIO(client.get(reverse("documents:docx", args=["problems", office_meeting.pk])).content))
    cells = "".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    assert long_text in cells
