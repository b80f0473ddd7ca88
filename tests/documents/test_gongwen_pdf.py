"""The report's PDF in the 公文 layout: A4, the title's text extractable, Noto Serif/Sans CJK embedded."""

import io
import shutil
import subprocess

from django.urls import reverse
from pypdf import PdfReader


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


def test_the_gongwen_pdf_has_the_title_and_embedded_cjk_fonts(palace, login, on_the_day, tmp_path):
    response = login("anyue").get(reverse("documents:pdf", args=["report", palace.pk]), {"red_header": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "安岳县青少年宫支部2020年度组织生活会情况报告" in text
    assert "中共安岳县青少年宫支部" in text and "2026年12月6日" in text
    assert "— 1 —" in text
    fonts = _fonts(reader)
    assert any("NotoSerifCJK" in f.replace("-", "") or "Noto-Serif-CJK" in f for f in fonts), fonts
    assert any("NotoSansCJK" in f.replace("-", "") or "Noto-Sans-CJK" in f for f in fonts), fonts
    if shutil.which("pdffonts"):
        path = tmp_path / "r.pdf"
        path.write_bytes(response.content)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert "Noto-Serif-CJK-SC" in listing and " yes yes yes " in listing
