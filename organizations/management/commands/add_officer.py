"""The first officer of a county: `python manage.py add_officer --organization 中共皋兰县委 --name 赵组织`.

Prints the username and a one-time activation code; everyone else is then added in the app."""

from django.core.management.base import BaseCommand, CommandError

from organizations import accounts
from organizations.models import Organization


class Command(BaseCommand):
    help = "Adds an organization-department officer to a node and prints their one-time activation code."

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="the node's exact name, e.g. 中共皋兰县委")
        parser.add_argument("--name", required=True)
        parser.add_argument("--title", default="")

    def handle(self, *args, organization, name, title, **options):
        nodes = list(Organization.objects.filter(name=organization).exclude(level=Organization.Level.GROUP)[:2])
        if len(nodes) != 1:
            raise CommandError(f"{'没有' if not nodes else '有多个'}名为“{organization}”的组织。")
        issued = accounts.add_officer(organization=nodes[0], name=name, title=title, by=None)
        self.stdout.write(
            f"{issued.name}：用户名 {issued.username}，激活码 {issued.code}（{issued.expires_at:%Y-%m-%d %H:%M} 前有效）\n"
            f"请在 {accounts.activate_url()} 激活。"
        )
