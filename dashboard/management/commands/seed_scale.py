import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from activities.scale import build_year
from dashboard import scale
from dashboard.services import dashboard_data_changed
from organizations.models import Organization


class Command(BaseCommand):
    help = "Builds a county of realistic size and one full meeting season in bulk (for benchmarks and trying the dashboard)."

    def add_arguments(self, parser):
        parser.add_argument("--branches", type=int, default=600)
        parser.add_argument("--members", type=int, default=20000)
        parser.add_argument("--name", default="规模测试县委")
        parser.add_argument("--year", type=int, default=None, help="the season's year (default: this year)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed builds the same data")
        parser.add_argument("--officer", default="scale", help="username of an officer over the county (password branchlife-demo)")

    def handle(self, *args, **options):
        branches, members = options["branches"], options["members"]
        if branches < 1 or members < 8 * branches:
            raise CommandError("至少 1 个支部，且每个支部至少 8 名党员（--members >= 8 × --branches）。")
        if Organization.get_root_nodes().filter(name=options["name"]).exists():
            raise CommandError(f"“{options['name']}”已经存在：请用 --name 换一个名称，或换一个空数据库。")
        year = options["year"] or timezone.localdate().year
        started = time.monotonic()
        county, season = scale.build(
            name=options["name"], branches=branches, members=members, year=year, seed=options["seed"],
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
