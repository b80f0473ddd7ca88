"""Backup and restore (issue 22.4): one dated archive holding the database, the media files and a manifest.

The archive is a tar file, `branchlife-backup-YYYYMMDD-HHMM.tar` (`.tar.enc` when encrypted with a key
file, see operations.crypto), with these members:
- `database.dump`: PostgreSQL's `pg_dump --format=custom`, or `database.sqlite3`: a copy of the SQLite file
  made with SQLite's online backup API;
- `ordered/<table>.copy` (PostgreSQL): the rows of the participation, ballot and mark tables (below);
- `media/…`: every file under MEDIA_ROOT;
- `manifest.json`, last: when, which Branchlife and migrations, the database vendor, each table's row count,
  and the SHA-256 of every other member. A restore checks every checksum before it touches anything.

Ballots stay sealed. A table's physical row order (PostgreSQL's `ctid`, SQLite's `rowid`) is what a plain
dump and a restore keep: `pg_dump` writes each table in that order and `pg_restore` loads it back in the same
order. After the seal (evaluations.services.evaluation_seal) that order is random, but while a vote is open —
and until the seal, minutes after the close — the participation updates, the ballots and the marks lie in
the order in which people voted, and a ballot's marks lie together. So the three tables never go through
`pg_dump`'s data: they are written to the archive ordered by primary key (random UUIDs for ballots and
marks; for participation, ids given when the roster was set, before anyone voted), from the same snapshot
as the dump, and a restore loads them in that order. On SQLite the copy's three tables are rewritten in
the same order (`secure_delete` on) and the copy vacuumed before it is archived. A dump taken during a vote
therefore links no voter to a ballot, unlike the live tables at that moment; it still holds the votes
cast so far, which is why the backup command warns while a vote is open (issue 25).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.selectors import open_evaluations
from evaluations.services import SEALED_MODELS

from . import crypto

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
ARCHIVE_PATTERN = re.compile(r"^branchlife-backup-(\d{8}-\d{4})(?:-(\d+))?\.tar(?:\.enc)?$")
# Written ordered by primary key instead of in their physical order (the module docstring says why).
KEY_ORDERED_MODELS = SEALED_MODELS
BLOCK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    encrypted: bool
    manifest: dict
    open_evaluations: list = field(default_factory=list)
    pruned: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict
    restored: bool
    # (table, rows in the backup, rows after the restore or None when the table is missing)
    mismatches: list[tuple[str, int, int | None]] = field(default_factory=list)
    media_files: int = 0
    media_kept: int = 0
    needs_migrate: bool = False


# ---------------------------------------------------------------- messages
def open_vote_warning(evaluation) -> str:
    return _("警告：“%(evaluation)s”正在投票中（%(closes)s 截止）。本备份只包含此刻之前投出的票，此后投出的票不在其中。") % {
        "evaluation": evaluation,
        "closes": timezone.localtime(evaluation.closes_at).strftime("%Y-%m-%d %H:%M"),
    }


# ---------------------------------------------------------------- small helpers
class _HashingReader:
    def __init__(self, raw):
        self._raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        return data


class _HashingWriter:
    def __init__(self, raw):
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self._raw.write(data)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _secret(key_file) -> bytes | None:
    if not key_file:
        return None
    try:
        return crypto.key_load(key_file)
    except ValueError as exc:
        raise BackupError(str(exc)) from None


def _version() -> str:
    try:
        return metadata.version("branchlife")
    except metadata.PackageNotFoundError:
        return "unknown"


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path, *, exclude: Path | None = None) -> list[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT (not following links), as (name in the archive, path)."""
    if not root.is_dir():
        return []
    skip = exclude.resolve() if exclude is not None else None
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() != skip and not (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                found.append(("media/" + path.relative_to(root).as_posix(), path))
    return found


def _migration_heads(pairs) -> dict[str, str]:
    heads: dict[str, str] = {}
    for app, name in pairs:
        heads[app] = max(heads.get(app, ""), name)
    return dict(sorted(heads.items()))


# ---------------------------------------------------------------- PostgreSQL
def _pg_tool(name: str) -> str:
    folder = getattr(settings, "BACKUP_PG_BIN", "")
    path = str(Path(folder) / name) if folder else shutil.which(name)
    if not path or not Path(path).exists():
        raise BackupError(
            _("找不到 %(tool)s：请安装与数据库服务器主版本相同的 PostgreSQL 客户端（如 postgresql-client-15），或用 BACKUP_PG_BIN 指定其目录。")
            % {"tool": name}
        )
    return path


def _pg_env() -> dict[str, str]:
    """The connection for pg_dump and pg_restore, in libpq's environment variables: the password never
    appears on a command line (where `ps` would show it)."""
    from django.db.backends.postgresql.client import DatabaseClient

    conf = connection.settings_dict
    _args, extra = DatabaseClient.settings_to_cmd_args_env(conf, [])
    env = {**os.environ, **(extra or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")):
        if conf.get(key):
            env[variable] = str(conf[key])
    return env


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)s）：%(error)s")
            % {"tool": Path(command[0]).name, "code": done.returncode, "error": done.stderr.strip()[-2000:]}
        )


def _pg_columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        [connection.ops.quote_name(table)],
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_backup(workdir: Path) -> tuple[list[tuple[str, Path]], dict]:
    """Dump the database from one snapshot: pg_dump for all but the key-ordered tables, COPY for those."""
    from psycopg import IsolationLevel, sql

    pg_dump = _pg_tool("pg_dump")
    members: list[tuple[str, Path]] = []
    ordered = {}
    raw = connection.Database.connect(**connection.get_connection_params())
    try:
        raw.isolation_level = IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            dump = workdir / PG_DUMP
            excluded = [f"--exclude-table-data={m._meta.db_table}" for m in KEY_ORDERED_MODELS]
            _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump}", *excluded,
                  f"--dbname={connection.settings_dict['NAME']}"])
            members.append((PG_DUMP, dump))
            (workdir / "ordered").mkdir()
            for model in KEY_ORDERED_MODELS:
                table = model._meta.db_table
                columns = _pg_columns(cursor, table)
                query = sql.SQL("COPY (SELECT {} FROM {} ORDER BY {}) TO STDOUT").format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table), sql.Identifier(model._meta.pk.column)
                )
                name = f"ordered/{table}.copy"
                with open(workdir / name, "wb") as out, cursor.copy(query) as copy:
                    for block in copy:
                        out.write(block)
                members.append((name, workdir / name))
                ordered[table] = {"file": name, "columns": columns}
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname"
            )
            tables = {}
            for (table,) in cursor.fetchall():
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                tables[table] = cursor.fetchone()[0]
            cursor.execute("SELECT app, name FROM django_migrations")
            heads = _migration_heads(cursor.fetchall())
        raw.rollback()
    finally:
        raw.close()
    database = {"vendor": "postgresql", "server_version": server_version, "file": PG_DUMP, "ordered_tables": ordered}
    return members, {"database": database, "tables": tables, "migrations": heads}


