"""python manage.py print_pdf cards|list|ledger --branch "水阜镇机关党支部" [--layout a4] -o OUT.pdf"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organizations.models import Organization
from rectification import pdfs, selectors


class Command(BaseCommand):
    help = "打印一个党支部的提醒卡（cards）、问题清单（list）或整改台账（ledger）为 PDF。"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["cards", "list", "ledger"])
        parser.add_argument("--branch", required=True, help="党支部名称")
        parser.add_argument("--year", type=int, default=None, help="组织生活会年度（默认最近一次）")
        parser.add_argument("--layout", choices=["a6", "a4"], default="a6",
                            help="提醒卡版式：a6 单张（默认），a4 四合一（双面打印、长边翻转）")
        parser.add_argument("-o", "--output", required=True, help="输出文件")

    def handle(self, *args, what, branch, year, output, layout, **options):
        branches = list(Organization.objects.filter(name=branch, level=Organization.Level.BRANCH)[:2])
        if not branches:
            raise CommandError(f"找不到党支部“{branch}”。")
        if len(branches) > 1:
            raise CommandError(f"有多个名为“{branch}”的党支部，请在后台确认名称。")
        org = branches[0]
        if what == "ledger":
            pdf = pdfs.render_ledger(branch=org)
        else:
            meeting = selectors.card_meeting(branch=org, year=year)
            if meeting is None:
                raise CommandError(f"“{branch}”还没有问题清单（没有记录问题的组织生活会）。")
            if what == "cards":
                pdf = pdfs.cards_in_layout(pdfs.render_cards(meeting=meeting), layout)
            else:
                pdf = pdfs.render_problem_list(meeting=meeting)
        Path(output).write_bytes(pdf)
        self.stdout.write(f"{output}: {pdfs.page_count(pdf)} 页， {len(pdf) // 1024} KB")
