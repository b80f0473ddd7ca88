"""Anonymity by construction, proven from the raw tables.

Ballots are cast in a known, shuffled order. The tests then read the tables with raw SQL, as a database
administrator would, and show that
- no column of a ballot or a mark names a voter, a user or a time, and ballot keys are random UUIDs;
- the participation record carries no time and nothing that points to a ballot;
- after the close, the physical row order (SQLite rowid; PostgreSQL ctid) of the ballots, of the marks
  and of the participation rows follows neither the voting order nor each other.
Only the test knows which receipt code (and so which ballot) belongs to which voter: that is the secret
it uses to measure how much the database gives away.
"""

import os
import random
import uuid

import pytest
from django.db import connection

from evaluations import selectors, services
from evaluations.models import Ballot, BallotMark, Candidate, Grade, Voter

N = 40


def spearman(a: list[int], b: list[int]) -> float:
    """Rank correlation of two orderings of the same items (1 = same order, -1 = reversed)."""
    pos = {item: i for i, item in enumerate(b)}
    n = len(a)
    d2 = sum((i - pos[item]) ** 2 for i, item in enumerate(a))
    return 1 - 6 * d2 / (n * (n * n - 1))


def columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        return {c.name: c.type_code for c in connection.introspection.get_table_description(cursor, table)}


def cast_in_known_order(build, ev, members):
    """Each voter gives 优秀 to "their own" candidate only, so a mark's content identifies its voter."""
    order = list(members)
    random.Random(6).shuffle(order)
    candidate_of = {c.member_id: c.pk for c in Candidate.objects.filter(evaluation=ev)}
    receipts = {}
    for i, voter in enumerate(order):
        content = build.content(ev, excellent=[voter], committee=["good", "fairly_good", "fair", "poor"][i % 4])
        receipts[voter.pk] = services.ballot_cast(evaluation=ev, member=voter, content=content)
    return order, receipts, candidate_of


def physical(sql_order: str, table: str, select: str, where: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {table} WHERE {where} ORDER BY {sql_order}", params)
        return [row[0] for row in cursor.fetchall()]


def test_it_stores_no_voter_no_time_and_no_sequence_on_ballots(build):
    ballot_cols = columns(Ballot._meta.db_table)
    assert set(ballot_cols) == {"id", "evaluation_id", "is_valid", "committee_grade", "receipt_hash"}
    mark_cols = columns(BallotMark._meta.db_table)
    assert set(mark_cols) == {"id", "evaluation_id", "candidate_id", "grade", "political", "discipline", "character", "role"}
    voter_cols = columns(Voter._meta.db_table)
    assert set(voter_cols) == {"id", "evaluation_id", "member_id", "channel", "ticked_by_id", "peer_done"}

    ev = build.evaluation(n=6)
    cast_in_known_order(build, ev, ev.members)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {Ballot._meta.db_table}")
        ids = [uuid.UUID(str(row[0])) for row in cursor.fetchall()]
    assert len(ids) == 6 and all(u.version == 4 for u in ids)


def _assert_orders_unlinked(build, order_sql: str, *, in_room: bool = False):
    # In the room (扫码测评, issue 17) the roll comes from the check-in, in the order members arrived.
    ev = build.in_room(n=N) if in_room else build.evaluation(n=N)
    assert ev.in_room == in_room
    order, receipts, candidate_of = cast_in_known_order(build, ev, ev.members)
    voting = [m.pk for m in order]
    hash_to_voter = {services.receipt_hash(code): member_id for member_id, code in receipts.items()}
    candidate_to_voter = {cid: mid for mid, cid in candidate_of.items()}
    where, params = "evaluation_id = %s", [ev.pk]

    def ballots_order():
        return [hash_to_voter[h] for h in physical(order_sql, Ballot._meta.db_table, "receipt_hash", where, params)]

    def marks_order():
        return [
            candidate_to_voter[c]
            for c in physical(order_sql, BallotMark._meta.db_table, "candidate_id", where + " AND grade = %s", [ev.pk, Grade.EXCELLENT])
        ]

    def voters_order():
        return physical(order_sql, Voter._meta.db_table, "member_id", where, params)

    # While voting is open the physical order of ballots does follow the voting order: this is the
    # exposure the README describes, and what the seal removes.
    before = spearman(ballots_order(), voting)
    build.close(ev)
    services.evaluation_seal_if_due(evaluation=ev)  # what the results pages do on the first look after the close
    assert selectors.tally(evaluation=ev) is not None
    ev.refresh_from_db()
    assert ev.sealed_at is not None

    ballots, marks, voters = ballots_order(), marks_order(), voters_order()
    assert sorted(ballots) == sorted(voting) == sorted(marks) == sorted(voters)  # nothing lost
    for name, got in (("ballots", ballots), ("marks", marks), ("voters", voters)):
        assert got != voting and got != voting[::-1], name
        assert abs(spearman(got, voting)) < 0.7, (name, spearman(got, voting))
    assert abs(spearman(ballots, voters)) < 0.7
    assert abs(spearman(marks, ballots)) < 0.7
    return ev, before


@pytest.mark.parametrize("in_room", [False, True], ids=["online", "in-room"])
def test_it_rewrites_the_tables_in_random_order_at_the_close_on_sqlite(build, in_room):
    if connection.vendor != "sqlite":
        pytest.skip("rowid is SQLite's physical order")
    _ev, before = _assert_orders_unlinked(build, "rowid", in_room=in_room)
    assert before > 0.99


@pytest.mark.postgres
@pytest.mark.skipif(os.getenv("DB") != "postgres", reason="ctid and xmin are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_room", [False, True], ids=["online", "in-room"])
def test_it_rewrites_the_tables_in_random_order_at_the_close_on_postgres(build, in_room):
    ev, before = _assert_orders_unlinked(build, "ctid", in_room=in_room)
    assert before > 0.99  # each ballot was its own committed transaction, appended in voting order
    # Every rewritten row carries the xmin of the one sealing transaction: no per-vote transaction id.
    for table in (Ballot._meta.db_table, BallotMark._meta.db_table, Voter._meta.db_table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {table} WHERE evaluation_id = %s", [ev.pk])
            assert cursor.fetchone()[0] == 1, table


def test_it_seals_once_and_only_after_the_close(build):
    ev = build.evaluation(n=3)
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    assert services.evaluation_seal(evaluation=ev) is False  # still open
    assert selectors.tally(evaluation=ev) is None  # no running counts
    build.close(ev)
    assert services.evaluation_seal(evaluation=ev) is True
    stale = type(ev).objects.get(pk=ev.pk)
    stale.sealed_at = None  # a second caller that read the row before the first sealed it
    assert services.evaluation_seal(evaluation=stale) is False
    assert Ballot.objects.filter(evaluation=ev).count() == 1
    assert BallotMark.objects.filter(evaluation=ev).count() == 3
