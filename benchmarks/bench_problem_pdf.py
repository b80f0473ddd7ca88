"""Benchmark of the problem-list, ledger and card PDFs with long text (issue 22, audit finding 8).

Not a test: run it by hand on the target machine and copy the table into the README.

    .venv/bin/python benchmarks/bench_problem_pdf.py              # about a minute
    .venv/bin/python benchmarks/bench_problem_pdf.py --before     # + the old templates (minutes: 120 s+)

The audit found the problem list PDF taking 121 s for 20 problems of 2,000 Chinese characters without a
break (over gunicorn's 120 s timeout), 15.7 s for 40 × 500. The data here is that: each text a run of
characters drawn from seed 000 with no space and no line break, stored whole (as rows from before the
form bounds, or criticisms copied from the meeting record, are).

Runs, on a scratch SQLite database in a temp folder, in this one process (WeasyPrint imported and the
URLconf loaded first, as in a running web worker), each repeated --repeat times (median reported):

- view          GET of the PDF view through Django's test client: queries, template, clipping, WeasyPrint.
- bare          WeasyPrint alone on the very same HTML (`HTML(string=…).write_pdf()`): the ratio view / bare
                is our overhead.
- whole text    (once) the fixed layout alone, without clipping: the fix of the cause, text left whole.
- before        (--before, once) the same rows through the old problem-list template: the automatic table
                layout and unclipped text, i.e. the HTML with the two rules this issue added removed.
- offer         a list too big for a request: the view answers with the page offering the print job; the
                "job" row is that job rendered in the background path (job_start, chunk_run, job_merge).

Wall times on a shared machine are pessimistic: the CPU column (time.process_time) is the fair comparison,
and the load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_3e004ac221875e08.txt"
# the two rules issue 22 added to the table templates; without them the HTML is the old one
FIX_RULES = ("table { table-layout: fixed; }", "td { overflow-wrap: anywhere; }")


def _setup(work: Path) -> None:
    os.environ.pop("DB", None)
    os.environ.update(
        DB_NAME=str(work / "bench.sqlite3"),
        MEDIA_ROOT=str(work / "media"),
        DJANGO_SETTINGS_MODULE="branchlife.settings",
        AXES_ENABLED="False",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def _chars() -> list[str]:
    try:
        text = SEED.read_text()
    except OSError:  # the seeds are not in every checkout: any common characters will do
        text = "组织生活会前准备会上批评民主评议会后整改问题清单提醒卡台账理论学习不够系统深入联系群众"
    return [c for c in text if "\u4e00" <= c <= "\u9fff"]


def seed(*, problems: int, length: int, items: int = 0, name: str) -> dict:
    """One branch of 5 members and a meeting with `problems` problems of `length` characters each, and
    `items` ledger items whose goal, measures and commitment are `length` characters each."""
    import datetime as dt

    from meetings.models import Meeting
    from organizations.models import Member, Organization
    from rectification.models import Problem, RectificationItem

    rnd, chars = random.Random(22), _chars()

    def text() -> str:
        return "".join(rnd.choice(chars) for _ in range(length))

    root = Organization.get_root_nodes().first() or Organization.add_root(name="基准县委", level=Organization.Level.COUNTY)
    branch = root.add_child(name=name, level=Organization.Level.BRANCH)
    members = [
        Member.objects.create(branch=branch, name=f"党员{i}", phone=f"13{branch.pk:04d}{i:05d}", sex="M", education="bachelor")
        for i in range(5)
    ]
    meeting = Meeting.objects.create(branch=branch, year=2026, kind="annual")
    rows = Problem.objects.bulk_create(
        Problem(meeting=meeting, member=members[i % 5], text=text(), source_kind="criticism" if i % 2 else "self_review")
        for i in range(problems)
    )
    for i in range(items):
        item = RectificationItem.objects.create(
            branch=branch, meeting=meeting, responsible=members[i % 5], title=text()[:100], goal=text(),
            measures=text(), commitment=text(), deadline=dt.date.today() + dt.timedelta(days=30),
        )
        item.problems.set([rows[i % len(rows)]])
    return {"branch": branch, "meeting": meeting}


def timed(fn, repeat: int) -> dict:
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "n": repeat, "out": out}


def bare(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(ROOT)).write_pdf()


def old_html(html: str) -> str:
    for rule in FIX_RULES:
        html = html.replace(rule, "")
    return html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", action="store_true", help="also time the old templates once (slow)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-problem-pdf-"))
    try:
        run(work, opts)
    finally:
        if opts.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, opts) -> None:
    _setup(work)
    import weasyprint  # noqa: F401  a web worker has it loaded already
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import get_resolver, reverse

    from rectification import pdfs, printing
    from rectification.models import PrintJob

    assert get_resolver().url_patterns  # the URLconf import is start-up, not rendering
    load_start = os.getloadavg()
    user = get_user_model().objects.create_superuser("bench", "bench@example.cn", "x")
    client = Client()
    client.force_login(user)
    r = opts.repeat
    rows: list[tuple] = []

    def pages(pdf: bytes) -> int:
        return pdfs.page_count(pdf)

    def unclipped(make_doc):
        """The document as the old code built it: every text whole."""
        keep = pdfs.clip
        pdfs.clip = lambda text, limit: text or ""
        try:
            return make_doc()
        finally:
            pdfs.clip = keep

    datasets = [("20 problems × 2,000 chars", 20, 2000), ("40 problems × 500 chars", 40, 500)]
    for label, n, length in datasets:
        data = seed(problems=n, length=length, items=20 if n == 20 else 0, name=f"基准{n}×{length}党支部")
        meeting, branch = data["meeting"], data["branch"]
        url = reverse("rectification:problem_list_pdf", args=[meeting.pk])
        view = timed(lambda url=url: client.get(url), r)
        assert view["out"]["Content-Type"] == "application/pdf", "the list should render in the request"
        html = pdfs.problem_list_doc(meeting=meeting).html()
        b = timed(lambda html=html: bare(html), r)
        rows.append((f"problem list, {label}: view", view, pages(view["out"].content), (b, "bare")))
        rows.append((f"problem list, {label}: bare WeasyPrint", b, pages(b["out"]), None))
        whole_html = unclipped(lambda meeting=meeting: pdfs.problem_list_doc(meeting=meeting)).html()
        whole = timed(lambda h=whole_html: bare(h), 1)
        rows.append((f"problem list, {label}: fixed layout, whole text (no clipping)", whole, pages(whole["out"]), (b, "bare")))
        if opts.before:
            before_html = old_html(whole_html)
            old = timed(lambda h=before_html: bare(h), 1)
            rows.append((f"problem list, {label}: before (auto layout, whole text)", old, pages(old["out"]), (b, "bare now")))
        if n == 20:
            curl = reverse("rectification:cards_pdf", args=[meeting.pk])
            cards = timed(lambda curl=curl: client.get(curl), r)
            rows.append(("reminder cards, 5 members × 4 problems of 2,000 chars: view", cards, pages(cards["out"].content), None))
            lurl = reverse("rectification:ledger_pdf", args=[branch.pk])
            offer = timed(lambda lurl=lurl: client.get(lurl), r)
            assert offer["out"]["Content-Type"].startswith("text/html"), "20 long items should go to the background"
            rows.append(("ledger, 20 items × 4 texts of 2,000 chars: view (offers the print job)", offer, "—", None))
            lhtml = pdfs.ledger_doc(branch=branch).html()
            lb = timed(lambda h=lhtml: bare(h), 1)
            rows.append(("ledger, same: bare WeasyPrint (clipped text, fixed layout)", lb, pages(lb["out"]), None))
            # No "before" for this ledger: the old template took 380 s for only 4 of these items (2,000 characters
            # in each of 16 cells); 20 would take half an hour.

    # A list too big for any request: the view offers the job at once; the job renders it.
    big = seed(problems=100, length=1000, name="基准大支部")
    url = reverse("rectification:problem_list_pdf", args=[big["meeting"].pk])
    offer = timed(lambda: client.get(url), r)
    assert offer["out"]["Content-Type"].startswith("text/html")
    rows.append(("problem list, 100 problems × 1,000 chars: view (offers the print job)", offer, "—", None))

    def job() -> bytes:
        created = PrintJob.objects.create(kind="list", organization=big["branch"], meeting=big["meeting"], requested_by=user)
        for index in printing.job_start(job_id=created.pk):
            printing.chunk_run(job_id=created.pk, index=index)
        printing.job_merge(job_id=created.pk)
        created.refresh_from_db()
        with created.result.open("rb") as fh:
            return fh.read()

    j = timed(job, 1)
    rows.append(("problem list, same: the background job (plan, render, store)", j, pages(j["out"]), None))

    load_end = os.getloadavg()
    print(f"load average {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end, on {os.cpu_count()} CPUs; "
          f"median of {r} runs (1 for 'whole text', 'before', 'job' and the ledger's bare run)")
    print()
    print("| run | wall s | CPU s | pages | CPU ratio |")
    print("|---|---|---|---|---|")
    for label, t, n_pages, ref in rows:
        ratio = f"{t['cpu'] / ref[0]['cpu']:.2f}× {ref[1]}" if ref else ""
        print(f"| {label} | {t['wall']:.2f} | {t['cpu']:.2f} | {n_pages} | {ratio} |")


if __name__ == "__main__":
    main()
