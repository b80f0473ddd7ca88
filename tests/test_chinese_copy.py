"""Issue 19 item 3: Chinese copy checked, not hoped for — full-width punctuation in the templates, the strings of
the code, the catalogue and the documents the demo generates; no doubled words; no dangling punctuation."""

import html
import io
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from pdfminer.high_level import extract_text

from branchlife import punctuation
from meetings.models import Meeting

ROOT = Path(__file__).resolve().parent.parent
DOUBLED = re.compile(r"(年度|的支部|专题|组织生活会)\1")
DANGLING = re.compile(r"[，、；：][。；]|[，、](?=\s*$)", re.M)


def test_the_rule_finds_and_mends_what_it_should():
    # Built from pieces, so that scripts/punctuation.py --fix (which mends this file too) leaves the inputs be.
    comma, colon, left, right = ",", ":", "(", ")"
    assert punctuation.slips("到会率低" + comma + "请补登") and punctuation.slips("加入日历" + left + ".ics" + right)
    assert punctuation.mend(f"党员参加{left}人次{right}{comma}共 3 人{colon}") == "党员参加（人次），共 3 人："
    assert punctuation.mend(f"加入日历{left}.ics{right}") == "加入日历（.ics）"
    assert punctuation.mend(f"召开（%(d)s{right}{comma}不能") == "召开（%(d)s），不能"
    joined = '{% translate "已评定" %}' + colon + '{% translate "督导点评" %}' + left + "{{ name }}" + right
    assert punctuation.mend_template(joined) == '{% translate "已评定" %}：{% translate "督导点评" %}（{{ name }}）'
    assert punctuation.template_slips(joined)
    # Not prose: numbers and times, English, placeholders and template variables stay as they are.
    for text in ("12:30", "Talks (done), 3", "%(n)s 条", "共 %(n)s,%(m)s"):
        assert punctuation.slips(text) == [] and punctuation.mend(text) == text
    assert punctuation.template_slips('{{ a|date:"Y年n月" }}<style>a:hover{}</style>') == []
    assert punctuation.python_slips('PATTERN = r"（尽量|争取）"\n') == []


def test_no_template_or_string_of_the_code_has_a_half_width_mark_beside_chinese():
    found = []
    for path in punctuation.source_files(ROOT):
        source = path.read_text(encoding="utf-8")
        hits = punctuation.python_slips(source) if path.suffix == ".py" else punctuation.template_slips(source)
        found += [f"{path.relative_to(ROOT)}: {hit!r}" for hit in hits]
    assert found == [], "run `.venv/bin/python scripts/punctuation.py --fix`:\n" + "\n".join(found[:40])


def test_the_catalogue_has_none_either():
    catalogue = polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))
    found = [e.msgid for e in catalogue if not e.obsolete and punctuation.slips(e.msgid)]
    assert found == []


def _text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", body))


def _assert_clean(text: str, where: str):
    assert punctuation.slips(text) == [], where
    assert DOUBLED.findall(text) == [], where
    assert DANGLING.findall(text) == [], where


@pytest.mark.django_db
def test_the_documents_and_pages_the_demo_generates_read_clean(demo, login):
    client = login("secretary")
    held = Meeting.objects.filter(branch__name="水阜镇机关党支部", closed_at__isnull=False).order_by("-year").first()
    branch = held.branch
    pages = {
        "branch": reverse("organizations:branch_detail", args=[branch.pk]),
        "meetings": reverse("meetings:meeting_list"),
        "report": reverse("meetings:report", args=[held.pk]),
        "problem list": reverse("rectification:problem_list", args=[held.pk]),
        "ledger": reverse("rectification:ledger", args=[branch.pk]),
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        _assert_clean(_text(response), where)
    report = client.get(reverse("meetings:report", args=[held.pk]))
    assert "一、基本情况" in _text(report) and held.title in _text(report)
    for where, url in {
        "report pdf": reverse("meetings:report_pdf", args=[held.pk]),
        "cards": reverse("rectification:cards_pdf", args=[held.pk]),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, where
        text = extract_text(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
        assert len(text) > 200, where
        _assert_clean(text, where)


@pytest.mark.django_db
def test_every_meeting_is_named_by_one_title(demo_orgs):
    from tests.meetings.factories import MeetingFactory

    office = demo_orgs.orgs["office"]
    annual = MeetingFactory(branch=office, year=2026, kind="annual")
    themed = MeetingFactory(branch=office, year=2027, kind="special", theme="以案促改")
    bare = MeetingFactory(branch=office, year=2028, kind="special", theme="")
    assert annual.title == "2026年度组织生活会"
    assert themed.title == "2027年度专题组织生活会（以案促改）"
    assert bare.title == "2028年度专题组织生活会"
    assert str(themed) == f"{office.name} 2027年度专题组织生活会（以案促改）"
