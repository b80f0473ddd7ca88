"""Issue 22: long text members type can neither stall a PDF request nor make a PDF unbounded.

The cause was WeasyPrint's automatic table layout: it measures each cell's narrowest width by laying out
the rest of a run of Chinese again at every character (quadratic). The tables now have a fixed layout, the
printed texts are clipped, the forms refuse over-long text, and a PDF too big for a request is offered as a
background print job. No test here is timed: benchmarks/bench_problem_pdf.py measures.
"""

import io
import random
from unittest import mock

import pytest
from django.urls import reverse
from pypdf import PdfReader
from weasyprint.layout import table as weasy_table

from rectification import pdfs, printing, services
from rectification.models import (
    ITEM_GOAL_MAX,
    ITEM_MEASURES_MAX,
    PROBLEM_TEXT_MAX,
    PrintJob,
    Problem,
    RectificationItem,
)

from .factories import ItemFactory, MeetingFactory, ProblemFactory
from .test_pdfs import _text

CHARS = "理论学习不够系统深入联系群众走访次数偏少担当作为求稳怕乱执行制度严格廉洁自律意识服务主动拖延"


def long_text(n: int, seed: int = 0) -> str:
    """n Chinese characters with no space and no line break (as in the audit)."""
    rnd = random.Random(seed)
    return "".join(rnd.choice(CHARS) for _ in range(n))


@pytest.fixture
def no_render(monkeypatch):
    """Any PDF rendered inside the request fails the test."""
    monkeypatch.setattr(pdfs, "html_to_pdf", mock.Mock(side_effect=AssertionError("rendered in the request")))




