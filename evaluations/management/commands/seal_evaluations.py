from django.core.management.base import BaseCommand

from evaluations import services


class Command(BaseCommand):
    help = "Seals every evaluation whose voting has closed (rewrites its ballot tables in random order)."

    def handle(self, *args, **options):
        sealed = services.evaluations_seal_due()
        vacuumed = services.ballot_tables_vacuum() if sealed else False
        self.stdout.write(f"sealed {sealed} evaluation(s){'; tables vacuumed' if vacuumed else ''}")
