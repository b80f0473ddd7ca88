"""Benchmark: the quarterly work ranking (issue 18 item 5) at county scale.

Not a test. `BENCH_SCRIPT=benchmarks/bench_quarter_ranking.py bash benchmarks/run_bench_ballots.sh
[--branches 600 --members 20000 --runs 15]` starts a throw-away PostgreSQL, migrates it and runs this.

Data: a county from `seed_scale` (600 branches / 20,000 members by default, one meeting season with its
rectification items, a party group in one branch of four, and 三会一课 / 主题党日 records from January of
last year to today — each branch keeps its rhythm with its own diligence (60–100%), so there are gaps
and the ranks differ).

Timed in the same run, for the county node and its largest township, the quarter of today (the running
quarter, with the previous one computed for the movement — the same work as an ended quarter):
- ranking   `dashboard.quarter_ranking.quarter_ranking(...)`: queries and the Python fold;
- page      the officer's page through the in-process test client (session, permission, the ranking,
            the template with 50 rows);
- bare      only the SQL statements the ranking runs, re-executed through a bare cursor (fetchall):
            the database's share of the same work; ratio = ranking (or page) / bare;
- publish   `ranking_publish` of the township (the ranking frozen into RankingPublication);
and the query count of the ranking and of the page at the two sizes. Medians of --runs after 2 warm-ups;
the load average is printed before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from django.db.models import Count  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities.models import Activity  # noqa: E402
from dashboard.quarter_ranking import Quarter, quarter_ranking, ranking_publish  # noqa: E402
from organizations.models import Organization  # noqa: E402

WARMUP = 2


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn, runs: int) -> list[float]:
    for _ in range(WARMUP):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def officer_client(user) -> Client:
    """A client logged in as the officer with two-factor completed (as tests/conftest.py does)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor.middleware import LAST_SEEN_SESSION_KEY
    from accounts.two_factor.services import TOTP_DEVICE_NAME

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[LAST_SEEN_SESSION_KEY] = int(time.time())
    session.save()
    return client


def largest_township(county: Organization) -> Organization:
    width = len(county.path) + Organization.steplen
    best = (
        Organization.objects.filter(path__startswith=county.path, level=Organization.Level.BRANCH)
        .annotate(prefix=Substr("path", 1, width)).order_by().values("prefix").annotate(n=Count("pk"))
        .order_by("-n", "prefix").first()
    )
    return Organization.objects.get(path=best["prefix"])


def bench(client: Client, node: Organization, q: Quarter, today: dt.date, runs: int) -> dict:
    with CaptureQueriesContext(connection) as captured:
        rows = quarter_ranking(node=node, year=q.year, quarter=q.quarter, today=today)
    statements = [c["sql"] for c in captured.captured_queries]
    url = f"{reverse('dashboard:quarter_ranking')}?org={node.pk}&year={q.year}&quarter={q.quarter}"
    assert client.get(url).status_code == 200, "the officer's page did not answer 200"
    with CaptureQueriesContext(connection) as captured_page:
        client.get(url)
    page_queries = len(captured_page)  # now: later requests reset the query log it reads

    def bare():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    with override_settings(DEBUG=False):
        ranking = timed(lambda: quarter_ranking(node=node, year=q.year, quarter=q.quarter, today=today), runs)
        page = timed(lambda: client.get(url), runs)
        raw = timed(bare, runs)
    return {"branches": len(rows), "queries": len(statements), "page_queries": page_queries,
            "ranking": statistics.median(ranking), "page": statistics.median(page), "bare": statistics.median(raw),
            "spread": max(rows, key=lambda r: r.score).score - min(rows, key=lambda r: r.score).score}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=600)
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"load average before: {load()}")
    start = time.perf_counter()
    call_command("seed_scale", branches=args.branches, members=args.members, officer="scale", stdout=open(os.devnull, "w"))
    print(f"seed_scale {args.branches} branches / {args.members} members: {time.perf_counter() - start:.0f} s")
    user = get_user_model().objects.get(username="scale")
    county = user.officer.organization
    today = timezone.localdate()
    # seed_scale made them (activities.scale.build_year): a party group in every fourth branch, records since
    # January of last year.
    groups = Organization.objects.filter(path__startswith=county.path, level=Organization.Level.GROUP).count()
    activities = Activity.objects.filter(branch__path__startswith=county.path).count()
    print(f"with {groups} party groups and {activities} activities ({today.year - 1}-01-01 to {today})")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = officer_client(user)
    q = Quarter.of(today)
    township = largest_township(county)
    print(f"quarter {q.year}Q{q.quarter} (and {q.previous.year}Q{q.previous.quarter} for the movement); "
          f"medians of {args.runs} runs after {WARMUP} warm-ups, in-process, ms")
    print(f"{'node':<10}{'branches':>9}{'queries':>8}{'page q.':>8}{'ranking':>9}{'page':>9}{'bare SQL':>9}"
          f"{'rank/bare':>10}{'page/bare':>10}{'score spread':>13}")
    for label, node in (("county", county), ("township", township)):
        r = bench(client, node, q, today, args.runs)
        print(f"{label:<10}{r['branches']:>9}{r['queries']:>8}{r['page_queries']:>8}{r['ranking']:>9.1f}{r['page']:>9.1f}"
              f"{r['bare']:>9.1f}{r['ranking'] / r['bare']:>10.2f}{r['page'] / r['bare']:>10.2f}{r['spread']:>13}")
    ended = q.previous
    with override_settings(DEBUG=False):
        publish = timed(lambda: ranking_publish(node=township, year=ended.year, quarter=ended.quarter, user=user,
                                                today=today), max(3, args.runs // 3))
    print(f"publish ({township.name}, {ended.year}Q{ended.quarter}): median {statistics.median(publish):.1f} ms")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
