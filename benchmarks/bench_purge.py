"""Benchmark: the cost of purging the ballot tables after a seal at county scale (issue 25).

Not a test. `BENCH_SCRIPT=benchmarks/bench_purge.py bash benchmarks/run_bench_ballots.sh [--branches N
--members M]` starts a throw-away PostgreSQL, migrates it and runs this. It builds a county with
`seed_scale` (3,300 branches / 72,000 members by default: about 1.1 million ballot marks), then times, on
the same tables in the same run:

- purge: `services.ballot_tables_purge()` — `VACUUM FULL` of the participation, ballot and mark tables,
  which holds an exclusive lock on them for its whole duration (every vote in the county waits);
- bare: a plain `VACUUM` of the same three tables (what the app did before; it takes no such lock);

five times each (an evaluation is marked sealed-not-purged before each purge so it has work), and
reports the medians, their ratio and the load average.
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from evaluations import services  # noqa: E402
from evaluations.models import Ballot, BallotMark, Evaluation, Voter  # noqa: E402

RUNS = 5


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def plain_vacuum() -> None:
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in services.SEALED_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {tables}")


def purge() -> None:
    Evaluation.objects.filter(pk=Evaluation.objects.filter(sealed_at__isnull=False).values("pk")[:1]).update(purged_at=None)
    assert services.ballot_tables_purge()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=3300)
    parser.add_argument("--members", type=int, default=72000)
    args = parser.parse_args()
    start = time.perf_counter()
    call_command("seed_scale", branches=args.branches, members=args.members, stdout=open(os.devnull, "w"))
    print(f"seed_scale: {time.perf_counter() - start:.0f} s")
    sizes = {m.__name__: m.objects.count() for m in (Voter, Ballot, BallotMark)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(sum(pg_total_relation_size(t))) FROM unnest(%s::regclass[]) t",
                       [[m._meta.db_table for m in services.SEALED_MODELS]])
        size = cursor.fetchone()[0]
    print(f"rows: {sizes}; three tables with indexes: {size}")
    purge()  # warm-up: the first purge also removes what seed_scale's bulk inserts left
    bare, full = [], []
    for _ in range(RUNS):
        bare.append(timed(plain_vacuum))
        full.append(timed(purge))
    load = os.getloadavg()
    b, f = statistics.median(bare), statistics.median(full)
    print(f"plain VACUUM (bare) p50 {b:.0f} ms; purge (VACUUM FULL) p50 {f:.0f} ms, max {max(full):.0f} ms; "
          f"ratio {f / b:.2f}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
