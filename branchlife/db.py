"""Database chores shared by the apps that keep anonymous rows."""

from __future__ import annotations

from django.db import connection


def tables_rewrite(*models) -> bool:
    """Rewrite the tables' files so that no deleted or superseded row version is left in their pages.

    PostgreSQL keeps old row versions (with the transaction ids that wrote them) in the table's pages until
    the space is reused; a plain VACUUM only marks them free. `VACUUM FULL` copies the live rows into new
    files, removes the old ones and rebuilds the indexes, holding an exclusive lock on the tables while it
    runs — so callers run it from a Celery worker, never in a request. On SQLite nothing is needed: the app
    turns `secure_delete` on (settings.SQLITE_OPTIONS). Returns whether a rewrite ran.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL {tables}")
    return True
