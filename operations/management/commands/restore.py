"""python manage.py restore ARCHIVE [--key-file FILE] [--yes] [--check]: back into the configured database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from operations import backup


class Command(BaseCommand):
    help = (
        "从备份归档恢复数据库和上传的文件。先核对归档中每个文件的校验和，再改动任何数据；"
        "目标数据库或媒体目录已有数据时需加 --yes。恢复前请停止网站、worker 和 beat。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份归档（branchlife-backup-….tar 或 .tar.enc）")
        parser.add_argument("--key-file", default=None, help="加密备份所用的密钥文件")
        parser.add_argument("--yes", action="store_true", help="确认覆盖已有数据")
        parser.add_argument("--check", action="store_true", help="只解密并核对归档，不恢复")

    def handle(self, *args, archive, key_file=None, yes=False, check=False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(_("备份文件不存在：%(path)s") % {"path": path})
        try:
            result = backup.backup_restore(archive=path, key_file=key_file, overwrite=yes, check_only=check)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        facts = {
            "created": manifest["created_at"].replace("T", " ")[:16],
            "vendor": manifest["database"]["vendor"],
            "files": len(manifest["files"]),
        }
        if not result.restored:
            self.stdout.write(
                _("归档完好：%(created)s 的 %(vendor)s 备份，%(files)s 个文件的校验和都与清单一致。") % facts
            )
            return
        self.stdout.write(_("已恢复 %(created)s 的备份（%(vendor)s）。") % facts)
        self.stdout.write(_("媒体文件：恢复 %(n)s 个。") % {"n": result.media_files})
        if result.media_kept:
            self.stdout.write(
                self.style.WARNING(
                    _("MEDIA_ROOT 中另有 %(n)s 个文件不在备份里，已原样保留。") % {"n": result.media_kept}
                )
            )
        if result.needs_migrate:
            self.stdout.write(self.style.WARNING(_("备份早于当前代码的数据库结构：请运行 python manage.py migrate。")))
        if result.mismatches:
            for table, expected, found in result.mismatches:
                self.stderr.write(
                    _("表 %(table)s：备份中 %(expected)s 行，恢复后 %(found)s 行。")
                    % {"table": table, "expected": expected, "found": _("（缺失）") if found is None else found}
                )
            raise CommandError(_("%(n)s 张表的行数与备份不一致。") % {"n": len(result.mismatches)})
        self.stdout.write(
            self.style.SUCCESS(
                _("行数核对：全部 %(n)s 张表与备份一致（共 %(rows)s 行）。")
                % {"n": len(manifest["tables"]), "rows": sum(manifest["tables"].values())}
            )
        )
