import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from activities.scale import build_year
from dashboard import rollups, scale
from dashboard.selectors import Season
from dashboard.services import dashboard_data_changed
from organizations.models import Organization
from organizations.scale import build_province


class Command(BaseCommand):
    help = (
        "Builds a county of realistic size and one full meeting season in bulk, or with --province a province of "
        "30,000 branches / 700,000 members over several counties with a lean season (for benchmarks and trying the dashboard)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--branches", type=int, default=None, help="default 600; with --province 30000")
        parser.add_argument("--members", type=int, default=None, help="default 20000; with --province 700000")
        parser.add_argument("--province", action="store_true",
                            help="a province of --counties counties (townships, general branches, branches) and a lean season")
        parser.add_argument("--counties", type=int, default=10)
        parser.add_argument("--name", default=None, help="the root node's name (a county's by default, a province's with --province)")
        parser.add_argument("--year", type=int, default=None, help="the season's year (default: this year)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed builds the same data")
        parser.add_argument("--officer", default="scale", help="username of an officer over the county (password branchlife-demo)")

    def handle(self, *args, **options):
        province = options["province"]
        branches = options["branches"] or (30000 if province else 600)
        members = options["members"] or (700000 if province else 20000)
        name = options["name"] or ("规模测试省委" if province else "规模测试县委")
        if branches < 1 or members < 8 * branches:
            raise CommandError("至少 1 个支部，且每个支部至少 8 名党员（--members >= 8 × --branches）。")
        if province and not 1 <= options["counties"] <= branches:
            raise CommandError("--counties 须在 1 与支部数之间。")
        if Organization.get_root_nodes().filter(name=name).exists():
            raise CommandError(f"“{name}”已经存在：请用 --name 换一个名称，或换一个空数据库。")
        year = options["year"] or timezone.localdate().year
        if province:
            return self._province(name=name, branches=branches, members=members, year=year, options=options)
        started = time.monotonic()
        county, season = scale.build(
            name=name, branches=branches, members=members, year=year, seed=options["seed"],
            officer_username=options["officer"] or None,
        )
        groups, activities = build_year(county=county.county, today=timezone.localdate(), seed=options["seed"])
        dashboard_data_changed()
        elapsed = time.monotonic() - started
        stages = ", ".join(f"{k} {v}" for k, v in sorted(season.counts.items()))
        self.stdout.write(
            f"{county.county.name}: {len(county.branch_ids)} branches, {len(county.township_ids)} townships, "
            f"{county.member_count} members\n"
            f"season {year}: {season.meetings} meetings ({stages}), {season.forums} forums, {season.opinions} opinions, {season.talks} talks, "
            f"{season.self_reviews} self-reviews, {season.evaluations} evaluations, {season.ballots} ballots, "
            f"{season.marks} ballot marks, {season.items} rectification items\n"
            f"{activities} 三会一课 and 主题党日 records since January of last year, {groups} party groups\n"
            f"built in {elapsed:.1f} s; officer login: {options['officer']} / branchlife-demo"
        )

    def _province(self, *, name, branches, members, year, options):
        """The province: the tree and roster (COPY), a lean season county by county, then every meeting's
        tally and every node's rollup counted as a read would (county by county, then the province)."""
        started = time.monotonic()

        def say(text: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:7.1f} s] {text}")
            self.stdout.flush()

        built = build_province(name=name, counties=options["counties"], branches=branches, members=members,
                               seed=options["seed"], officer_username=options["officer"] or None, progress=say)
        say(f"tree and roster: {len(built.branch_ids)} branches, {built.member_count} members")
        today = timezone.localdate()
        totals: dict[str, int] = {}
        for i, county in enumerate(built.counties, start=1):
            season = scale.build_season(county=county.county, branch_ids=county.branch_ids, year=year,
                                        seed=options["seed"] + i, today=today, lean=True)
            for key in ("meetings", "opinions", "talks", "self_reviews", "evaluations", "items"):
                totals[key] = totals.get(key, 0) + getattr(season, key)
            say(f"season of county {i}/{len(built.counties)}: {season.meetings} meetings, {season.talks} talks, "
                f"{season.self_reviews} self-reviews, {season.items} items")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        season = Season(year=year)
        for county in built.counties:
            t0 = time.monotonic()
            rollups.refresh(node=county.county, season=season, today=today)
            say(f"tallies and rollups of {county.county.name}: {time.monotonic() - t0:.1f} s")
        t0 = time.monotonic()
        rollups.refresh(node=built.province, season=season, today=today)
        say(f"rollups of {name}: {time.monotonic() - t0:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        dashboard_data_changed()
        say(
            f"{name}: {len(built.counties)} counties, {len(built.branch_ids)} branches, {built.member_count} members; "
            f"season {year}: " + ", ".join(f"{v} {k.replace('_', '-')}" for k, v in totals.items())
            + f"; officer login: {options['officer']} / branchlife-demo"
        )
