from django.core.management.base import BaseCommand, CommandError

from organizations.models import Organization
from organizations.services import RosterError, roster_import


class Command(BaseCommand):
    help = "Imports an .xlsx roster into a branch. Nothing is written unless every row is valid."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--branch", required=True, help="the branch's exact name")

    def handle(self, *args, **options):
        branches = Organization.objects.filter(name=options["branch"], level=Organization.Level.BRANCH)
        if branches.count() != 1:
            raise CommandError(f"找不到唯一名为“{options['branch']}”的党支部")
        try:
            with open(options["file"], "rb") as f:
                result = roster_import(branch=branches.get(), fileobj=f)
        except FileNotFoundError as exc:
            raise CommandError(f"文件不存在：{options['file']}") from exc
        except RosterError as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            for row in result.bad_rows:
                self.stderr.write(f"第 {row.line} 行：{';'.join(row.errors)}")
            raise CommandError(f"{len(result.bad_rows)} 行有误，未导入任何数据")
        self.stdout.write(self.style.SUCCESS(f"导入成功：新增 {result.created} 人，更新 {result.updated} 人"))
