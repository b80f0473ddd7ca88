"""Issue 22.8: PostgreSQL restarting in the middle of a vote loses no ballot that was answered with a receipt,
and every voter whose request failed is told in Chinese to try again, and can.

Real HTTP against gunicorn, as in production, on a PostgreSQL server of this test's own (the one
scripts/test.sh runs is shared with the other tests): the test data is built in the test database, copied
there, and that server is crashed and recovered (`pg_ctl restart -m immediate`) while 50 voters vote.
"""

import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from evaluations.models import Candidate, Grade
from tests.live import Browser, PostgresServer, gunicorn, session_cookie

VOTERS = 50
CANDIDATES = 10
RESTART_AFTER = 15  # receipts handed out before the database goes away
RETRY_FOR = 60  # seconds a voter keeps trying, a few seconds apart, as the page asks

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(os.getenv("DB") != "postgres" or not os.getenv("TEST_PG_BIN"),
                       reason="needs the PostgreSQL binaries scripts/test.sh points to"),
]
RECEIPT = re.compile(r'id="receipt-code">([A-Z0-9-]+)<')
ALREADY_VOTED = "已经投过票"
TRY_AGAIN = "请稍等片刻后重试"


@pytest.fixture
def own_postgres():
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_a_database_restart_mid_vote_loses_no_receipted_ballot(own_postgres, build, settings):
    # As in production (DEBUG off: the error pages users see), with this process's key, which signs the
    # sessions made below; plain HTTP, as behind the TLS proxy.
    settings.SECRET_KEY = "database-restart-test-" + "k" * 40
    production = {"DEBUG": "False", "SECRET_KEY": settings.SECRET_KEY, "SECURE_SSL_REDIRECT": "False",
                  "DJANGO_SETTINGS_MODULE": "tests.live_settings"}
    branch = build.branch()
    members = build.members(branch, VOTERS, with_users=True)
    ev = build.evaluation(branch=branch, members=members)
    Candidate.objects.filter(evaluation=ev).exclude(member__in=members[:CANDIDATES]).delete()
    candidate_ids = list(Candidate.objects.filter(evaluation=ev).values_list("pk", flat=True))
    cookies = [session_cookie(m.user) for m in members]
    own_postgres.copy_database(source=connection.settings_dict, name="vote")
    path = f"/evaluations/{ev.pk}/vote/"
    ballot = {**{f"g_{cid}": Grade.QUALIFIED for cid in candidate_ids}, "committee_grade": "good"}

    receipts: list[str] = []
    failures: list[tuple[int, str]] = []
    lock = threading.Lock()
    restarted = threading.Event()

    def restart_once():
        with lock:
            if restarted.is_set() or len(receipts) < RESTART_AFTER:
                return
            restarted.set()
        own_postgres.restart_immediately()

    with gunicorn(DB_NAME="vote", DB_HOST="127.0.0.1", DB_PORT=str(own_postgres.port), DB_USER="postgres",
                  **production) as url:

        def vote(i: int) -> str:
            browser = Browser(url, cookies[i])
            deadline = time.monotonic() + RETRY_FOR
            while time.monotonic() < deadline:
                status, page = browser.get_with_status(path)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page) if status == 200 else None
                if token is not None:
                    if ALREADY_VOTED in page:
                        return "already"
                    status, page = browser.post(path, {**ballot, "csrfmiddlewaretoken": token.group(1)})
                    if status == 200 and (code := RECEIPT.search(page)):
                        with lock:
                            receipts.append(code.group(1))
                        threading.Thread(target=restart_once).start()
                        return "receipt"
                    if status == 200 and ALREADY_VOTED in page:
                        return "already"
                if status != 200:
                    with lock:
                        failures.append((status, page))
                time.sleep(0.5)
            return "gave up"

        with ThreadPoolExecutor(max_workers=10) as pool:
            outcomes = list(pool.map(vote, range(VOTERS)))

    assert restarted.is_set()
    assert "gave up" not in outcomes, outcomes
    # The restart cut requests off, and each was answered with the Chinese page that asks to try again.
    assert failures, "the restart happened between requests; nothing was tested"
    assert all(status == 503 and TRY_AGAIN in page for status, page in failures), {s for s, _ in failures}
    # Every ballot answered with a receipt is in the recovered database, once; so is every other voter's.
    assert len(set(receipts)) == len(receipts) == outcomes.count("receipt")
    assert own_postgres.psql("vote", f"SELECT count(*) FROM evaluations_ballot WHERE evaluation_id = {ev.pk}") == str(VOTERS)
    assert own_postgres.psql(
        "vote", f"SELECT count(*) FROM evaluations_voter WHERE evaluation_id = {ev.pk} AND channel = 'online'"
    ) == str(VOTERS)
