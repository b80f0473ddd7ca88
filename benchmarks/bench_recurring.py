"""Benchmark: the recurring-problems page (issue 20 item 4) against the county dashboard, at county scale.

Not a test. `BENCH_SCRIPT=benchmarks/bench_recurring.py bash benchmarks/run_bench_ballots.sh
[--branches 600 --members 20000 --runs 20]` starts a throw-away PostgreSQL, migrates it and runs this.

Data: `seed_scale` (one season, and — dashboard.scale.build_problem_history — the two annual meetings
before it with problem lists, items and 回头看, problems coming back reworded, linked by the matcher).

Timed in the same run, for the county node and its largest township, through the in-process client as
the officer (session, two-factor, permission, every query, Python, template), medians of --runs after
2 warm-ups, ms:
- recurring   `dashboard:recurring` (nothing cached: it has no cache);
- dashboard   `dashboard:index` cold (every data version bumped, tallies current: bench_dashboard's "cold");
- bare        the recurring page's own statements re-executed through a bare cursor (fetchall);
and both pages' query counts. The goal: the recurring page answers in less than the dashboard's time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchlife.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.bench_quarter_ranking import WARMUP, largest_township, load, officer_client, timed  # noqa: E402
from dashboard.services import dashboard_data_changed  # noqa: E402
from rectification.models import Problem  # noqa: E402


def bench(client, node, year: int, runs: int) -> dict:
    recurring = f"{reverse('dashboard:recurring')}?org={node.pk}&year={year}"
    index = f"{reverse('dashboard:index')}?org={node.pk}&year={year}"
    for url in (recurring, index):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        client.get(recurring)
    statements = [c["sql"] for c in captured.captured_queries]
    with CaptureQueriesContext(connection) as captured_index:
        dashboard_data_changed()
        client.get(index)
    index_queries = len(captured_index)  # now: later requests reset the query log it reads
    with connection.cursor() as cursor:  # each statement of the recurring page alone, for the README
        for sql in statements:
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            print(f"    {(time.perf_counter() - start) * 1000:7.1f} ms  {sql[:110]}")

    def bare():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    def cold_index():
        dashboard_data_changed()  # every data version bumped: nothing from the cache
        client.get(index)

    with override_settings(DEBUG=False):
        rec = timed(lambda: client.get(recurring), runs)
        dash = timed(cold_index, runs)
        raw = timed(bare, runs)
    return {"queries": len(statements), "index_queries": index_queries, "recurring": statistics.median(rec),
            "recurring_p95": sorted(rec)[int(0.95 * (len(rec) - 1))], "dashboard": statistics.median(dash),
            "bare": statistics.median(raw)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=600)
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"load average before: {load()}")
    start = time.perf_counter()
    call_command("seed_scale", branches=args.branches, members=args.members, officer="scale", stdout=open(os.devnull, "w"))
    print(f"seed_scale {args.branches} branches / {args.members} members: {time.perf_counter() - start:.0f} s")
    user = get_user_model().objects.get(username="scale")
    county = user.officer.organization
    year = timezone.localdate().year
    problems = Problem.objects.filter(meeting__branch__path__startswith=county.path)
    print(f"problems {problems.count()} over {year - 2}–{year}; of {year}: {problems.filter(meeting__year=year).count()}, "
          f"came back {problems.filter(meeting__year=year, recurs_of__isnull=False).count()}, "
          f"three years running {problems.filter(meeting__year=year, streak__gte=3).count()}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = officer_client(user)
    print(f"medians of {args.runs} runs after {WARMUP} warm-ups, in-process, ms")
    print(f"{'node':<10}{'queries':>8}{'recurring p50':>14}{'p95':>7}{'bare SQL':>9}{'dash q.':>8}{'dashboard cold':>15}"
          f"{'rec/dash':>9}")
    for label, node in (("county", county), ("township", largest_township(county))):
        r = bench(client, node, year, args.runs)
        print(f"{label:<10}{r['queries']:>8}{r['recurring']:>14.1f}{r['recurring_p95']:>7.1f}{r['bare']:>9.1f}"
              f"{r['index_queries']:>8}{r['dashboard']:>15.1f}{r['recurring'] / r['dashboard']:>9.2f}")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