# ---------------------------------------------------------------- the forms refuse over-long text
def test_it_refuses_an_over_long_problem_and_keeps_what_was_typed(login, meeting, yang):
    text = long_text(PROBLEM_TEXT_MAX + 1)
    response = login("secretary").post(
        reverse("rectification:problem_add", args=[meeting.pk]), {"member": yang.pk, "aspect": "作风", "text": text}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f"最多 {PROBLEM_TEXT_MAX} 个字（现在 {PROBLEM_TEXT_MAX + 1} 个字），请精简后再保存。" in page
    assert text in page
    assert not Problem.objects.exists()


def test_it_accepts_a_problem_of_exactly_the_maximum_length(login, meeting, yang):
    response = login("secretary").post(
        reverse("rectification:problem_add", args=[meeting.pk]), {"member": yang.pk, "text": long_text(PROBLEM_TEXT_MAX)}
    )
    assert response.status_code == 302
    assert len(Problem.objects.get().text) == PROBLEM_TEXT_MAX


def test_it_refuses_over_long_measures_and_keeps_what_was_typed(login, office, yang):
    measures = long_text(ITEM_MEASURES_MAX + 5)
    response = login("secretary").post(reverse("rectification:item_create", args=[office.pk]), {
        "title": "走访群众", "goal": "每月走访", "measures": measures, "responsible": yang.pk,
        "deadline": "2099-01-01", "commitment": "按期完成",
    })
    page = response.content.decode()
    assert response.status_code == 400
    assert f"最多 {ITEM_MEASURES_MAX} 个字（现在 {ITEM_MEASURES_MAX + 5} 个字）" in page
    assert measures in page and "每月走访" in page
    assert not RectificationItem.objects.exists()


def test_an_item_stored_before_the_bounds_can_still_be_closed(meeting, yang, secretary_user):
    item = ItemFactory(responsible=yang, meeting=meeting, goal=long_text(ITEM_GOAL_MAX * 4))
    services.item_submit(item=item, actor=secretary_user, note="已完成")
    services.rectification_item_close(item=item, actor=secretary_user)
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.CLOSED and len(item.goal) == ITEM_GOAL_MAX * 4


# ---------------------------------------------------------------- the PDFs: bounded and linear
def test_the_pdf_clips_a_long_problem_and_says_where_the_rest_is(meeting, yang):
    problem = ProblemFactory(meeting=meeting, member=yang, text=long_text(3000), source_kind="criticism")
    doc = pdfs.problem_list_doc(meeting=meeting)
    printed = doc.context["members"][0]["problems"][0].print_text
    assert printed == problem.text[:PROBLEM_TEXT_MAX] + "……（全文见系统）"
    assert "全文见系统" in _text(doc.render())
    problem.refresh_from_db()
    assert len(problem.text) == 3000  # the row keeps its whole text


def test_the_ledger_clips_each_of_its_texts(meeting, yang):
    problem = ProblemFactory(meeting=meeting, member=yang, text=long_text(800))
    item = ItemFactory(responsible=yang, meeting=meeting, goal=long_text(2000), measures=long_text(2000),
                       commitment=long_text(2000))
    item.problems.set([problem])
    row = pdfs.ledger_doc(branch=yang.branch).context["items"][0]
    suffix = "……（全文见系统）"
    assert row.print_goal.endswith(suffix) and len(row.print_goal) == ITEM_GOAL_MAX + len(suffix)
    assert len(row.print_measures) == ITEM_MEASURES_MAX + len(suffix)
    assert row.print_problems == [problem.text[: pdfs.LEDGER_PROBLEM_MAX] + suffix]


def test_short_text_prints_whole():
    assert pdfs.clip("开会时经常看手机", PROBLEM_TEXT_MAX) == "开会时经常看手机"
    assert pdfs.clip("", 10) == "" and pdfs.clip(None, 10) == ""


def test_the_tables_never_take_the_automatic_layout(meeting, yang, monkeypatch):
    """The automatic layout was the quadratic part: it must not run for the list or the ledger."""
    ProblemFactory(meeting=meeting, member=yang, text=long_text(300))
    ProblemFactory(meeting=meeting, member=None, text=long_text(300), source_id=None)
    ItemFactory(responsible=yang, meeting=meeting, measures=long_text(300))
    spy = mock.Mock(wraps=weasy_table.auto_table_layout)
    monkeypatch.setattr(weasy_table, "auto_table_layout", spy)
    pdfs.render_problem_list(meeting=meeting)
    pdfs.render_ledger(branch=yang.branch)
    assert spy.call_count == 0


def test_a_long_run_of_letters_wraps_inside_its_cell(meeting, yang):
    ProblemFactory(meeting=meeting, member=yang, text="a" * 600)
    text = _text(pdfs.render_problem_list(meeting=meeting))
    runs = [line for line in text.splitlines() if "aaaa" in line]
    assert len(runs) > 5 and "".join(runs).count("a") == 600  # wrapped, every letter printed


def test_twenty_problems_of_the_maximum_length_render_in_one_request_with_sane_pages(login, meeting, demo_orgs):
    members = list(demo_orgs.members["office"].values())[:5]
    for i in range(20):
        ProblemFactory(meeting=meeting, member=members[i % 5], text=long_text(PROBLEM_TEXT_MAX, seed=i))
    response = login("secretary").get(reverse("rectification:problem_list_pdf", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    # a row of 1,000 characters fills 60% of a page and rows are not split: a page each, 20 (not 40 or 200)
    assert 10 <= pages <= 25


# ---------------------------------------------------------------- too big for a request: the print job
def _fill(meeting, members, n: int, length: int) -> None:
    Problem.objects.bulk_create(
        Problem(meeting=meeting, member=members[i % len(members)], text=long_text(length, seed=i)) for i in range(n)
    )


def test_a_big_list_is_offered_as_a_print_job_without_rendering(login, meeting, demo_orgs, no_render):
    _fill(meeting, list(demo_orgs.members["office"].values()), 30, PROBLEM_TEXT_MAX)
    assert not pdfs.problem_list_doc(meeting=meeting).fits_in_request
    url = reverse("rectification:problem_list_pdf", args=[meeting.pk])
    response = login("secretary").get(url)
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "共 30 条问题" in page and "在后台生成" in page and f'action="{url}"' in page
    assert not PrintJob.objects.exists()  # a GET never writes


def test_posting_queues_a_job_for_that_meeting(login, meeting, demo_orgs, no_render, django_capture_on_commit_callbacks):
    url = reverse("rectification:problem_list_pdf", args=[meeting.pk])
    with mock.patch("rectification.tasks.print_job_run.apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            response = login("secretary").post(url)
    job = PrintJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rectification:print_job", args=[job.pk])
    assert (job.kind, job.meeting, job.organization, job.year) == ("list", meeting, meeting.branch, meeting.year)
    assert job.requested_by == demo_orgs.users["secretary"]
    apply_async.assert_called_once_with(args=(job.pk,), kwargs={}, retry=False)


def test_the_job_prints_the_meeting_it_was_asked_for(meeting, demo_orgs, eager, django_capture_on_commit_callbacks):
    yang = demo_orgs.members["office"]["杨丽"]
    ProblemFactory(meeting=meeting, member=yang, text="年度会的问题")
    special = MeetingFactory(branch=meeting.branch, kind="special", year=meeting.year)
    ProblemFactory(meeting=special, member=yang, text="专题会的问题")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.print_job_create(user=demo_orgs.users["secretary"], organization=meeting.branch,
                                        kind=PrintJob.Kind.LIST, meeting=meeting)
    job.refresh_from_db()
    assert job.status == "done", job.error
    with job.result.open("rb") as fh:
        text = _text(fh.read())
    assert "年度会的问题" in text and "专题会的问题" not in text


def test_a_big_ledger_keeps_its_filters_in_the_job(login, office, meeting, yang, eager, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    ItemFactory(responsible=yang, meeting=meeting, title="整改中的事项", status="in_progress")
    ItemFactory(responsible=yang, meeting=meeting, title="未开始的事项")
    monkeypatch.setattr(pdfs, "LEDGER_INLINE_MAX_CHARS", 10)
    client = login("secretary")
    url = reverse("rectification:ledger_pdf", args=[office.pk]) + "?status=in_progress"
    assert "在后台生成" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    job = PrintJob.objects.get()
    assert job.status == "done", job.error
    assert job.filters["status"] == "in_progress" and job.meeting is None
    with job.result.open("rb") as fh:
        text = _text(fh.read())
    assert "整改中的事项" in text and "未开始的事项" not in text


def test_many_cards_are_offered_as_a_job_in_the_chosen_layout(login, meeting, yang, zhang, no_render, monkeypatch):
    ProblemFactory(meeting=meeting, member=yang)
    ProblemFactory(meeting=meeting, member=zhang)
    monkeypatch.setattr(pdfs, "CARDS_INLINE_MAX", 1)
    client = login("secretary")
    url = reverse("rectification:cards_pdf", args=[meeting.pk]) + "?layout=a4"
    assert "共 2 张提醒卡" in client.get(url).content.decode()
    with mock.patch("rectification.tasks.print_job_run.apply_async"):
        client.post(url)
    job = PrintJob.objects.get()
    assert (job.kind, job.layout, job.meeting) == ("cards", "a4", meeting)
    assert printing.plan_chunks(job=job) == [{"parts": [["cards", meeting.pk, None]], "units": 2}]


def test_a_member_cannot_queue_a_branch_pdf(login, meeting):
    response = login("member").post(reverse("rectification:problem_list_pdf", args=[meeting.pk]))
    assert response.status_code == 403 and not PrintJob.objects.exists()


def test_a_ledger_job_is_not_tied_to_a_meeting(meeting, demo_orgs):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.print_job_create(user=demo_orgs.users["secretary"], organization=meeting.branch,
                                  kind=PrintJob.Kind.LEDGER, meeting=meeting)
    assert not PrintJob.objects.exists()
