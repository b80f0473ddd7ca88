"""Times the dashboard page at county scale (run seed_scale first, preferably on PostgreSQL).

For the county node and its largest township it reports p50 / p95 of:
  cold          the whole request through Django (middleware, permission, every query, Python, template)
                with nothing in the cache (every data version bumped): what an officer waits for after a
                change to a meeting or to the tree, after a deployment, or when the cache has expired.
                The meetings' tallies (dashboard.models.MeetingTally) are current, as they are whenever
                the writes since the last read went through the models (the normal case);
  after a write the page after a self-review was saved: its data version bumped and its meeting's tally
                stale, so that one meeting is counted again and the rows are folded again;
  cached        the same page served from the cache;
  recount       "重新统计" (?refresh=1): every meeting of the node counted again and its tally rewritten;
  raw SQL       only the statements the cold page's computation runs (for a node above the branches: the
                reads of its rollups), re-executed through a bare cursor in the same run;
and the ratio cold / raw SQL. The goal (issue 9): county page p50 < 300 ms, ratio < 3; (issue 23) a
province of 30,000 branches: cold p50 < 300 ms, the recount of one county < 10 s. It ends with the
database's size and the indexes the page's statements use (EXPLAIN).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from dashboard import rollups, selectors
from dashboard.models import MeetingTally
from dashboard.services import dashboard_data_changed, tallies_stale
from organizations.models import Member, Organization


def _login_verified(client: Client, user) -> None:
    """Log the bench's client in as an officer who has completed two-factor (accounts.two_factor): a
    confirmed TOTP authenticator (created for the bench's own officer if it has none) and a verified session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor.middleware import LAST_SEEN_SESSION_KEY
    from accounts.two_factor.services import TOTP_DEVICE_NAME

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[LAST_SEEN_SESSION_KEY] = int(time.time())
    session.save()


def _index_names(plan) -> list[str]:
    if isinstance(plan, dict):
        found = [plan["Index Name"]] if "Index Name" in plan else []
        return found + [n for v in plan.values() for n in _index_names(v)]
    if isinstance(plan, list):
        return [n for v in plan for n in _index_names(v)]
    return []


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Prints p50/p95 of the dashboard page for the county and a township, and the page / raw SQL ratio."

    def add_arguments(self, parser):
        parser.add_argument("--officer", default="scale", help="an officer whose node is the county to measure")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["officer"], officer__isnull=False).first()
        if user is None:
            raise CommandError(f"没有用户名为 {options['officer']} 的组织部门干部：请先运行 seed_scale。")
        county = user.officer.organization
        township = self._largest_child(county)
        client = Client()
        _login_verified(client, user)
        year = timezone.localdate().year
        runs, warmup = options["runs"], options["warmup"]
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        self.stdout.write(
            f"database: {connection.vendor}; {self._size(county)}; runs {runs} (+{warmup} warm-up), in-process client; "
            f"load average {load}"
        )
        header = (
            f"{'node':<24}{'branches':>9}{'queries':>8}{'cold p50':>10}{'cold p95':>10}{'write p50':>10}"
            f"{'write p95':>10}{'cached p50':>11}{'cached p95':>11}{'recount p50':>12}{'SQL p50':>9}{'ratio':>7}"
        )
        self.stdout.write(header)
        for node in (county, township):
            if node is None:
                continue
            self._bench(client, node, year, runs, warmup)
        if connection.vendor == "postgresql":
            self._recount_one_county(county, township, year)
            self._sizes()
            self._indexes(county, year)

    def _recount_one_county(self, top, child, year) -> None:
        """With a province, "重新统计" of its largest county: every tally and rollup of the county counted again."""
        if child is None or child.level != Organization.Level.COUNTY:
            return
        season = selectors.Season(year=year)
        branches = Organization.objects.filter(path__startswith=child.path, level=Organization.Level.BRANCH).count()
        times = []
        for _i in range(3):
            started = time.perf_counter()
            rollups.refresh(node=child, season=season, today=timezone.localdate(), recount=True)
            times.append(time.perf_counter() - started)
        rollups.refresh(node=top, season=season, today=timezone.localdate())
        self.stdout.write(f"recount of one county ({child.name}, {branches} branches, every tally and rollup): "
                          f"p50 {statistics.median(times):.1f} s of {', '.join(f'{t:.1f}' for t in times)}")

    def _sizes(self) -> None:
        tables = [
            "dashboard_rollup", "dashboard_meetingtally", "organizations_organization", "organizations_member",
            "meetings_meeting", "meetings_talk", "meetings_selfreview", "meetings_opinion", "meetings_attendance",
            "evaluations_candidate", "evaluations_voter", "rectification_rectificationitem",
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid), reltuples::bigint FROM pg_class c"
                " WHERE relname = ANY(%s) ORDER BY 2 DESC", [tables],
            )
            rows = cursor.fetchall()
            cursor.execute("SELECT pg_database_size(current_database())")
            total = cursor.fetchone()[0]
        self.stdout.write(f"PostgreSQL: database {total / 2**20:.0f} MB; table (with indexes) / indexes / rows:")
        for name, size, indexes, tuples in rows:
            self.stdout.write(f"  {name:<34}{size / 2**20:>9.1f} MB{indexes / 2**20:>9.1f} MB{tuples:>12}")

    def _indexes(self, node, year) -> None:
        """The indexes the node's front page reads through (EXPLAIN of each statement of its computation)."""
        with CaptureQueriesContext(connection) as captured:
            selectors.rollup_summary(node=node, season=selectors.Season(year=year), today=timezone.localdate())
        used: list[str] = []
        with connection.cursor() as cursor:
            for q in captured.captured_queries:
                if not q["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                    continue  # savepoints in a test's transaction
                cursor.execute("EXPLAIN (FORMAT JSON) " + q["sql"])
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                names = sorted(set(_index_names(plan)))
                used.append(f"  {q['sql'][:60]!r}...: {', '.join(names) or 'no index'}")
        self.stdout.write(f"indexes of {node.name}'s front page ({len(captured)} statements):")
        self.stdout.write("\n".join(used))

    def _largest_child(self, county):
        width = len(county.path) + Organization.steplen
        best = (
            Organization.objects.filter(path__startswith=county.path, level=Organization.Level.BRANCH)
            .annotate(prefix=Substr("path", 1, width))
            .order_by()
            .values("prefix")
            .annotate(n=Count("pk"))
            .order_by("-n", "prefix")
            .first()
        )
        return Organization.objects.filter(path=best["prefix"]).first() if best else None

    def _size(self, county) -> str:
        row = Organization.objects.filter(path__startswith=county.path).aggregate(
            branches=Count("pk", filter=Q(level=Organization.Level.BRANCH))
        )
        members = Member.objects.filter(branch__path__startswith=county.path, is_active=True).count()
        return f"{county.name}: {row['branches']} branches, {members} members"

    def _bench(self, client, node, year, runs, warmup) -> None:
        url = reverse("dashboard:index") + f"?org={node.pk}&year={year}"
        season = selectors.Season(year=year)
        # A meeting picked at random (seeded), so that "after a write" counts a typical meeting again.
        one_meeting = random.Random(node.pk).choice(
            list(selectors.season_meetings(node=node, season=season).values_list("pk", flat=True))
        )
        with override_settings(DEBUG=False):  # no query log in the timed loops
            big = Organization.objects.filter(path__startswith=node.path, level=Organization.Level.BRANCH).count() > 5000
            # A province's "重新统计" counts 30,000 branches again: one run, not ten.
            recount = self._time(lambda: self._get(client, url + "&refresh=1"), 1 if big else max(3, runs // 3), 0 if big else 1)

            def cold_page():
                dashboard_data_changed()  # nothing cached
                self._get(client, url)

            cold = self._time(cold_page, runs, warmup)

            def after_write():
                dashboard_data_changed()  # what a self-review save does …
                tallies_stale(meetings=Q(meeting_id=one_meeting))  # … in its own transaction
                self._get(client, url)

            write = self._time(after_write, runs, warmup)
            cached = self._time(lambda: self._get(client, url), runs, warmup)
        stale = MeetingTally.objects.filter(meeting__in=selectors.season_meetings(node=node, season=season)).exclude(
            clean=F("dirty")
        ).count()
        if stale:
            raise CommandError(f"{stale} tallies still stale after the runs")
        with CaptureQueriesContext(connection) as captured:
            if node.level == Organization.Level.BRANCH:
                selectors.compute_dashboard(node=node, season=season)
            else:  # the rollups' reads, as the cold page makes them (everything current)
                selectors.rollup_summary(node=node, season=season, today=timezone.localdate())
        statements = [q["sql"] for q in captured.captured_queries]

        def raw():
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        with override_settings(DEBUG=False):
            sql_times = self._time(raw, runs, warmup)
        dashboard_data_changed()
        with CaptureQueriesContext(connection) as page_queries:
            self._get(client, url)
        branches = Organization.objects.filter(path__startswith=node.path, level=Organization.Level.BRANCH).count()
        cold50, sql50 = statistics.median(cold), statistics.median(sql_times)
        self.stdout.write(
            f"{node.name[:22]:<24}{branches:>9}{len(page_queries):>8}{cold50:>10.1f}{_pct(cold, 0.95):>10.1f}"
            f"{statistics.median(write):>10.1f}{_pct(write, 0.95):>10.1f}"
            f"{statistics.median(cached):>11.1f}{_pct(cached, 0.95):>11.1f}{statistics.median(recount):>12.1f}"
            f"{sql50:>9.1f}{cold50 / sql50:>7.2f}"
        )

    @staticmethod
    def _get(client, url):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url}: HTTP {response.status_code}")
        return response

    @staticmethod
    def _time(fn, runs: int, warmup: int) -> list[float]:
        for _i in range(warmup):
            fn()
        out = []
        for _i in range(runs):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
        return out
