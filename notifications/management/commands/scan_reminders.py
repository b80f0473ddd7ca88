from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications.services import reminders_scan


class Command(BaseCommand):
    help = "Finds every reminder the current state calls for and queues it (what Celery beat runs every 15 minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the reminders without recording or queueing them")
        parser.add_argument("--now", help="pretend it is this time (ISO 8601, Asia/Shanghai if no offset), for drills")
        parser.add_argument(
            "--sync",
            action="store_true",
            help="send in this process instead of through the broker (development without a worker)",
        )

    def handle(self, *args, sync: bool = False, **options):
        from branchlife.celery import app

        # Only for this command: called in-process (call_command), it must not leave the app eager.
        before = app.conf.task_always_eager
        app.conf.task_always_eager = before or sync
        try:
            self.scan(**options)
        finally:
            app.conf.task_always_eager = before

    def scan(self, *, dry_run: bool = False, now: str | None = None, **options):
        when = timezone.now()
        if now:
            parsed = parse_datetime(now)
            if parsed is None:
                raise CommandError(f"--now {now!r} is not a date and time such as 2026-11-25T09:00")
            when = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        result = reminders_scan(now=when, dry_run=dry_run)
        for name in result.failed_rules:
            self.stderr.write(self.style.ERROR(f"rule {name} failed; see the log"))
        if dry_run:
            names = dict(
                get_user_model().objects.filter(pk__in={d.recipient_id for d in result.planned}).values_list("pk", "username")
            )
            for due in result.planned:
                who = names.get(due.recipient_id, due.recipient_id)
                self.stdout.write(f"  new      {due.kind:<24} {who!s:<12} due={due.due_date}  {due.title}")
            for delivery in result.requeue_candidates:
                who = delivery.recipient.username
                self.stdout.write(f"  requeue  {delivery.kind:<24} {who:<12} due={delivery.due_date}  {delivery.title}")
            self.stdout.write(f"{result.queued} reminders would be queued (dry run, nothing written).")
            return
        self.stdout.write(
            f"{result.queued} reminders queued ({len(result.recorded)} new, {len(result.requeued)} handed over again)."
        )
        if result.unpublished:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.unpublished} reminders are recorded but the broker is unavailable; "
                    "the next scan hands them over once it is back."
                )
            )
