import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from organizations import demo

# Each app that contributes demo data has `<app>/demo.py` with `seed(ctx)`; they run in this order.
DEMO_APPS = ["meetings", "evaluations", "rectification", "dashboard", "notifications"]


class Command(BaseCommand):
    help = "Builds the demo organizations, members, meetings and accounts from the seeds (safe to run twice)."

    def handle(self, *args, **options):
        with transaction.atomic():
            ctx = demo.seed()
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Accounts (password branchlife-demo):"))
        for name in ("secretary", "member", "county", "anyue", "supervisor"):
            self.stdout.write(f"  {name}")
