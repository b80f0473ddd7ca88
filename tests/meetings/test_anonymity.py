"""An anonymous opinion stores nothing that identifies its author (issue 4, 3: anonymity).

Proved from the raw database rows: no author column is filled, no column holds a time finer than the
day, the key is random, no other table changed when it was submitted, and the physical row order does
not follow the order of submission.
"""

import os
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from meetings import services
from meetings.models import Opinion


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def raw_rows(table: str, where: str = "", params=()) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" {where}', params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def session_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_key, session_data, expire_date FROM django_session ORDER BY session_key")
        return cursor.fetchall()


def test_the_opinion_table_has_no_column_that_could_identify_or_time_an_author(db):
    columns = {f.column: f for f in Opinion._meta.concrete_fields}
    assert isinstance(Opinion._meta.pk, type(Opinion._meta.get_field("id"))) and Opinion._meta.pk.get_internal_type() == "UUIDField"
    kinds = {f.get_internal_type() for f in columns.values()}
    assert "DateTimeField" not in kinds and "TimeField" not in kinds
    assert not any(k in kinds for k in ("AutoField", "BigAutoField", "GenericIPAddressField"))
    assert not any("ip" in name.split("_") or "user" in name for name in columns)
    with connection.cursor() as cursor:
        described = [c.name for c in connection.introspection.get_table_description(cursor, Opinion._meta.db_table)]
    assert set(described) == set(columns)


def test_a_member_submits_anonymously_and_nothing_points_back(meeting, people, login):
    client = login("member")
    client.get(reverse("meetings:opinion_new", args=[meeting.pk]))  # the session exists before
    before_counts, before_sessions = table_counts(), session_rows()
    response = client.post(
        reverse("meetings:opinion_new", args=[meeting.pk]),
        {"text": "支部书记对青年党员的思想关心不够", "is_anonymous": "on", "target_member": ""},
    )
    assert response.status_code == 302
    assert "sent=1" in response.url

    after_counts = table_counts()
    changed = {t for t in after_counts if after_counts[t] != before_counts[t]}
    assert changed == {Opinion._meta.db_table}, changed
    assert session_rows() == before_sessions  # no flash message, no session write

    (row,) = raw_rows(Opinion._meta.db_table)
    assert row["author_member_id"] is None
    assert row["author_label"] == ""
    assert row["is_anonymous"] in (True, 1)
    assert row["answered_by_id"] is None
    uuid.UUID(str(row["id"]))  # a random key, not a sequence
    assert len(str(row["received_on"])) == 10  # a date, no time
    yang = people["杨丽"]
    identifying = {str(yang.pk), str(yang.user_id), yang.name, yang.phone}
    for column, value in row.items():
        if column != "meeting_id" and value not in (None, "", True, False):
            assert str(value) not in identifying, column
    # Nothing else references the opinion either.
    assert not Opinion.objects.get().claims.exists()


def test_a_member_who_signs_is_recorded_as_the_author(meeting, people, login):
    login("member").post(reverse("meetings:opinion_new", args=[meeting.pk]), {"text": "宣传栏内容更新不及时"})
    assert Opinion.objects.get().author_member == people["杨丽"]


def test_the_service_drops_author_details_of_an_anonymous_opinion(meeting, people):
    opinion = services.opinions.opinion_submit(
        meeting=meeting, text="机关食堂浪费现象需要管一管", channel="member", is_anonymous=True,
        author_member=people["杨丽"], author_label="杨丽",
    )
    opinion.refresh_from_db()
    assert opinion.author_member is None and opinion.author_label == ""


def test_the_database_refuses_an_anonymous_row_with_an_author(meeting, people):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.create(
            meeting=meeting, received_on=meeting.held_on, channel="member", text="一条意见建议", is_anonymous=True,
            author_member=people["杨丽"],
        )


def _submit_in_order(meeting, n=8) -> list[str]:
    texts = [f"第{i}条匿名意见建议" for i in range(n)]
    for text in texts:
        services.opinions.opinion_submit(meeting=meeting, text=text, channel="public", is_anonymous=True)
    return texts


def test_lists_do_not_follow_submission_order(meeting):
    texts = _submit_in_order(meeting)
    listed = [o.text for o in Opinion.objects.filter(meeting=meeting)]
    by_key = [r["text"] for r in raw_rows(Opinion._meta.db_table, "ORDER BY id")]
    assert sorted(listed) == sorted(texts)
    # 8! orders: one chance in 40,320 that a random order equals the submission order.
    assert listed != texts
    assert by_key != texts


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's rowid")
def test_sqlite_rowids_do_not_follow_submission_order(meeting):
    texts = _submit_in_order(meeting)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {Opinion._meta.db_table} ORDER BY rowid")
        physical = [r[0] for r in cursor.fetchall()]
    assert sorted(physical) == sorted(texts)
    assert physical != texts


@pytest.mark.postgres
@pytest.mark.skipif(os.getenv("DB") != "postgres", reason="needs PostgreSQL (ctid)")
def test_postgres_physical_order_does_not_follow_submission_order(meeting):
    texts = _submit_in_order(meeting)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {Opinion._meta.db_table} ORDER BY ctid")
        physical = [r[0] for r in cursor.fetchall()]
        # All rows of the day were rewritten by the last submission: their xmin is one transaction,
        # so the transaction ids do not order them either.
        cursor.execute(f"SELECT COUNT(DISTINCT xmin::text) FROM {Opinion._meta.db_table}")
        distinct_xmin = cursor.fetchone()[0]
    assert sorted(physical) == sorted(texts)
    assert physical != texts
    assert distinct_xmin == 1
