from django.core.management.base import BaseCommand

from evaluations import services


class Command(BaseCommand):
    help = (
        "Seals every evaluation whose voting has closed (rewrites its ballot tables in random order) and purges "
        "the old row versions of sealed ones from the table files."
    )

    def handle(self, *args, **options):
        sealed = services.evaluations_seal_due()
        purged = services.ballot_tables_purge()
        self.stdout.write(f"sealed {sealed} evaluation(s){'; table files rewritten' if purged else ''}")
