import shutil
import subprocess

import pytest
from django.urls import reverse

from lifecycle import selectors as lifecycle_selectors
from meetings import demo
from meetings.models import Meeting


@pytest.fixture
def palace(demo_orgs):
    demo.seed(demo_orgs)
    return Meeting.objects.get(branch=demo_orgs.orgs["palace"], year=2020)


def test_the_report_reads_like_seed_002(palace, login):
    response = login("anyue").get(reverse("meetings:report", args=[palace.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "安岳县青少年宫支部2020年度组织生活会情况报告" in page
    assert "2021年3月15日（星期一）上午9:00，在安岳县青少年宫底楼会议室" in page
    assert "共青团安岳县教育和体育局副书记左香菊到会督导" in page
    assert "现有党员8人，其中在职7人，退休1人，女性党员2人，研究生学历1人，本科学历4人，专科学历3人" in page
    assert "支部委员会设书记1人、纪检委员1人、宣传委员1人" in page
    assert "按照“四个必谈”的要求" in page and "实现全覆盖" in page
    assert "会议共完成了5项议程：一是支部书记代表党支部作对照检查" in page
    assert "应到党员8人，实到8人" in page
    assert "四明确一承诺" in page


def test_it_shows_the_evaluation_result_when_there_is_one(palace, login, monkeypatch):
    summary = {
        "grades": [("excellent", "优秀", 2), ("qualified", "合格", 6), ("basic", "基本合格", 0), ("unqualified", "不合格", 0)],
        "committee": [("good", "好", 6), ("fairly_good", "较好", 2)],
        "published": True,
    }
    monkeypatch.setattr(lifecycle_selectors, "evaluation_summary", lambda meeting: summary)
    page = login("anyue").get(reverse("meetings:report", args=[palace.pk])).content.decode()
    # The grades are told once, under 四、民主评议党员情况, not again among the branch's facts.
    assert "评定结果为：“优秀”2名，“合格”6名" in page and "民主测评的结果是" not in page
    assert "班子测评：“好”6票、“较好”2票" in page


def test_without_an_evaluation_the_report_says_so(palace, login, monkeypatch):
    monkeypatch.setattr(lifecycle_selectors, "evaluation_summary", lambda meeting: None)
    page = login("anyue").get(reverse("meetings:report", args=[palace.pk])).content.decode()
    assert "民主评议结果尚未确定" in page


def test_the_pdf_embeds_a_cjk_font_and_its_text_extracts(palace, login, tmp_path):
    response = login("anyue").get(reverse("meetings:report_pdf", args=[palace.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    from pdfminer.high_level import extract_text

    text = extract_text(str(path)).replace("\n", "")
    assert "现有党员8人，其中在职7人，退休1人，女性党员2人" in text
    assert "研究生学历1人，本科学历4人，专科学历3人" in text
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert "Noto-Sans-CJK-SC" in fonts and " yes yes yes " in fonts


def test_the_secretary_writes_the_next_steps(palace, demo_orgs, login):
    client = login("anyue")
    response = client.post(reverse("meetings:report", args=[palace.pk]), {"next_steps": "1.抓好整改\n2.强化服务"})
    assert response.status_code == 302
    palace.refresh_from_db()
    assert palace.next_steps == "1.抓好整改\n2.强化服务"
    page = client.get(reverse("meetings:report", args=[palace.pk])).content.decode()
    assert "<p class=\"indent\">2.强化服务</p>" in page


def test_with_the_evaluations_demo_the_report_has_2_excellent_and_6_qualified(demo_orgs, login):
    evaluations_demo = pytest.importorskip("evaluations.demo")
    demo.seed(demo_orgs)
    evaluations_demo.seed(demo_orgs)
    meeting = Meeting.objects.get(branch=demo_orgs.orgs["palace"], year=2020)
    page = login("anyue").get(reverse("meetings:report", args=[meeting.pk])).content.decode()
    assert "评定结果为：“优秀”2名，“合格”6名" in page


def test_the_report_counts_the_forums_held_and_what_they_gathered(palace, login):
    from meetings import services

    forum = services.forums.forum_save(meeting=palace, held_on=palace.held_on, topic="党员群众座谈会", member_participants=7,
                                other_participants=12)
    services.forums.forum_opinion_record(forum=forum, text="希望青少年宫周末多开放几个活动室。", answer="已调整开放时间", status="resolved")
    services.forums.forum_opinion_record(forum=forum, text="建议组织党员到社区开展志愿服务。")
    page = login("anyue").get(reverse("meetings:report", args=[palace.pk])).content.decode()
    assert "其中召开座谈会1场，党员7人次、群众等12人次参加，收集意见建议2条，当场答复或已经解决1条。" in page


def test_the_english_report_reads_as_english_sentences(palace, login, settings):
    client = login("anyue")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("meetings:report", args=[palace.pk])).content.decode()
    assert "on March 15, 2021 (Monday) at 9:00 a.m., at 安岳县青少年宫底楼会议室" in page
    assert "with 共青团安岳县教育和体育局副书记 左香菊 present as supervisors." in page
    assert "The meeting completed 5 agenda items: (1) 支部书记代表党支部作对照检查" in page
    assert "Secretary: 1, Discipline inspection member: 1, Propaganda member: 1." in page
    assert "星期" not in page and "上午" not in page
