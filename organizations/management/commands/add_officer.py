"""The first officer of a county: `python manage.py add_officer --organization 中共皋兰县委 --name 赵组织`.

Prints the username and a one-time activation code; everyone else is then added in the app."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

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
            message = _("没有名为“%(name)s”的组织。") if not nodes else _("有多个名为“%(name)s”的组织。")
            raise CommandError(message % {"name": organization})
        issued = accounts.add_officer(organization=nodes[0], name=name, title=title, by=None)
        self.stdout.write(
            _("%(name)s：用户名 %(username)s，激活码 %(code)s（%(expires)s 前有效）。请在 %(url)s 激活。")
            % {
                "name": issued.name,
                "username": issued.username,
                "code": issued.code,
                "expires": timezone.localtime(issued.expires_at).strftime("%Y-%m-%d %H:%M"),
                "url": accounts.activate_url(),
            }
        )
