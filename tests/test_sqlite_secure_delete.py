"""On the SQLite default the app turns secure_delete on for every connection (issue 25): a deleted row — an
old copy of a reshuffled anonymous opinion, a ballot rewritten by the seal — leaves no bytes in the file."""

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler

MARKER = "匿名意见-留痕测试-7f3a9c"


def _connection(path, options):
    return ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}})["default"]


def _left_behind(path, options) -> bool:
    path.parent.mkdir()
    connection = _connection(path, options)
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE opinion (text TEXT)")
            cursor.executemany("INSERT INTO opinion VALUES (%s)", [(f"{MARKER}-{i}",) for i in range(50)])
            cursor.execute("DELETE FROM opinion WHERE rowid % 2 = 0")
            cursor.execute("UPDATE opinion SET text = 'x'")
    finally:
        connection.close()
    return any(MARKER.encode() in p.read_bytes() for p in path.parent.iterdir())


@pytest.fixture(autouse=True)
def own_files(django_db_blocker):
    """These connections open their own scratch files, not the test database."""
    with django_db_blocker.unblock():
        yield


def test_the_apps_sqlite_connections_leave_no_deleted_row_in_the_file(tmp_path):
    connection = _connection(tmp_path / "pragma.sqlite3", settings.SQLITE_OPTIONS)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone() == (1,)
    connection.close()
    assert not _left_behind(tmp_path / "app" / "db.sqlite3", settings.SQLITE_OPTIONS)


def test_without_it_the_old_rows_stay_in_the_file(tmp_path):
    # the control: the same writes with secure_delete off leave the text readable in the raw file
    options = {**settings.SQLITE_OPTIONS, "init_command": "PRAGMA secure_delete = OFF;"}
    assert _left_behind(tmp_path / "off" / "db.sqlite3", options)