def _pg_restore(workdir: Path, manifest: dict) -> None:
    from psycopg import sql

    pg_restore = _pg_tool("pg_restore")
    connection.close()
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", "--no-password",
          f"--dbname={connection.settings_dict['NAME']}", str(workdir / manifest["database"]["file"])])
    # The key-ordered tables are empty now; load them in the archive's order, in one transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, spec in manifest["database"]["ordered_tables"].items():
            query = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, spec["columns"]))
            )
            with open(workdir / spec["file"], "rb") as source, cursor.copy(query) as copy:
                while block := source.read(BLOCK):
                    copy.write(block)
    # The participation ids' sequence was restored by pg_restore (pg_dump's SEQUENCE SET), as all others.


# ---------------------------------------------------------------- SQLite
def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [name for (name,) in rows]


def _sqlite_backup(workdir: Path) -> tuple[list[tuple[str, Path]], dict]:
    """Copy the database with SQLite's online backup API, then rewrite the key-ordered tables in the copy."""
    path = workdir / SQLITE_COPY
    connection.ensure_connection()
    copy = sqlite3.connect(path, isolation_level=None)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA secure_delete = ON")
        copy.execute("PRAGMA temp_store = MEMORY")
        copy.execute("BEGIN")
        for model in KEY_ORDERED_MODELS:
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            copy.execute(f"CREATE TEMP TABLE branchlife_ordered AS SELECT * FROM {table}")
            copy.execute(f"DELETE FROM {table}")
            copy.execute(f"INSERT INTO {table} SELECT * FROM branchlife_ordered ORDER BY {pk}")
            copy.execute("DROP TABLE branchlife_ordered")
        copy.execute("COMMIT")
        copy.execute("VACUUM")
        tables = {}
        for table in _sqlite_tables(copy):
            tables[table] = copy.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}").fetchone()[0]
        heads = _migration_heads(copy.execute("SELECT app, name FROM django_migrations"))
        server_version = sqlite3.sqlite_version
    finally:
        copy.close()
    database = {"vendor": "sqlite", "server_version": server_version, "file": SQLITE_COPY}
    return [(SQLITE_COPY, path)], {"database": database, "tables": tables, "migrations": heads}


def _sqlite_restore(workdir: Path, manifest: dict) -> None:
    source = sqlite3.connect(workdir / manifest["database"]["file"])
    try:
        connection.close()
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


# ---------------------------------------------------------------- backup
def _archive_path(directory: Path, now, encrypted: bool) -> Path:
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    suffix = ".tar.enc" if encrypted else ".tar"
    n = 1
    while True:
        path = directory / f"branchlife-backup-{stamp}{f'-{n}' if n > 1 else ''}{suffix}"
        if not path.exists():
            return path
        n += 1


