"""`manage.py backup` and `manage.py restore` (issue 22.4), and beat's nightly backup with its retention.

The round trips restore into a fresh database — on PostgreSQL a second database on the server scripts/test.sh
runs, on SQLite a new file — through `manage.py restore` in a subprocess, as an operator on a new server
would, and compare every table's row count and content and every media file with the source. Backups run
in the test process on committed data (transactional_db: pg_dump sees only what is committed).
"""

import base64
import hashlib
import io
import json
import logging
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from evaluations.models import Ballot, BallotMark, Voter
from operations import backup, crypto, tasks
from rectification.models import Evidence
from tests.evaluations.conftest import Builder

from .data import PDF, season

ROOT = Path(settings.BASE_DIR)
ON_POSTGRES = os.getenv("DB") == "postgres"
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES or not os.getenv("TEST_PG_BIN"), reason="needs the PostgreSQL server and binaries of scripts/test.sh"
)
KEY_ORDERED = {Voter._meta.db_table: int, Ballot._meta.db_table: str, BallotMark._meta.db_table: str}


# ---------------------------------------------------------------- helpers
def new_key(tmp_path, name="backup.key") -> Path:
    path = tmp_path / name
    path.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    return path


def media_digest(root: Path) -> dict[str, str]:
    files = sorted(p for p in Path(root).rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def run(*args, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "True", **env}
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


def archive_member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive) as tar:
        return tar.extractfile(name).read()


def call(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int, int, int]:
    return Ballot.objects.count(), BallotMark.objects.count(), Voter.objects.count(), Evidence.objects.count()


