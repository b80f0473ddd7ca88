"""A 公文 PDF of a problem list or ledger above rectification's cap for one request (pdfs.Document.fits_in_request)
is not rendered in the request: the GET offers the print job, the POST queues it (the same PrintJob, progress
page and download), and the job prints the 公文 layout with the options and the date the download asked for."""

import datetime as dt
import io
from unittest import mock
from urllib.parse import quote

from django.urls import reverse
from pypdf import PdfReader

from documents import pdf as documents_pdf
from rectification import pdfs as rectification_pdfs
from rectification import printing
from rectification.models import PrintJob

from .conftest import DAY
from .test_gongwen_pdf import assert_gongwen_fonts_embedded, text_of

QUERY = {"red_header": "1", "doc_number": "水阜机党[2026]3号"}


def _no_render():
    return mock.patch.object(documents_pdf, "render_pdf", side_effect=AssertionError("rendered in the request"))


def _download(client, job):
    response = client.get(reverse("rectification:print_job_download", args=[job.pk]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_a_list_above_the_cap_is_offered_as_a_print_job_and_a_get_writes_nothing(office_meeting, login, monkeypatch):
    monkeypatch.setattr(rectification_pdfs, "LIST_INLINE_MAX_CHARS", 10)
    url = reverse("documents:pdf", args=["problems", office_meeting.pk])
    with _no_render():
        response = login("secretary").get(url, QUERY)
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "水阜镇机关党支部问题清单（公文版 PDF）" in page and "共 2 条问题" in page and "在后台生成" in page
    assert f'action="{url}?red_header=1&amp;doc_number=' in page  # the POST keeps the options
    assert not PrintJob.objects.exists()


def test_the_queued_list_prints_in_the_gongwen_layout_with_the_day_it_was_asked_for(
    office_meeting, login, on_the_day, eager, monkeypatch, time_machine, django_capture_on_commit_callbacks, tmp_path
):
    monkeypatch.setattr(rectification_pdfs, "LIST_INLINE_MAX_CHARS", 10)
    client = login("secretary")
    url = reverse("documents:pdf", args=["problems", office_meeting.pk]) + "?red_header=1&doc_number=水阜机党[2026]3号"
    with _no_render(), django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url)
    job = PrintJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rectification:print_job", args=[job.pk])
    assert (job.kind, job.style, job.meeting, job.status) == ("list", "gongwen", office_meeting, "pending")
    assert job.options["red_header"] is True and job.options["doc_number"] == "水阜机党〔2026〕3号"
    # the worker runs the next morning: the document still carries the day of the download
    time_machine.move_to(DAY + dt.timedelta(days=1), tick=False)
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == "done", job.error
    client = login("secretary")  # a day later the session has ended
    assert "公文版式" in client.get(response["Location"]).content.decode()  # the progress page names the layout
    download, content = _download(client, job)
    assert quote("水阜镇机关党支部2019年度组织生活会问题清单.pdf") in download["Content-Disposition"]
    text = text_of(content)
    assert text.startswith("中共水阜镇机关党支部水阜机党〔2026〕3号水阜镇机关党支部问题清单"), text[:80]
    assert "一、支部班子" in text and "【坚定理想信念方面】支部班子抓学习不够经常" in text and "回复群众来电不及时" in text
    assert "2026年12月6日" in text and "2026年12月7日" not in text
    assert_gongwen_fonts_embedded(content, tmp_path)


def test_a_ledger_above_the_cap_keeps_its_filters_in_the_gongwen_job(
    office_meeting, login, on_the_day, eager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(rectification_pdfs, "LEDGER_INLINE_MAX_CHARS", 10)
    client = login("secretary")
    url = reverse("documents:pdf", args=["ledger", office_meeting.branch_id]) + "?q=来电"
    with _no_render():
        assert "在后台生成" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    job = PrintJob.objects.get()
    assert job.status == "done", job.error
    assert (job.kind, job.style, job.meeting, job.filters["search"]) == ("ledger", "gongwen", None, "来电")
    _response, content = _download(client, job)
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    text = text_of(content)
    assert "水阜镇机关党支部整改台账" in text and "整改事项及对应问题" in text
    assert "群众来电当日回复" in text and "建立集中学习制度" not in text
    assert_gongwen_fonts_embedded(content)


def test_a_list_within_the_cap_is_rendered_in_the_request(office_meeting, login, on_the_day):
    assert rectification_pdfs.problem_list_doc(meeting=office_meeting).fits_in_request
    response = login("secretary").get(reverse("documents:pdf", args=["problems", office_meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not PrintJob.objects.exists()


def test_someone_who_may_not_see_the_list_cannot_queue_it(office_meeting, login, monkeypatch):
    monkeypatch.setattr(rectification_pdfs, "LIST_INLINE_MAX_CHARS", 10)
    url = reverse("documents:pdf", args=["problems", office_meeting.pk])
    assert login("anyue").post(url).status_code == 403
    assert login("member").post(url).status_code == 403
    assert not PrintJob.objects.exists()


def test_only_the_list_and_the_ledger_are_ever_queued(palace, login):
    client = login("anyue")
    assert client.post(reverse("documents:pdf", args=["report", palace.pk])).status_code == 405
    assert client.post(reverse("documents:docx", args=["report", palace.pk])).status_code == 405
    assert not PrintJob.objects.exists()


def test_bad_options_come_back_on_the_options_page_and_queue_nothing(office_meeting, login, monkeypatch):
    monkeypatch.setattr(rectification_pdfs, "LIST_INLINE_MAX_CHARS", 10)
    url = reverse("documents:pdf", args=["problems", office_meeting.pk])
    response = login("secretary").post(url + "?doc_number=" + "号" * 41)
    assert response.status_code == 400 and "发文字号最多" in response.content.decode()
    assert not PrintJob.objects.exists()


def test_the_gongwen_layout_is_registered_with_rectifications_print_jobs():
    assert printing.STYLE_RENDERERS[PrintJob.Style.GONGWEN] is documents_pdf.job_render
