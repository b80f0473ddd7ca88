"""Reading PostgreSQL's table pages as a superuser would (pageinspect), for the anonymity tests."""

from django.db import connection


def _blocks(cursor, table: str) -> int:
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
    return cursor.fetchone()[0]


def pages(table: str) -> list[dict]:
    """Every line pointer of every page, with its tuple header, and each page's free space bytes."""
    with connection.cursor() as cursor:
        result = []
        for block in range(_blocks(cursor, table)):
            cursor.execute("SELECT lower, upper FROM page_header(get_raw_page(%s, %s))", [table, block])
            lower, upper = cursor.fetchone()
            cursor.execute("SELECT substring(get_raw_page(%s, %s) FROM %s FOR %s)", [table, block, lower + 1, upper - lower])
            free = bytes(cursor.fetchone()[0])
            cursor.execute(
                "SELECT lp, lp_flags, t_xmin::text, t_xmax::text FROM heap_page_items(get_raw_page(%s, %s))", [table, block]
            )
            items = [dict(zip(("lp", "flags", "xmin", "xmax"), row, strict=True)) for row in cursor.fetchall()]
            result.append({"block": block, "free": free, "items": items})
        return result


def raw_bytes(table: str) -> bytes:
    """The table's whole file, page after page, as stored."""
    with connection.cursor() as cursor:
        chunks = []
        for block in range(_blocks(cursor, table)):
            cursor.execute("SELECT get_raw_page(%s, %s)", [table, block])
            chunks.append(bytes(cursor.fetchone()[0]))
        return b"".join(chunks)
