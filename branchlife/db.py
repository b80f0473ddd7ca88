"""Database helpers that know PostgreSQL's storage (the anonymity purges)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

# Sessions that would make VACUUM FULL keep a row version superseded before `%s` (the next transaction id
# when the rewrite was asked for). In this database: any whose snapshot or own transaction began earlier —
# it might still see the old version. In the server's other databases: only those holding a transaction id
# that old, because VACUUM FULL's own snapshot counts every running transaction id of the server (measured
# on PostgreSQL 15: another database's open writing transaction kept the old version, a reading one did not).
OLDER_SESSIONS = """
SELECT pid, datname, backend_type, coalesce(state, ''), left(coalesce(query, ''), 120) FROM pg_stat_activity
WHERE pid <> pg_backend_pid()
  AND ((datname = current_database() AND backend_xmin IS NOT NULL AND age(backend_xmin) > age(%s::text::xid))
    OR (backend_xid IS NOT NULL AND age(backend_xid) > age(%s::text::xid)))
"""
NEXT_XID = "SELECT mod(pg_snapshot_xmax(pg_current_snapshot())::text::bigint, 4294967296)::text"


def tables_rewrite(*models, wait_seconds: float | None = None) -> bool:
    """Rewrite the tables' files so that no deleted or superseded row version is left in their pages.

    PostgreSQL keeps old row versions (with the transaction ids that wrote them) in the table's pages until
    the space is reused; a plain VACUUM only marks them free. `VACUUM FULL` copies the live rows into new
    files, removes the old ones and rebuilds the indexes, holding an exclusive lock on the tables while it
    runs — so callers run it from a Celery worker, never in a request. On SQLite nothing is needed: the app
    turns `secure_delete` on (settings.SQLITE_OPTIONS).

    A version is only dropped once no session could still see it: a transaction that began before the
    call (a long report, a stuck `idle in transaction` connection, an autovacuum ANALYZE) would make VACUUM
    FULL copy it. So the rewrite first waits, up to PURGE_WAIT_SECONDS, for those sessions to finish; if
    one is still there it does not rewrite and returns False, and the caller's next run tries again.
    Returns whether a complete rewrite ran.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    wait = settings.PURGE_WAIT_SECONDS if wait_seconds is None else wait_seconds
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(NEXT_XID)
        horizon = cursor.fetchone()[0]
        deadline = time.monotonic() + wait
        while True:
            cursor.execute(OLDER_SESSIONS, [horizon, horizon])
            older = cursor.fetchall()
            if not older:
                break
            if time.monotonic() >= deadline:
                logger.warning("rewrite of %s put off: sessions older than the rewrite: %s", tables, older)
                return False
            time.sleep(0.2)
        cursor.execute(f"VACUUM FULL {tables}")
    return True