def _archive_write(raw, *, members: list[tuple[str, Path]], manifest: dict, secret: bytes | None) -> None:
    sink = crypto.EncryptingWriter(raw, secret) if secret else raw
    files = {}
    with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for name, path in members:
            with open(path, "rb") as source:
                stat = os.fstat(source.fileno())
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), stat.st_mode & 0o777
                reader = _HashingReader(source)
                tar.addfile(info, reader)
                files[name] = reader.sha256.hexdigest()
        data = json.dumps({**manifest, "files": files}, ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
        tar.addfile(info, io.BytesIO(data))
    if secret:
        sink.close()
    manifest["files"] = files


def backup_create(*, output_dir: Path, key_file: str | os.PathLike | None = None, now=None) -> BackupResult:
    """Write one dated archive of the configured database and MEDIA_ROOT into `output_dir`.

    A vote that is open does not stop the backup; the result lists those evaluations for the caller to warn
    about. The archive appears under its final name only once complete (mode 0600)."""
    now = now or timezone.now()
    secret = _secret(key_file)
    output_dir = Path(output_dir)
    voting = list(open_evaluations(now=now))
    try:
        output_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        workdir = Path(tempfile.mkdtemp(prefix=".branchlife-backup-", dir=output_dir))
    except OSError as exc:
        raise BackupError(_("无法写入备份目录 %(path)s：%(error)s") % {"path": output_dir, "error": exc}) from None
    partial = None
    try:
        if connection.vendor == "postgresql":
            members, facts = _pg_backup(workdir)
        elif connection.vendor == "sqlite":
            members, facts = _sqlite_backup(workdir)
        else:
            raise BackupError(_("不支持的数据库：%(vendor)s。") % {"vendor": connection.vendor})
        members += _media_files(_media_root(), exclude=output_dir)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime(now).replace(microsecond=0).isoformat(),
            "branchlife_version": _version(),
            **facts,
            "open_evaluations": [e.pk for e in voting],
        }
        fd, name = tempfile.mkstemp(prefix=".branchlife-backup-", suffix=".partial", dir=output_dir)
        partial = Path(name)
        with os.fdopen(fd, "wb") as raw:
            sink = _HashingWriter(raw)
            try:
                _archive_write(sink, members=members, manifest=manifest, secret=secret)
            except (OSError, tarfile.TarError) as exc:
                raise BackupError(_("写入备份失败：%(error)s") % {"error": exc}) from exc
            raw.flush()
            os.fsync(raw.fileno())
        path = _archive_path(output_dir, now, encrypted=secret is not None)
        partial.rename(path)
        partial = None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if partial is not None:
            partial.unlink(missing_ok=True)
    return BackupResult(
        path=path, size=sink.size, sha256=sink.sha256.hexdigest(), encrypted=secret is not None, manifest=manifest,
        open_evaluations=voting,
    )


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives in `directory` (by the time in their names); returns them.
    Files not named like an archive are never touched."""
    found = []
    for path in Path(directory).iterdir():
        match = ARCHIVE_PATTERN.match(path.name)
        if match and path.is_file():
            found.append(((match.group(1), int(match.group(2) or 1)), path))
    found.sort(reverse=True)
    old = [path for _key, path in found[max(keep, 1) :]]
    for path in old:
        path.unlink()
    return old


def backup_scheduled(*, now=None) -> BackupResult:
    """What beat runs every night: a backup into BACKUP_DIR (encrypted when BACKUP_KEY_FILE is set), then
    only the BACKUP_KEEP newest archives are kept."""
    result = backup_create(output_dir=Path(settings.BACKUP_DIR), key_file=settings.BACKUP_KEY_FILE or None, now=now)
    for evaluation in result.open_evaluations:
        logger.warning("%s", open_vote_warning(evaluation))
    result.pruned = backups_prune(directory=Path(settings.BACKUP_DIR), keep=settings.BACKUP_KEEP)
    logger.info("backup written to %s (%s bytes); %s old archive(s) deleted", result.path, result.size, len(result.pruned))
    return result


# ---------------------------------------------------------------- restore
def _unpack(archive: Path, *, secret: bytes | None, into: Path) -> dict:
    """Extract the archive into `into` and check every member against the manifest; returns the manifest."""
    try:
        raw = open(archive, "rb")  # closed by the `with` below, after the stream that wraps it
    except OSError as exc:
        raise BackupError(_("无法打开备份文件：%(error)s") % {"error": exc}) from None
    with raw:
        if crypto.is_encrypted(raw.read(len(crypto.MAGIC))):
            if secret is None:
                raise BackupError(_("该备份已加密：请用 --key-file 指定加密时所用的密钥文件。"))
            raw.seek(0)
            try:
                stream = crypto.DecryptingReader(raw, secret)
            except crypto.DecryptionError as exc:
                raise BackupError(str(exc)) from None
        else:
            raw.seek(0)
            stream = raw
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    if not (member.isfile() or member.isdir()):
                        raise BackupError(_("备份中有不应出现的条目：%(name)s") % {"name": member.name})
                    tar.extract(member, into, filter="data")
        except crypto.DecryptionError as exc:
            raise BackupError(str(exc)) from None
        except (tarfile.TarError, EOFError) as exc:
            raise BackupError(_("备份文件已损坏或不是 Branchlife 备份：%(error)s") % {"error": exc}) from None
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(_("备份中没有可读的清单（manifest.json），不能使用。")) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("不认识的备份格式：%(format)s。") % {"format": manifest.get("format")})
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    listed = set(manifest.get("files", {}))
    problems = sorted(listed - present) + sorted(present - listed)
    problems += [name for name in sorted(listed & present) if _sha256(into / name) != manifest["files"][name]]
    if problems:
        raise BackupError(
            _("备份内容与清单不符（%(count)s 个文件缺失、多余或校验和不对，如 %(example)s），不能使用。")
            % {"count": len(problems), "example": problems[0]}
        )
    return manifest


def target_contents() -> tuple[list[str], int]:
    """What a restore would overwrite: the configured database's tables that hold rows, and the number of
    files in MEDIA_ROOT."""
    tables = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                tables.append(table)
    return tables, len(_media_files(_media_root()))


def _unknown_migrations(manifest: dict) -> list[str]:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [f"{app}.{name}" for app, name in manifest.get("migrations", {}).items() if (app, name) not in known]


def _media_restore(source: Path) -> tuple[int, int]:
    root = _media_root()
    names = set()
    for name, path in _media_files(source, exclude=None):
        relative = name.removeprefix("media/")
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
        with os.fdopen(fd, "wb") as out, open(path, "rb") as source_file:
            shutil.copyfileobj(source_file, out, BLOCK)
        shutil.copystat(path, temporary)
        os.replace(temporary, target)
        names.add(relative)
    kept = sum(1 for name, _path in _media_files(root) if name.removeprefix("media/") not in names)
    return len(names), kept


def _row_counts(tables) -> dict[str, int | None]:
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
            else:
                counts[table] = None
    return counts


def backup_restore(
    *, archive: Path, key_file: str | os.PathLike | None = None, overwrite: bool = False, check_only: bool = False
) -> RestoreResult:
    """Restore an archive into the configured database and MEDIA_ROOT.

    Refuses, before reading the archive, when the database or MEDIA_ROOT holds data and `overwrite` is not
    given; then unpacks the archive to a private folder and checks every member's checksum (and, when
    encrypted, every chunk) before anything is changed. PostgreSQL: `pg_restore --clean --if-exists
    --no-owner` in one transaction, then the key-ordered tables in their archived order. SQLite: the copy is
    written over the database with the online backup API. Then the media files, then every table's row
    count is compared with the manifest. `check_only` stops after the checks."""
    secret = _secret(key_file)
    archive = Path(archive)
    if not check_only and not overwrite:
        tables, files = target_contents()
        if tables or files:
            raise BackupError(
                _("目标数据库或媒体目录已有数据（%(tables)s 张表有数据，MEDIA_ROOT 中有 %(files)s 个文件）。恢复会覆盖它们；确认无误后加 --yes 再运行。")
                % {"tables": len(tables), "files": files}
            )
    parent = archive.parent if os.access(archive.parent, os.W_OK) else None
    workdir = Path(tempfile.mkdtemp(prefix=".branchlife-restore-", dir=parent))
    try:
        manifest = _unpack(archive, secret=secret, into=workdir)
        if check_only:
            return RestoreResult(manifest=manifest, restored=False)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                _("该备份来自 %(backup)s 数据库，当前配置的是 %(current)s，不能直接恢复。")
                % {"backup": vendor, "current": connection.vendor}
            )
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                _("该备份来自更新版本的 Branchlife（本机代码没有迁移 %(names)s）：请先把代码升级到不低于备份时的版本。")
                % {"names": "、".join(unknown)}
            )
        if vendor == "postgresql":
            _pg_restore(workdir, manifest)
        else:
            _sqlite_restore(workdir, manifest)
        media_files, media_kept = _media_restore(workdir / "media")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    counts = _row_counts(manifest["tables"])
    mismatches = [(t, n, counts[t]) for t, n in manifest["tables"].items() if counts[t] != n]
    executor = MigrationExecutor(connection)
    needs_migrate = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return RestoreResult(
        manifest=manifest, restored=True, mismatches=mismatches, media_files=media_files, media_kept=media_kept,
        needs_migrate=needs_migrate,
    )
