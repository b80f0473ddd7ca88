"""python manage.py backup [--output-dir DIR] [--key-file FILE]: one dated archive of the database and media."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from operations import backup


class Command(BaseCommand):
    help = "备份数据库和上传的文件（MEDIA_ROOT）到一个带日期的归档文件，可用密钥文件加密。"

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default=None, help="归档存放目录（默认 BACKUP_DIR）")
        parser.add_argument("--key-file", default=None, help="加密用的密钥文件（默认 BACKUP_KEY_FILE；留空则不加密）")

    def handle(self, *args, output_dir=None, key_file=None, **options):
        key_file = key_file if key_file is not None else (settings.BACKUP_KEY_FILE or None)
        try:
            result = backup.backup_create(output_dir=Path(output_dir or settings.BACKUP_DIR), key_file=key_file)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for evaluation in result.open_evaluations:
            self.stderr.write(self.style.WARNING(backup.open_vote_warning(evaluation)))
        manifest = result.manifest
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            _("备份完成：%(path)s（%(size)s，%(encrypted)s）") % {
                "path": result.path,
                "size": _size(result.size),
                "encrypted": _("已加密") if result.encrypted else _("未加密"),
            }
        )
        self.stdout.write(
            _("数据库 %(vendor)s %(version)s：%(tables)s 张表，共 %(rows)s 行；媒体文件 %(media)s 个。") % {
                "vendor": manifest["database"]["vendor"],
                "version": manifest["database"]["server_version"],
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "media": media,
            }
        )
        self.stdout.write(f"SHA-256 {result.sha256}")


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
