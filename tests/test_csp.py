"""The Content-Security-Policy (issue 22 item 6): every page carries it, and the templates keep to it — no
inline script, event handler attribute, javascript: link, <style> element or style attribute, each of
which the policy makes the browser refuse. The browser journeys (tests/browser/) fail on any violation
Chromium reports; these checks name the offending template before a browser is started.

The WeasyPrint templates (templates/**/pdf/ and whatever extends pdf/base.html) become PDFs on the server
and are never served as pages; they keep their <style>. So do templates/documents/ (Word and 公文 PDF files)."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.organizations.factories import MemberFactory, UserFactory, make_tree

TEMPLATES = Path(settings.BASE_DIR) / "templates"
STATIC = Path(settings.BASE_DIR) / "static"

# A <script> element without src= runs inline; a JSON data block (type="application/json", as json_script
# writes) is never run, and the policy does not apply to it.
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/json["']""", re.IGNORECASE)
FORBIDDEN = {
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE),
}
STATIC_REFERENCE = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")


def page_templates() -> list[Path]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        folders = path.relative_to(TEMPLATES).parts[:-1]
        # templates/documents/ become Word files and 公文 PDFs (documents.word, WeasyPrint), never pages.
        if "pdf" in folders or folders[:1] == ("documents",) or re.search(r"""{%\s*extends\s+["']pdf/base\.html["']""", text):
            continue
        found.append(path)
    return found


def offences(path: Path, root: Path = TEMPLATES) -> list[str]:
    name, found = path.relative_to(root), []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        for tag in SCRIPT_TAG.findall(line):
            if "src=" not in tag and not DATA_BLOCK.search(tag):
                found.append(f"{name}:{n}: inline <script>")
        for what, pattern in FORBIDDEN.items():
            if pattern.search(line):
                found.append(f"{name}:{n}: {what}")
    return found


def test_the_scan_covers_the_pages_and_leaves_the_pdf_templates_alone():
    scanned = {str(p.relative_to(TEMPLATES)) for p in page_templates()}
    assert {"base.html", "evaluations/vote.html", "meetings/record.html", "dashboard/index.html"} <= scanned
    assert "pdf/base.html" not in scanned and "meetings/report_pdf.html" not in scanned
    assert "rectification/pdf/cards.html" not in scanned


def test_no_page_template_has_inline_script_or_style():
    found = [offence for path in page_templates() for offence in offences(path)]
    assert found == [], "\n".join(found)


def test_it_would_catch_each_kind_of_inline_code(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<script>alert(1)</script>\n<button onclick="go()">\n<div style="width: 1px">\n<style>p {}</style>\n'
        '<a href="javascript:void(0)">\n<script src="/static/js/ok.js"></script>\n'
        '<script id="m" type="application/json">{}</script>\n'
    )
    assert offences(page, tmp_path) == [
        "page.html:1: inline <script>",
        "page.html:2: event handler attribute",
        "page.html:3: style attribute",
        "page.html:4: <style> element",
        "page.html:5: javascript: URL",
    ]


def test_every_static_file_a_template_names_exists():
    """The scripts and stylesheets that replaced inline code: a missing one is a 500 under the manifest
    storage (DEBUG=False) and a refused page in the browser."""
    missing = [
        f"{path.relative_to(TEMPLATES)}: {name}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for name in STATIC_REFERENCE.findall(path.read_text())
        if not (STATIC / name).is_file()
    ]
    assert missing == [], missing


# ---------------------------------------------------------------- the header


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
}


def test_the_login_page_carries_the_policy(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert directives(response) == EXPECTED
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_a_members_page_carries_the_policy(client, db):
    _root, branches = make_tree()
    client.force_login(MemberFactory(branch=branches[0], user=UserFactory()).user)
    response = client.get(reverse("meetings:my_home"))
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
