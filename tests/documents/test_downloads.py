"""Each Word file downloads under a Chinese name and reads back (python-docx) with the page's own text."""

from urllib.parse import quote

from django.urls import reverse

from meetings.models import SelfReview

from .conftest import read_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def _cells(document) -> str:
    return "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)


def _download(client, kind, pk, query=""):
    response = client.get(reverse("documents:docx", args=[kind, pk]) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    return response


def test_it_downloads_the_report_with_the_reports_text(palace, login, on_the_day):
    response = _download(login("anyue"), "report", palace.pk)
    name = "安岳县青少年宫支部2020年度组织生活会情况报告.docx"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(name)}"
    document = read_docx(response)
    assert _styled(document, "Title") == ["安岳县青少年宫支部2020年度组织生活会情况报告"]
    assert _styled(document, "Heading 1")[:3] == ["一、基本情况", "二、前期准备情况", "三、组织生活会召开情况"]
    body = "\n".join(_texts(document))
    # the report page's sentences (tests/meetings/test_report.py), not a rewrite of them
    assert "现有党员8人" in body and "研究生学历1人" in body
    assert "会议共完成了5项议程" in body
    assert "共青团安岳县教育和体育局副书记左香菊到会督导" in body
    # signed by the branch and dated the day of the download, as documents write dates
    assert _texts(document)[-2:] == ["中共安岳县青少年宫支部", "2026年12月6日"]


def test_the_record_has_every_speaker_and_the_supervisors_comment(palace, login):
    document = read_docx(_download(login("anyue"), "record", palace.pk))
    assert _styled(document, "Title") == ["安岳县青少年宫支部2020年度组织生活会会议记录"]
    assert "三、批评与自我批评" in _styled(document, "Heading 1")
    speakers = _styled(document, "Heading 2")
    assert any(s.startswith("（一）") for s in speakers) and any("邓文华" in s for s in speakers)
    body = "\n".join(_texts(document))
    assert "时间：2021年3月15日（星期一）上午9:00" in body
    assert "蒋丽萍提出批评：对青年教师的思想动态掌握不够，谈心谈话有时走过场" in body
    assert "既有红脸出汗，又有加油鼓劲" in body
    assert "应到党员8人，实到8人" in body


def test_a_self_review_reads_back_with_its_problems_and_measures(palace, login, on_the_day):
    review = SelfReview.objects.get(meeting=palace, kind=SelfReview.Kind.COMMITTEE)
    response = _download(login("anyue"), "self-review", review.pk)
    assert quote("支部班子-2020年度组织生活会对照检查材料.docx") in response["Content-Disposition"]
    document = read_docx(response)
    assert _styled(document, "Title") == ["安岳县青少年宫支部支部班子对照检查材料"]
    assert _styled(document, "Heading 1") == ["一、查摆的问题", "二、原因剖析", "三、整改措施", "四、努力方向"]
    body = "\n".join(_texts(document))
    assert "执行上级党组织决定有时不够及时" in body
    assert "整改措施：上级部署 3 个工作日内研究落实" in body
    assert "支部班子对党建工作重视不够。" in body
    assert _texts(document)[-1] == "2026年12月6日"


def test_the_problem_list_has_the_committee_and_each_member(office_meeting, login):
    response = _download(login("secretary"), "problems", office_meeting.pk)
    assert quote("水阜镇机关党支部2019年度组织生活会问题清单.docx") in response["Content-Disposition"]
    document = read_docx(response)
    assert _styled(document, "Title") == ["水阜镇机关党支部问题清单"]
    assert _styled(document, "Heading 1") == ["一、支部班子", "二、党员个人"]
    cells = _cells(document)
    assert "【坚定理想信念方面】支部班子抓学习不够经常" in cells
    assert "杨丽" in cells and "回复群众来电不及时" in cells


def test_the_ledger_is_landscape_with_its_items_and_dates_in_chinese(office_meeting, login):
    response = _download(login("secretary"), "ledger", office_meeting.branch_id)
    document = read_docx(response)
    assert _styled(document, "Title") == ["水阜镇机关党支部整改台账"]
    section = document.sections[0]
    assert section.page_width > section.page_height
    header = [c.text for c in document.tables[0].rows[0].cells]
    assert header[:3] == ["序号", "整改事项及对应问题", "整改目标"]
    cells = _cells(document)
    assert "群众来电当日回复\n回复群众来电不及时" in cells
    assert "每周学习2小时\n每月走访4次" in cells
    assert "2027年3月31日" in cells


def test_the_ledger_follows_the_pages_filters(office_meeting, login, demo_orgs):
    document = read_docx(_download(login("secretary"), "ledger", office_meeting.branch_id, "?q=来电"))
    cells = _cells(document)
    assert "群众来电当日回复" in cells and "建立集中学习制度" not in cells


def test_the_meeting_pages_link_their_word_files(palace, login):
    client = login("anyue")
    html = client.get(reverse("meetings:report", args=[palace.pk])).content.decode()
    assert reverse("documents:docx", args=["report", palace.pk]) in html
    assert reverse("documents:pdf", args=["report", palace.pk]) in html
    html = client.get(reverse("meetings:meeting_detail", args=[palace.pk])).content.decode()
    assert reverse("documents:docx", args=["record", palace.pk]) in html
    assert reverse("documents:pdf", args=["record", palace.pk]) in html
    review = SelfReview.objects.get(meeting=palace, kind=SelfReview.Kind.COMMITTEE)
    html = client.get(reverse("meetings:selfreview_detail", args=[review.pk])).content.decode()
    assert reverse("documents:docx", args=["self-review", review.pk]) in html
    assert reverse("documents:pdf", args=["self-review", review.pk]) in html and "公文版 PDF" in html


def test_the_rectification_pages_link_their_word_files(office_meeting, login):
    client = login("secretary")
    html = client.get(reverse("rectification:problem_list", args=[office_meeting.pk])).content.decode()
    assert reverse("documents:docx", args=["problems", office_meeting.pk]) in html
    assert reverse("documents:pdf", args=["problems", office_meeting.pk]) in html and "公文版 PDF" in html
    html = client.get(reverse("rectification:ledger", args=[office_meeting.branch_id]) + "?q=来电").content.decode()
    assert reverse("documents:docx", args=["ledger", office_meeting.branch_id]) + "?q=" in html
    # the 公文 PDF is the ledger the page shows: its filters go with the link too
    assert reverse("documents:pdf", args=["ledger", office_meeting.branch_id]) + "?q=" in html


def test_a_member_sees_no_word_link_for_the_whole_record(palace, login, demo_orgs):
    member = demo_orgs.members["palace"]["程刚"]
    from tests.documents.test_permissions import user_for

    client = login(user_for(member).username)
    html = client.get(reverse("meetings:meeting_detail", args=[palace.pk])).content.decode()
    assert reverse("documents:docx", args=["record", palace.pk]) not in html
