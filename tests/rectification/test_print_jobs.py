import contextlib
import datetime as dt
import os
from unittest import mock

import pytest
from django.urls import reverse

from rectification import pdfs, printing, services
from rectification.models import PrintJob, Problem

from .factories import ItemFactory, MeetingFactory, ProblemFactory


@pytest.fixture
def county_problems(demo_orgs):
    """Three branches of 皋兰县 with problems: 水阜镇机关 (3 members), 燕儿坪村 (2), 砂岗村第一 (1)."""
    counts = {"office": 3, "yanerping": 2, "shagang1": 1}
    for key, n in counts.items():
        meeting = MeetingFactory(branch=demo_orgs.orgs[key])
        for member in list(demo_orgs.members[key].values())[:n]:
            ProblemFactory(meeting=meeting, member=member)
    return counts


def test_it_queues_the_job_after_commit(demo_orgs, django_capture_on_commit_callbacks):
    with mock.patch("rectification.tasks.print_job_run.apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            job = services.print_job_create(user=demo_orgs.users["county"], organization=demo_orgs.orgs["gaolan"])
    assert len(callbacks) == 1
    apply_async.assert_called_once_with(args=(job.pk,), kwargs={}, retry=False)
    assert PrintJob.objects.get().status == "pending"


def test_a_county_job_is_split_into_chunks_and_merged(demo_orgs, county_problems, eager, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(printing, "CHUNK_MAX_CARDS", 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.print_job_create(user=demo_orgs.users["county"], organization=demo_orgs.orgs["gaolan"])
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.total == 6 and job.done == 6
    assert len(job.plan) == 3 and sorted(job.parts_done) == [0, 1, 2]
    with job.result.open("rb") as fh:
        pdf = fh.read()
    assert pdfs.page_count(pdf) == 12 and job.pages == 12
    assert not os.listdir(printing.print_storage.path(f"parts/{job.pk}"))  # the parts are cleaned up


def test_the_chunk_plan_packs_small_branches_and_splits_big_ones(demo_orgs, county_problems, monkeypatch):
    monkeypatch.setattr(printing, "CHUNK_MAX_CARDS", 2)
    job = PrintJob.objects.create(organization=demo_orgs.orgs["gaolan"], requested_by=demo_orgs.users["county"])
    plan = printing.plan_chunks(job=job)
    # tree order: 水阜镇机关 (3, split by member), 砂岗村第一 (1, packed with the rest of it), 燕儿坪村 (2)
    assert [c["units"] for c in plan] == [2, 2, 2]
    assert len(plan[0]["parts"][0][2]) == 2 and len(plan[1]["parts"][0][2]) == 1
    assert plan[1]["parts"][1][2] is None and plan[2]["parts"][0][2] is None


def test_the_progress_page_polls_and_offers_the_download(demo_orgs, county_problems, eager, login, django_capture_on_commit_callbacks):
    client = login("county")
    url = reverse("rectification:print_job_start", args=[demo_orgs.orgs["gaolan"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "cards", "year": ""})
    job = PrintJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rectification:print_job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("rectification:print_job_status", args=[job.pk]) in page and "rectification_print.js" in page
    status = client.get(reverse("rectification:print_job_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["total"] == 6
    download = client.get(status["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_nobody_else_sees_the_job(demo_orgs, login):
    job = PrintJob.objects.create(organization=demo_orgs.orgs["gaolan"], requested_by=demo_orgs.users["county"])
    client = login("secretary")
    for name in ("print_job", "print_job_status", "print_job_download"):
        assert client.get(reverse(f"rectification:{name}", args=[job.pk])).status_code == 403


def test_a_job_with_nothing_to_print_fails_with_a_reason(demo_orgs, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.print_job_create(user=demo_orgs.users["county"], organization=demo_orgs.orgs["gaolan"])
    job.refresh_from_db()
    assert job.status == "failed" and "没有可打印的内容" in job.error


def test_a_chunk_that_crashes_marks_the_job_failed(demo_orgs, county_problems, eager, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(printing, "render_chunk", mock.Mock(side_effect=ValueError("坏数据")))
    # whether the eager group re-raises depends on Celery's eager settings; the job's row is what matters
    with contextlib.suppress(ValueError), django_capture_on_commit_callbacks(execute=True):
        services.print_job_create(user=demo_orgs.users["county"], organization=demo_orgs.orgs["gaolan"])
    job = PrintJob.objects.get()
    assert job.status == "failed" and "坏数据" in job.error


def test_ledger_and_list_jobs_cover_every_branch(demo_orgs, county_problems, eager, django_capture_on_commit_callbacks):
    ItemFactory(responsible=demo_orgs.members["office"]["杨丽"])
    with django_capture_on_commit_callbacks(execute=True):
        lists = services.print_job_create(user=demo_orgs.users["county"], organization=demo_orgs.orgs["gaolan"], kind="list")
        ledger = services.print_job_create(user=demo_orgs.users["county"], organization=demo_orgs.orgs["gaolan"], kind="ledger")
    lists.refresh_from_db()
    ledger.refresh_from_db()
    assert (lists.status, lists.total, lists.pages) == ("done", 3, 3)
    assert (ledger.status, ledger.total) == ("done", 1)


def test_a_member_cannot_start_a_job(demo_orgs, login):
    response = login("member").post(reverse("rectification:print_job_start", args=[demo_orgs.orgs["office"].pk]), {"kind": "cards"})
    assert response.status_code == 403 and not PrintJob.objects.exists()


def test_the_rescue_requeues_only_stale_pending_jobs(demo_orgs):
    import datetime as dt

    from django.utils import timezone

    from rectification.tasks import print_jobs_resume

    stale = PrintJob.objects.create(organization=demo_orgs.orgs["gaolan"], requested_by=demo_orgs.users["county"])
    PrintJob.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    PrintJob.objects.create(organization=demo_orgs.orgs["gaolan"], requested_by=demo_orgs.users["county"])
    with mock.patch("rectification.tasks.print_job_run.apply_async") as apply_async:
        assert print_jobs_resume() == 1
    apply_async.assert_called_once_with(args=(stale.pk,), kwargs={}, retry=False)


def test_a_county_job_in_the_a4_layout_imposes_the_cards_after_merging_the_chunks(
    demo_orgs, county_problems, eager, login, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(printing, "CHUNK_MAX_CARDS", 2)  # three chunks of two cards: a sheet spans two chunks
    url = reverse("rectification:print_job_start", args=[demo_orgs.orgs["gaolan"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        login("county").post(url, {"kind": "cards", "year": "", "layout": "a4"})
    job = PrintJob.objects.get()
    assert job.status == "done", job.error
    assert job.layout == "a4" and "A4" in str(job) and "A4四合一" in printing.filename_for(job)
    with job.result.open("rb") as fh:
        pdf = fh.read()
    assert pdfs.page_count(pdf) == 4 and job.pages == 4  # six cards: two A4 sheets, both sides


def test_only_cards_have_a_layout(demo_orgs):
    job = services.print_job_create(user=demo_orgs.users["county"], organization=demo_orgs.orgs["gaolan"],
                                    kind=PrintJob.Kind.LEDGER, layout=PrintJob.Layout.A4)
    assert job.layout == PrintJob.Layout.A6


def test_a_list_job_in_another_layout_is_rendered_by_the_renderer_registered_for_it(
    demo_orgs, county_problems, eager, django_capture_on_commit_callbacks, monkeypatch
):
    meeting = Problem.objects.filter(meeting__branch=demo_orgs.orgs["office"]).first().meeting
    calls = []

    def renderer(**part):
        calls.append(part)
        return pdfs.render_problem_list(meeting=meeting)

    monkeypatch.setitem(printing.STYLE_RENDERERS, PrintJob.Style.GONGWEN, renderer)
    options = {"red_header": True, "filename": "水阜镇机关党支部问题清单.pdf"}
    with django_capture_on_commit_callbacks(execute=True):
        job = printing.styled_job_create(user=demo_orgs.users["secretary"], style=PrintJob.Style.GONGWEN, options=options,
                                         organization=meeting.branch, kind=PrintJob.Kind.LIST, meeting=meeting)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert calls == [{"obj_id": meeting.pk, "kind": "list", "filters": None, "options": options}]
    assert "公文版式" in str(job) and printing.filename_for(job) == "水阜镇机关党支部问题清单.pdf"


def test_cards_come_in_no_other_style(demo_orgs):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        printing.styled_job_create(user=demo_orgs.users["county"], style=PrintJob.Style.GONGWEN, options={},
                                   organization=demo_orgs.orgs["gaolan"], kind=PrintJob.Kind.CARDS)
    assert not PrintJob.objects.exists()


# ---------------------------------------------------------------- the same request twice (a double click)
def _queue(user, org, **job):
    return services.print_job_create(user=user, organization=org, **job)  # its task would start on commit


def test_the_same_request_again_while_the_first_is_queued_is_the_first_job(demo_orgs, django_capture_on_commit_callbacks):
    county, gaolan = demo_orgs.users["county"], demo_orgs.orgs["gaolan"]
    with mock.patch("rectification.tasks.print_job_run.apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            first = services.print_job_create(user=county, organization=gaolan, layout=PrintJob.Layout.A4)
        with django_capture_on_commit_callbacks(execute=True):
            again = services.print_job_create(user=county, organization=gaolan, layout=PrintJob.Layout.A4)
    assert again.pk == first.pk and PrintJob.objects.count() == 1
    apply_async.assert_called_once_with(args=(first.pk,), kwargs={}, retry=False)


def test_a_different_request_or_person_is_a_job_of_its_own(demo_orgs):
    county, gaolan = demo_orgs.users["county"], demo_orgs.orgs["gaolan"]
    first = _queue(county, gaolan)
    others = [
        _queue(county, gaolan, layout=PrintJob.Layout.A4),
        _queue(county, gaolan, kind=PrintJob.Kind.LEDGER),
        _queue(county, gaolan, year=2025),
        _queue(county, demo_orgs.orgs["office"]),
        _queue(demo_orgs.users["secretary"], demo_orgs.orgs["office"]),
        _queue(county, demo_orgs.orgs["office"], kind=PrintJob.Kind.LEDGER, filters={"status": "overdue"}),
        printing.styled_job_create(user=county, style=PrintJob.Style.GONGWEN, options={"red_header": True},
                                   organization=gaolan, kind=PrintJob.Kind.LEDGER),
        printing.styled_job_create(user=county, style=PrintJob.Style.GONGWEN, options={"red_header": False},
                                   organization=gaolan, kind=PrintJob.Kind.LEDGER),
    ]
    assert len({first.pk, *(o.pk for o in others)}) == 9
    same = printing.styled_job_create(user=county, style=PrintJob.Style.GONGWEN, options={"red_header": True},
                                      organization=gaolan, kind=PrintJob.Kind.LEDGER)
    assert same.pk == others[6].pk


def test_once_the_first_is_done_failed_or_long_queued_the_request_queues_again(demo_orgs, time_machine):
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    county, gaolan = demo_orgs.users["county"], demo_orgs.orgs["gaolan"]
    for status in (PrintJob.Status.DONE, PrintJob.Status.FAILED):
        first = _queue(county, gaolan)
        PrintJob.objects.filter(pk=first.pk).update(status=status)
        assert _queue(county, gaolan).pk != first.pk
    running = PrintJob.objects.filter(status=PrintJob.Status.PENDING).get()
    PrintJob.objects.filter(pk=running.pk).update(status=PrintJob.Status.RUNNING)
    assert _queue(county, gaolan).pk == running.pk
    time_machine.shift(services.PRINT_JOB_SAME_REQUEST_WINDOW + dt.timedelta(seconds=1))
    assert _queue(county, gaolan).pk != running.pk


def test_a_double_click_on_the_page_opens_one_job(demo_orgs, login):
    client = login("county")
    url = reverse("rectification:print_job_start", args=[demo_orgs.orgs["gaolan"].pk])
    form = {"kind": "cards", "layout": "a6", "year": ""}
    with mock.patch("rectification.tasks.print_job_run.apply_async"):
        first, second = client.post(url, form), client.post(url, form)
    assert first.status_code == 302 and first["Location"] == second["Location"]
    assert PrintJob.objects.count() == 1


@pytest.mark.postgres
def test_two_clicks_arriving_together_make_one_job(transactional_db, monkeypatch):
    """Two requests at the same instant, each in its own connection: the second waits on the requester's row
    and then finds the first's job (each lingers after looking, so that without the lock both would insert)."""
    import threading
    import time

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    from tests.conftest import seed

    demo = seed()
    county, gaolan = demo.users["county"], demo.orgs["gaolan"]
    gate = threading.Barrier(2)
    made, errors = [], []
    look = services._print_job_same_as

    def slow_look(job):
        found = look(job)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "_print_job_same_as", slow_look)

    def click():
        try:
            gate.wait()
            made.append(services.print_job_create(user=county, organization=gaolan).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    with mock.patch("rectification.tasks.print_job_run.apply_async") as apply_async:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == [] and len(made) == 2 and made[0] == made[1]
    apply_async.assert_called_once_with(args=(made[0],), kwargs={}, retry=False)
    assert PrintJob.objects.count() == 1
