"""What an administrator reading PostgreSQL's table files finds after the close (issue 25).

Ballots are cast in a known order, the vote closes, the seal runs and so does what the app queues after
it. The test then reads every page of the participation, ballot and mark tables with `pageinspect`, as a
superuser would, and shows that nothing is left from the voting window: no dead row version (which
would keep the per-vote transaction ids that link a participation update to its ballot and marks), no
stale bytes in the pages' free space, and one transaction id on every row of the evaluation.
"""

import os
import random

import pytest
from django.db import connection

from evaluations import services, tasks
from evaluations.models import Ballot, BallotMark, Grade, PeerMark, SelfGrade, Voter
from organizations.models import Member, Organization
from tests.pages import pages

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(os.getenv("DB") != "postgres", reason="table pages are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]
EMPTY_IN_ROOM = (SelfGrade._meta.db_table, PeerMark._meta.db_table)
TABLES = (Voter._meta.db_table, Ballot._meta.db_table, BallotMark._meta.db_table, SelfGrade._meta.db_table, PeerMark._meta.db_table)


def cast_close_and_seal(build, n=12, in_room=False):
    ev = build.in_room(n=n) if in_room else build.evaluation(n=n, with_peer_review=True)
    if not in_room:  # and 个人自评和党小组互评 in one party group (issue 17)
        group = ev.meeting.branch.add_child(name="第一党小组", level=Organization.Level.GROUP)
        Member.objects.filter(pk__in=[m.pk for m in ev.members]).update(party_group=group)
        for m in ev.members:
            m.refresh_from_db()
    order = list(ev.members)
    random.Random(25).shuffle(order)
    for voter in order:
        services.ballot_cast(evaluation=ev, member=voter, content=build.content(ev, excellent=[voter]))
        if not in_room:
            grades = {c.pk: Grade.QUALIFIED for c in services.peer_candidates(evaluation=ev, member=voter)}
            services.peer_review_cast(evaluation=ev, member=voter, self_grade=Grade.QUALIFIED, grades=grades)
    ev = build.close(ev)
    assert services.evaluation_seal(evaluation=ev) is True
    return ev


@pytest.mark.parametrize("in_room", [False, True], ids=["online", "in-room"])
def test_no_row_version_of_the_voting_window_survives_in_the_pages(build, in_room):
    ev = cast_close_and_seal(build, in_room=in_room)
    tasks.ballot_tables_purge()  # what the seal queues (beat runs it again for any it missed)
    ev.refresh_from_db()
    assert ev.purged_at is not None
    for table in TABLES:
        items = [item for page in pages(table) for item in page["items"]]
        if table in EMPTY_IN_ROOM and in_room:
            continue  # no 互评 in the room's vote: nothing of this evaluation in these tables
        # only live, normal tuples: no dead, redirected or unused line pointer that once held a version
        assert {item["flags"] for item in items} == {1}, table
        assert {item["xmax"] for item in items} == {"0"}, table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {table} WHERE evaluation_id = %s", [ev.pk])
            assert cursor.fetchone()[0] == 1, table  # the seal's: no per-vote transaction id


def test_the_pages_free_space_holds_no_stale_bytes(build):
    cast_close_and_seal(build)
    tasks.ballot_tables_purge()
    for table in TABLES:
        for page in pages(table):
            assert page["free"].strip(b"\x00") == b"", (table, page["block"])


def test_without_the_purge_the_voting_window_is_still_in_the_pages(build):
    # The control: right after the seal, before the purge, the old versions are there to be read.
    cast_close_and_seal(build)
    dead = [item for table in TABLES for page in pages(table) for item in page["items"] if item["xmax"] != "0"]
    assert dead


def test_a_transaction_older_than_the_purge_puts_it_off_until_it_ends(build, settings):
    """A session that could still see the voting window (a long report, a connection left idle in a
    transaction) would make VACUUM FULL copy the old versions: the purge waits, then gives up without
    marking the evaluation purged, and the next run purges once that session has ended."""
    import threading

    from django.db import connections

    settings.PURGE_WAIT_SECONDS = 0.5
    holding, release = threading.Event(), threading.Event()

    def old_reader():
        with connections["default"].cursor() as cursor:  # this thread's own connection
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT count(*) FROM evaluations_voter")
            holding.set()
            release.wait(30)
            cursor.execute("COMMIT")
        connections["default"].close()

    thread = threading.Thread(target=old_reader)
    thread.start()
    try:
        assert holding.wait(10)
        ev = cast_close_and_seal(build)  # the reader's snapshot is older than every vote and the seal
        assert services.ballot_tables_purge() is False
        ev.refresh_from_db()
        assert ev.purged_at is None
        assert any(item["xmax"] != "0" for page in pages(TABLES[0]) for item in page["items"])
    finally:
        release.set()
        thread.join()
    settings.PURGE_WAIT_SECONDS = 60  # the other test process's database may be busy for a moment
    assert services.ballot_tables_purge() is True
    ev.refresh_from_db()
    assert ev.purged_at is not None
    assert {item["xmax"] for table in TABLES for page in pages(table) for item in page["items"]} == {"0"}


@pytest.mark.parametrize("other_session", ["reads", "writes"])
def test_a_session_of_another_database_puts_the_purge_off_only_while_it_holds_a_transaction_id(build, settings, other_session):
    """VACUUM FULL's own snapshot counts the running transaction ids of the whole server, so an open
    writing transaction in another database (another app on a shared server) would keep the old versions;
    a reader there cannot, and must not hold the purge up."""
    import psycopg

    # A writer holds the purge up for good: half a second shows it. A reader must not — but the other test process
    # (pytest-xdist, its own database on the same server) holds a transaction id for the length of each of its
    # tests, which rightly puts the purge off for a moment; CI once gave up after half a second of that.
    settings.PURGE_WAIT_SECONDS = 0.5 if other_session == "writes" else 30
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params) as other:
        other.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        other.execute("SELECT count(*) FROM pg_database")
        if other_session == "writes":
            other.execute("SELECT pg_current_xact_id()")  # a transaction id, as any write would take
        ev = cast_close_and_seal(build)
        purged = services.ballot_tables_purge()
        other.execute("ROLLBACK")
    assert purged is (other_session == "reads")
    ev.refresh_from_db()
    assert (ev.purged_at is not None) is purged
    if not purged:
        settings.PURGE_WAIT_SECONDS = 60
        assert services.ballot_tables_purge() is True
    assert {item["xmax"] for table in TABLES for page in pages(table) for item in page["items"]} == {"0"}
