"""Benchmark of the reminder cards (提醒卡): a branch's 30 cards and a county's 1,000 cards.

Not a test: run it by hand on the target machine and copy the table into the README.

    .venv/bin/python benchmarks/bench_cards.py            # 30 cards (3 runs) and 1,000 cards
    .venv/bin/python benchmarks/bench_cards.py --skip-1000

Each measurement runs in a fresh subprocess (so peak memory, from getrusage, is that run's alone) against
a scratch SQLite database in a temp folder:

- pipeline 30   `rectification.pdfs.render_cards(meeting=…)`: DB queries, template, QR code, WeasyPrint —
                what the cards_pdf view and `print_pdf cards` do.
- bare 30       WeasyPrint alone on the very same HTML (saved by the pipeline run): `HTML(string=…).write_pdf()`
                in a process that imports nothing else. The ratio pipeline / bare is our overhead.
- pipeline 1000 the background job path: plan chunks (≤ 200 cards), render them in 2 worker processes (as two
                Celery workers would), merge with pypdf.
- bare 1000     WeasyPrint alone on all 1,000 cards as one HTML document in one process.

Times: "render" is measured inside the process around the call; "process" is the whole subprocess,
interpreter start and imports included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _maxrss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchlife.settings")
    import django

    django.setup()


# ---------------------------------------------------------------- children (each in its own process)
def child_seed(work: Path, branches: int, last: int) -> dict:
    _django()
    from django.db import transaction

    from benchmarks.bench_cards_data import build

    with transaction.atomic():
        return build(branches=branches, members_per_branch=30, last_branch_members=last)


def child_pipeline30(work: Path, meeting_id: int) -> dict:
    t0 = time.perf_counter()
    _django()
    import weasyprint  # noqa: F401  a web or Celery worker has it loaded already; the bare run imports it too
    from django.urls import get_resolver

    from meetings.models import Meeting
    from rectification import pdfs, selectors

    # A running web or Celery worker has imported the URLconf (every app's views) long before it prints;
    # the first reverse() in a fresh process pays ~0.5 s for that, which is start-up, not rendering.
    assert get_resolver().url_patterns
    meeting = Meeting.objects.select_related("branch").get(pk=meeting_id)
    t1, c1 = time.perf_counter(), time.process_time()
    pdf = pdfs.render_cards(meeting=meeting)
    t2, c2 = time.perf_counter(), time.process_time()
    (work / "pipeline30.pdf").write_bytes(pdf)
    html_file = work / "cards30.html"
    if not html_file.exists():
        cards = selectors.cards_for_meeting(meeting=meeting)
        html_file.write_text(pdfs.cards_html(cards=cards, branch_name=meeting.branch.name))
    return {"render_s": t2 - t1, "cpu_s": c2 - c1, "setup_s": t1 - t0, "pages": pdfs.page_count(pdf), "bytes": len(pdf),
            "maxrss_mb": _maxrss_mb()}


def child_bare(work: Path, name: str) -> dict:
    # Nothing but WeasyPrint: no Django, no database, no template engine.
    html = (work / f"{name}.html").read_text()
    from weasyprint import HTML

    t1, c1 = time.perf_counter(), time.process_time()
    pdf = HTML(string=html, base_url=str(ROOT)).write_pdf()
    t2, c2 = time.perf_counter(), time.process_time()
    (work / f"bare-{name}.pdf").write_bytes(pdf)
    import io

    from pypdf import PdfReader

    return {"render_s": t2 - t1, "cpu_s": c2 - c1, "pages": len(PdfReader(io.BytesIO(pdf)).pages), "bytes": len(pdf),
            "maxrss_mb": _maxrss_mb()}


def _worker_init():
    _django()
    from django.db import connections

    connections.close_all()


def _worker_chunk(args):
    job_id, index = args
    from rectification import printing

    t = time.perf_counter()
    last = printing.chunk_run(job_id=job_id, index=index)
    return index, time.perf_counter() - t, last, _maxrss_mb()


def child_pipeline1000(work: Path, county_id: int, workers: int) -> dict:
    import multiprocessing as mp

    _django()
    from organizations.models import Organization
    from rectification import pdfs, printing, selectors
    from rectification.models import PrintJob

    t0, c0 = time.perf_counter(), time.process_time()
    job = PrintJob.objects.create(kind="cards", organization=Organization.objects.get(pk=county_id))
    indexes = printing.job_start(job_id=job.pk)
    t_plan = time.perf_counter()
    from django.db import connections

    connections.close_all()
    with mp.get_context("spawn").Pool(workers, initializer=_worker_init) as pool:
        results = pool.map(_worker_chunk, [(job.pk, i) for i in indexes], chunksize=1)
    t_chunks = time.perf_counter()
    printing.job_merge(job_id=job.pk)
    t_merge = time.perf_counter()
    # CPU of this process plus every worker (they have exited: RUSAGE_CHILDREN counts them)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + children.ru_utime + children.ru_stime
    job.refresh_from_db()
    with job.result.open("rb") as fh:
        pdf = fh.read()
    (work / "pipeline1000.pdf").write_bytes(pdf)
    # The same 1,000 cards as one HTML document, for the bare comparison (not timed).
    cards = []
    for _branch, meeting in selectors.print_branches(organization=job.organization):
        cards += selectors.cards_for_meeting(meeting=meeting)
    (work / "cards1000.html").write_text(pdfs.cards_html(cards=cards, branch_name="基准测试"))
    n_cards = sum(c["units"] for c in job.plan)
    return {
        "render_s": t_merge - t0,
        "cpu_s": cpu,
        "plan_s": t_plan - t0,
        "chunks_s": t_chunks - t_plan,
        "merge_s": t_merge - t_chunks,
        "chunks": len(job.plan),
        "chunk_times": sorted(round(r[1], 1) for r in results),
        "pages": job.pages,
        "cards": n_cards,
        "bytes": len(pdf),
        "maxrss_mb": max([_maxrss_mb()] + [r[3] for r in results]),
        "status": job.status,
    }


CHILDREN = {
    "seed": child_seed,
    "pipeline30": child_pipeline30,
    "bare": child_bare,
    "pipeline1000": child_pipeline1000,
}


# ---------------------------------------------------------------- orchestration
def run_child(env, work: Path, name: str, *args) -> dict:
    t = time.perf_counter()
    out = subprocess.run(
        [PYTHON, __file__, "_child", name, str(work), *map(str, args)],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )
    elapsed = time.perf_counter() - t
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"child {name} failed")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = elapsed
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-1000", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (PDFs, HTML)")
    opts = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-cards-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DB", "DB_NAME")}
    env.update(
        DB_NAME=str(work / "bench.sqlite3"),
        MEDIA_ROOT=str(work / "media"),
        DJANGO_SETTINGS_MODULE="branchlife.settings",
        PYTHONPATH=str(ROOT),
        SITE_URL=env.get("SITE_URL", "https://dj.example.cn"),
    )
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        branches, last = (34, 10) if not opts.skip_1000 else (1, 30)  # 33 × 30 + 10 = 1,000 cards
        seeded = run_child(env, work, "seed", branches, last)
        print(f"seeded {seeded['cards']} cards in {branches} branches ({seeded['process_s']:.1f} s)")

        rows = []
        p30, b30 = [], []
        for _ in range(opts.repeat):  # interleaved, so that a busy spell on the machine hits both alike
            p30.append(run_child(env, work, "pipeline30", seeded["first_meeting"]))
            b30.append(run_child(env, work, "bare", "cards30"))
        rows.append(("30 cards, pipeline (one process)", p30))
        rows.append(("30 cards, bare WeasyPrint", b30))
        if not opts.skip_1000:
            p1000 = [run_child(env, work, "pipeline1000", seeded["county"], opts.workers)]
            b1000 = [run_child(env, work, "bare", "cards1000")]
            rows.append((f"1,000 cards, pipeline ({p1000[0]['chunks']} chunks, {opts.workers} workers, merged)", p1000))
            rows.append(("1,000 cards, bare WeasyPrint (one document)", b1000))

        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; best of {opts.repeat} for 30 cards")
        print()
        print("| run | render s (best) | render CPU s | whole process s (best) | pages | pages/s | peak RSS MB | PDF KB |")
        print("|---|---|---|---|---|---|---|---|")
        best = {}
        for label, runs in rows:
            r = min(x["render_s"] for x in runs)
            c = min(x["cpu_s"] for x in runs)
            p = min(x["process_s"] for x in runs)
            pages = runs[0]["pages"]
            rss = max(x["maxrss_mb"] for x in runs)
            best[label] = (r, p, c)
            print(f"| {label} | {r:.2f} | {c:.2f} | {p:.2f} | {pages} | {pages / r:.1f} | {rss:.0f} | {runs[0]['bytes'] // 1024} |")
        print()
        (r_p, p_p, c_p), (r_b, p_b, c_b) = best[rows[0][0]], best[rows[1][0]]
        met = r_p / r_b < 1.5 and r_p < 3
        print(f"30 cards: pipeline/bare = {r_p / r_b:.2f}× render, {c_p / c_b:.2f}× CPU, {p_p / p_b:.2f}× whole process; "
              f"goal (render < 3 s, < 1.5× bare): {'met' if met else 'NOT met'}")
        if not opts.skip_1000:
            (r_p, p_p, c_p), (r_b, p_b, c_b) = best[rows[2][0]], best[rows[3][0]]
            d = p1000[0]
            print(f"1,000 cards: pipeline/bare = {r_p / r_b:.2f}× wall, {c_p / c_b:.2f}× CPU; "
                  f"plan {d['plan_s']:.1f} s, chunks {d['chunks_s']:.1f} s {d['chunk_times']}, merge {d['merge_s']:.1f} s")
            print(f"merged PDF {d['bytes'] // 1024} KB vs one bare document {b1000[0]['bytes'] // 1024} KB")
    finally:
        if opts.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        name, work, *rest = sys.argv[2:]
        func = CHILDREN[name]
        args = [int(a) if a.isdigit() else a for a in rest]
        print(json.dumps(func(Path(work), *args)))
    else:
        main()
