import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from organizations import demo

# Each app that contributes demo data has `<app>/demo.py` with `seed(ctx)` and `reset(ctx)`; they seed in
# this order and reset in the reverse one. The meetings app's `season_anchor(ctx)` tells the day the
# demo's current season was built on (None when there is none yet).
DEMO_APPS = ["accounts", "activities", "meetings", "lifecycle", "evaluations", "rectification", "dashboard", "filings", "notifications"]


def _modules():
    modules = []
    for app in DEMO_APPS:
        try:
            modules.append(importlib.import_module(f"{app}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
    return modules


class Command(BaseCommand):
    help = (
        "Builds the demo organizations, members, meetings and accounts from the seeds, with the season laid "
        "out around today (safe to run twice; a season older than a few days is rebuilt around today)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="rebuild the season around today even if it still holds"
        )

    def handle(self, *args, rebuild=False, **options):
        modules = _modules()
        with transaction.atomic():
            ctx = demo.seed()
            kept = next((m.season_anchor(ctx) for m in modules if m.__name__ == "meetings.demo"), None)
            ctx.season = demo.Season.around(today=timezone.localdate(), kept=None if rebuild else kept)
            if kept != ctx.season.anchor:
                for module in reversed(modules):
                    module.reset(ctx)
            for module in modules:
                module.seed(ctx)
        season = ctx.season
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: season built on {season.anchor}, 水阜镇机关党支部's {season.year} meeting on "
            f"{season.meeting_day}. Accounts (password {demo.DEMO_PASSWORD}):"
        ))
        for name in ("secretary", "member", "county", "anyue", "supervisor"):
            self.stdout.write(f"  {name}")