# PostgreSQL helpers: a second database on the same server, and reading any database of it directly.
@pytest.fixture
def fresh_database():
    """An empty database beside the test database: the new server of a restore."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_env(name: str) -> dict:
    conf = connection.settings_dict
    return {
        "DB": "postgres", "DB_NAME": name, "DB_HOST": conf["HOST"], "DB_PORT": str(conf["PORT"]),
        "DB_USER": conf["USER"], "DB_PASSWORD": conf["PASSWORD"], "BACKUP_PG_BIN": settings.BACKUP_PG_BIN,
    }


def pg_query(dbname: str | None, query, params=()) -> list[tuple]:
    import psycopg

    conn_params = connection.get_connection_params()
    if dbname:
        conn_params["dbname"] = dbname
    with psycopg.connect(**conn_params) as db, db.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def pg_digest(dbname: str | None = None) -> dict[str, tuple[int, str]]:
    """Every table's row count and the md5 of its rows as text, in a fixed order."""
    from psycopg import sql

    digest = {}
    for (table,) in pg_query(dbname, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"):
        query = sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t")
        digest[table] = tuple(pg_query(dbname, query.format(sql.Identifier(table)))[0])
    return digest


def pg_physical_order(dbname: str | None, table: str, column: str = "id") -> list:
    from psycopg import sql

    query = sql.SQL("SELECT {} FROM {} ORDER BY ctid").format(sql.Identifier(column), sql.Identifier(table))
    return [row[0] for row in pg_query(dbname, query)]


# ---------------------------------------------------------------- PostgreSQL
@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_restores_every_table_and_media_file_into_a_fresh_database(fresh_database, tmp_path):
    season()
    result = backup.backup_create(output_dir=tmp_path / "out")
    assert result.path.name == "branchlife-backup-20261125-1000.tar"

    done = run("manage.py", "restore", str(result.path), MEDIA_ROOT=str(tmp_path / "restored"), **pg_env(fresh_database))

    source, restored = pg_digest(), pg_digest(fresh_database)
    assert restored == source
    assert source["evaluations_ballot"][0] == 14 and source["meetings_opinion"][0] == 4
    assert len(media_digest(settings.MEDIA_ROOT)) == 2
    assert media_digest(tmp_path / "restored") == media_digest(settings.MEDIA_ROOT)
    assert result.manifest["tables"] == {table: n for table, (n, _md5) in source.items()}
    assert f"全部 {len(source)} 张表与备份一致" in done.stdout


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_ballots_leave_and_come_back_in_key_order_not_in_voting_order(fresh_database, tmp_path):
    data = season(voters=12)
    ev = data.open_evaluation
    rows_in_season = {"evaluations_voter": 6 + 12, "evaluations_ballot": 6 + 12, "evaluations_ballotmark": 6 * 6 + 12 * 12}
    # The control: while the vote is open, the live table lies in the order people voted.
    by_place = "SELECT receipt_hash FROM evaluations_ballot WHERE evaluation_id = %s ORDER BY ctid"
    assert [h for (h,) in pg_query(None, by_place, [ev.pk])] == data.cast_order

    result = backup.backup_create(output_dir=tmp_path / "out")
    dump = tmp_path / "database.dump"
    dump.write_bytes(archive_member(result.path, "database.dump"))
    pg_restore = str(Path(settings.BACKUP_PG_BIN) / "pg_restore")
    listing = subprocess.run([pg_restore, "--list", str(dump)], capture_output=True, text=True, check=True).stdout
    for table, kind in KEY_ORDERED.items():
        assert f"TABLE DATA public {table} " not in listing  # pg_dump would write them in physical order
        rows = archive_member(result.path, f"ordered/{table}.copy").decode().splitlines()
        keys = [kind(row.split("\t")[0]) for row in rows]
        assert keys == sorted(keys) and len(keys) == rows_in_season[table]

    run("manage.py", "restore", str(result.path), MEDIA_ROOT=str(tmp_path / "restored"), **pg_env(fresh_database))

    for table, kind in KEY_ORDERED.items():
        order = [kind(key) for key in pg_physical_order(fresh_database, table)]
        assert order == sorted(order), table
        # loaded in one transaction: no per-vote transaction id comes back either
        assert pg_query(fresh_database, f"SELECT count(DISTINCT xmin::text) FROM {table}") == [(1,)]
    restored = pg_query(fresh_database, by_place, [ev.pk])
    assert [h for (h,) in restored] != data.cast_order
    assert sorted(h for (h,) in restored) == sorted(data.cast_order)


# ---------------------------------------------------------------- SQLite
SQLITE_SOURCE = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.operations.data import season
data = season()
with open(sys.argv[1], "w") as f:
    json.dump({"open": data.open_evaluation.pk, "cast_order": data.cast_order}, f)
call_command("backup", output_dir=sys.argv[2])
"""


def sqlite_rows(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    """The embedded default: the online backup API one way, onto a new database file the other."""
    env = {k: v for k, v in os.environ.items() if k not in {"DB", "DB_NAME", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD"}}
    source, target, out = tmp_path / "source.sqlite3", tmp_path / "target.sqlite3", tmp_path / "out"
    made = subprocess.run(
        [sys.executable, "-c", SQLITE_SOURCE, str(tmp_path / "season.json"), str(out)], cwd=ROOT,
        env={**env, "DB_NAME": str(source), "MEDIA_ROOT": str(tmp_path / "media"), "CELERY_TASK_ALWAYS_EAGER": "True"},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "正在投票中" in made.stderr  # the open vote's warning
    archive = next(out.glob("branchlife-backup-*.tar"))
    facts = json.loads((tmp_path / "season.json").read_text())
    env.update(DB_NAME=str(target), MEDIA_ROOT=str(tmp_path / "restored"))

    done = subprocess.run([sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)

    assert done.returncode == 0, done.stderr
    assert sqlite_rows(target) == sqlite_rows(source)
    assert media_digest(tmp_path / "restored") == media_digest(tmp_path / "media") != {}
    with sqlite3.connect(source) as live, sqlite3.connect(target) as restored:
        query = "SELECT receipt_hash FROM evaluations_ballot WHERE evaluation_id = ? ORDER BY rowid"
        assert [h for (h,) in live.execute(query, [facts["open"]])] == facts["cast_order"]  # the control
        for table in KEY_ORDERED:
            keys = [k for (k,) in restored.execute(f"SELECT id FROM {table} ORDER BY rowid")]
            assert keys == sorted(keys), table
    assert "与备份一致" in done.stdout


# ---------------------------------------------------------------- encryption
@pytest.mark.django_db(transaction=True)
def test_it_encrypts_with_the_key_file_and_decrypts_with_it(tmp_path):
    season()
    key = new_key(tmp_path)
    out, _err = call("backup", output_dir=str(tmp_path / "out"), key_file=str(key))

    archive = next((tmp_path / "out").iterdir())
    assert archive.name == "branchlife-backup-20261125-1000.tar.enc" and "已加密" in out
    raw = archive.read_bytes()
    assert raw.startswith(crypto.MAGIC)
    for plaintext in (PDF[:40], b"manifest.json", b"evaluations_ballot", "会前学习流于形式".encode()):
        assert plaintext not in raw
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    checked, _err = call("restore", str(archive), key_file=str(key), check=True)
    assert "归档完好" in checked


@pytest.mark.django_db(transaction=True)
def test_a_wrong_or_missing_key_fails_clearly_and_changes_nothing(tmp_path):
    season()
    archive = backup.backup_create(output_dir=tmp_path / "out", key_file=new_key(tmp_path)).path
    before, files = counts(), media_digest(settings.MEDIA_ROOT)

    with pytest.raises(CommandError, match="密钥不对：该备份是用指纹为 [0-9a-f]{16} 的密钥加密的"):
        call("restore", str(archive), key_file=str(new_key(tmp_path, "other.key")), yes=True)
    with pytest.raises(CommandError, match="该备份已加密：请用 --key-file"):
        call("restore", str(archive), yes=True)

    assert counts() == before and media_digest(settings.MEDIA_ROOT) == files


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_changes(tmp_path):
    season()
    key = new_key(tmp_path)
    plain = backup.backup_create(output_dir=tmp_path / "plain").path
    sealed = backup.backup_create(output_dir=tmp_path / "sealed", key_file=key).path
    before, files = counts(), media_digest(settings.MEDIA_ROOT)
    data = bytearray(plain.read_bytes())
    data[data.index(PDF[:40]) + 20] ^= 1  # one bit of the evidence PDF
    plain.write_bytes(bytes(data))
    encrypted = sealed.read_bytes()

    with pytest.raises(CommandError, match="备份内容与清单不符.*media/rectification/evidence/"):
        call("restore", str(plain), yes=True)
    sealed.write_bytes(encrypted[:-100])  # cut short
    with pytest.raises(CommandError, match="已损坏、被改动或不完整"):
        call("restore", str(sealed), key_file=str(key), yes=True)
    flipped = bytearray(encrypted)
    flipped[len(flipped) // 2] ^= 1
    sealed.write_bytes(bytes(flipped))
    with pytest.raises(CommandError, match="已损坏、被改动或不完整"):
        call("restore", str(sealed), key_file=str(key), yes=True)

    assert counts() == before and media_digest(settings.MEDIA_ROOT) == files


# ---------------------------------------------------------------- refusing to overwrite
@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_overwrite_data_without_yes(tmp_path):
    season()
    archive = backup.backup_create(output_dir=tmp_path / "out").path
    before = counts()

    with pytest.raises(CommandError, match="目标数据库或媒体目录已有数据.*加 --yes 再运行"):
        call("restore", str(archive))

    assert counts() == before


# ---------------------------------------------------------------- the open vote (issue 25)
@pytest.mark.django_db(transaction=True)
def test_it_warns_that_ballots_cast_after_a_backup_during_an_open_vote_are_not_in_it(tmp_path):
    ev = Builder().evaluation(n=3, state="open")

    out, err = call("backup", output_dir=str(tmp_path / "out"))

    assert "备份完成" in out
    assert f"警告：“{ev}”正在投票中" in err and "此后投出的票不在其中" in err
    archive = next((tmp_path / "out").iterdir())
    assert json.loads(archive_member(archive, "manifest.json"))["open_evaluations"] == [ev.pk]


@pytest.mark.django_db(transaction=True)
def test_it_does_not_warn_when_no_vote_is_open(tmp_path):
    build = Builder()
    build.close(build.evaluation(n=3))
    build.evaluation(n=3, state="scheduled")

    out, err = call("backup", output_dir=str(tmp_path / "out"))

    assert "备份完成" in out and err == ""


# ---------------------------------------------------------------- beat
@pytest.mark.django_db(transaction=True)
def test_the_nightly_backup_keeps_only_the_newest_archives(backup_settings, caplog):
    backup_settings.BACKUP_KEEP = 3
    folder = Path(backup_settings.BACKUP_DIR)
    folder.mkdir(parents=True)
    for day in range(1, 6):
        (folder / f"branchlife-backup-202611{day:02d}-0200.tar").write_bytes(b"old")
    (folder / "branchlife-backup-20261104-0200-2.tar.enc").write_bytes(b"old, second of that minute")
    (folder / "notes.txt").write_text("not an archive")
    ev = Builder().evaluation(n=3, state="open")

    with caplog.at_level(logging.WARNING, logger="operations.backup"):
        path = tasks.backup_scheduled()

    assert Path(path).name == "branchlife-backup-20261125-1000.tar"
    assert sorted(p.name for p in folder.iterdir()) == [
        "branchlife-backup-20261104-0200-2.tar.enc",
        "branchlife-backup-20261105-0200.tar",
        "branchlife-backup-20261125-1000.tar",
        "notes.txt",
    ]
    assert f"“{ev}”正在投票中" in caplog.text


SCHEDULES = """
import importlib, json, os, sys
from django.core.exceptions import ImproperlyConfigured
results = []
for env in json.loads(sys.argv[1]):
    for name in ("BACKUP_HOUR", "BACKUP_KEEP", "BACKUP_DIR"):
        os.environ.pop(name, None)
    os.environ.update(env)
    try:
        import branchlife.settings as s
        s = importlib.reload(s)
    except ImproperlyConfigured as exc:
        results.append(str(exc))
        continue
    entry = s.CELERY_BEAT_SCHEDULE.get("backup")
    results.append([sorted(entry["schedule"].hour) if entry else "off", s.BACKUP_KEEP, str(s.BACKUP_DIR)])
print(json.dumps(results))
"""


def test_beat_backs_up_at_2_by_default_and_the_hour_comes_from_the_environment():
    from branchlife.celery import app

    app.loader.import_default_modules()  # what the worker does at start: autodiscover tasks.py
    entry = settings.CELERY_BEAT_SCHEDULE["backup"]
    assert entry["task"] == "operations.tasks.backup_scheduled" and entry["task"] in app.tasks
    assert 0 < entry["options"]["expires"] < 24 * 3600
    envs = [{"MEDIA_ROOT": "/srv/branchlife/media"}, {"BACKUP_HOUR": "4", "BACKUP_KEEP": "30"}, {"BACKUP_HOUR": ""},
            {"BACKUP_HOUR": "25"}, {"BACKUP_KEEP": "0"}]
    done = run("-c", SCHEDULES, json.dumps(envs))
    default, four, off, late, none_kept = json.loads(done.stdout)
    assert default == [[2], 14, "/srv/branchlife/backups"]
    assert four[:2] == [[4], 30]
    assert off[0] == "off"
    assert "BACKUP_HOUR" in late and "BACKUP_KEEP" in none_kept


# ---------------------------------------------------------------- the database password
def test_the_database_password_reaches_pg_tools_in_their_environment_never_their_arguments(monkeypatch):
    seen = []

    def fake_run(command, *, env, **kwargs):
        seen.append((command, env))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-口令")
    backup._run(["/usr/bin/pg_dump", "--format=custom", "--dbname=branchlife"])

    (command, env), = seen
    assert not any("s3cret" in part for part in command)
    assert env["PGPASSWORD"] == "s3cret-口令"
