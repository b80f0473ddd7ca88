import io
import subprocess
import tempfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from rectification import pdfs, selectors

from .factories import ItemFactory, ProblemFactory


def _text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        return subprocess.run(["pdftotext", fh.name, "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def branch_problems(meeting, yang, zhang):
    ProblemFactory(meeting=meeting, member=yang, text="理论学习不够系统深入", source_kind="self_review")
    ProblemFactory(meeting=meeting, member=yang, text="开会时经常看手机", source_kind="criticism")
    ProblemFactory(meeting=meeting, member=zhang, text="传帮带不够", source_kind="claimed")
    ItemFactory(responsible=yang, meeting=meeting, title="系统学习", measures="每周学习2小时\n每月写心得")
    return meeting


def test_the_cards_have_a_front_and_a_back_per_member_in_duplex_order(branch_problems):
    pdf = pdfs.render_cards(meeting=branch_problems)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 4  # 杨丽 and 张伟, two sides each
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (105, 148)  # A6
    pages = _text(pdf).split("\f")
    assert "张伟" in pages[0] and "传帮带不够" in pages[0] and "张伟" in pages[1]  # cards in name order
    front, back = pages[2], pages[3]
    assert "个人查摆出的问题" in front and "理论学习不够系统深入" in front and "开会时经常看手机" in front
    assert front.index("理论学习不够系统深入") < front.index("相互批评意见") < front.index("开会时经常看手机")
    assert "整改措施和时限" in back and "每周学习2小时" in back and "杨丽" in back


@pytest.mark.parametrize(
    ("found", "received", "items", "measure"),
    [
        ("很长的问题描述" * 14, "很长的批评意见" * 14, 9, "具体措施" * 14),  # everything long
        ("短问题", "短批评", 30, "短措施"),  # many short lines
        ("学习不够", "开会看手机、下乡走马观花、材料逾期" * 4, 1, "每周学习"),  # criticisms dominate
    ],
)
def test_a_card_side_never_spills_onto_a_second_page(meeting, yang, found, received, items, measure):
    for i in range(40):
        ProblemFactory(meeting=meeting, member=yang, text=f"{i}{found}", source_kind="self_review")
        ProblemFactory(meeting=meeting, member=yang, text=f"{i}{received}", source_kind="criticism")
    for _ in range(items):
        ItemFactory(responsible=yang, meeting=meeting, measures="\n".join([measure] * 6), commitment="我承诺" * 40)
    card = selectors.cards_for_meeting(meeting=meeting)[0]
    assert len(card.found) + card.found_more == 40 and len(card.received) + card.received_more == 40
    assert len(card.items) + card.items_more == items and card.found and card.received
    assert len(PdfReader(io.BytesIO(pdfs.render_cards(meeting=meeting))).pages) == 2


def test_the_card_carries_a_qr_code_to_my_items(branch_problems, settings):
    settings.SITE_URL = "https://dj.example.cn"
    pdfs._qr_png.cache_clear()
    pdf = pdfs.render_cards(meeting=branch_problems)
    back = PdfReader(io.BytesIO(pdf)).pages[3]
    assert len(back.images) == 1
    assert "https://dj.example.cn" + reverse("rectification:my_items") in _text(pdf)


def test_the_problem_list_extracts_its_chinese(branch_problems):
    text = _text(pdfs.render_problem_list(meeting=branch_problems))
    assert "水阜镇机关党支部问题清单" in text and "理论学习不够系统深入" in text and "当场认领" in text


def test_the_ledger_is_a_landscape_table(branch_problems, office):
    pdf = pdfs.render_ledger(branch=office)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = _text(pdf)
    assert "整改台账" in text and "系统学习" in text and "杨丽" in text


def test_the_views_serve_the_three_pdfs(login, branch_problems, office):
    client = login("secretary")
    for url in (
        reverse("rectification:cards_pdf", args=[branch_problems.pk]),
        reverse("rectification:problem_list_pdf", args=[branch_problems.pk]),
        reverse("rectification:ledger_pdf", args=[office.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), url
        assert response["Content-Type"] == "application/pdf"


def test_a_member_prints_their_own_card_only(login, branch_problems):
    response = login("member").get(reverse("rectification:my_card_pdf"))
    text = _text(response.content)
    assert response.status_code == 200
    assert "杨丽" in text and "张伟" not in text


def test_merge_keeps_pages_and_a_sane_size(branch_problems):
    one = pdfs.render_cards(meeting=branch_problems)
    merged = pdfs.merge_pdfs([one, one, one])
    assert pdfs.page_count(merged) == 12
    assert len(merged) < 3 * len(one) * 1.1


def _names_by_half(page, names) -> dict[str, str]:
    """Which quarter of an A4 sheet (left/right, top/bottom) each of `names` is printed in."""
    from pdfminer.layout import LTTextContainer

    found = {}
    for element in page:
        if isinstance(element, LTTextContainer) and element.get_text().strip() in names:
            quarter = ("left" if element.x0 < 297 else "right") + ("-top" if element.y0 > 421 else "-bottom")
            found[element.get_text().strip()] = quarter
    return found


def test_four_cards_to_an_a4_sheet_with_the_backs_mirrored_for_long_edge_duplex(meeting, demo_orgs):
    from pdfminer.high_level import extract_pages

    chosen = sorted(demo_orgs.members["office"].values(), key=lambda m: (m.name, m.pk))[:5]
    for member in chosen:
        ProblemFactory(meeting=meeting, member=member, text=f"{member.name}的问题")
    a6 = pdfs.render_cards(meeting=meeting)
    a4 = pdfs.impose_four_up(a6)
    reader = PdfReader(io.BytesIO(a4))
    assert len(reader.pages) == 4  # five cards: a full sheet and a sheet with one card, two sides each
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    names = [m.name for m in chosen]  # the cards come in name order
    sheets = [_names_by_half(page, names) for page in extract_pages(io.BytesIO(a4))]
    # front of sheet 1 in reading order; its back mirrored left–right, so each back lands behind its front
    assert sheets[0] == dict(zip(names[:4], ["left-top", "right-top", "left-bottom", "right-bottom"], strict=True))
    assert sheets[1] == dict(zip(names[:4], ["right-top", "left-top", "right-bottom", "left-bottom"], strict=True))
    assert sheets[2] == {names[4]: "left-top"} and sheets[3] == {names[4]: "right-top"}
    pages = _text(a4).split("\f")
    assert f"{names[0]}的问题" in pages[0] and "整改措施和时限" in pages[1]


def test_the_view_and_the_command_offer_the_a4_layout(login, branch_problems, tmp_path):
    from django.core.management import call_command

    response = login("secretary").get(reverse("rectification:cards_pdf", args=[branch_problems.pk]), {"layout": "a4"})
    assert response.status_code == 200 and "A4" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2 and round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == 210
    out = tmp_path / "cards.pdf"
    call_command("print_pdf", "cards", "--branch", "水阜镇机关党支部", "--layout", "a4", "-o", str(out))
    assert len(PdfReader(str(out)).pages) == 2
