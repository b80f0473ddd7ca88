"""Issue 6.9: 200 voters submitting within the same minute lose no ballot and create no double vote.

Real HTTP against a live server — gunicorn, as in production, started on the test database (a
transactional test, so the server sees the committed rows) — from stdlib threads. A quarter of the
voters submit twice at the same instant (a double tap on a phone).
"""

import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from evaluations.models import Ballot, BallotMark, Candidate, Grade, Voter
from tests.live import Browser, gunicorn, session_cookie

VOTERS = 200
CANDIDATES = 30
DOUBLE_TAPS = 50
WORKERS = 40  # concurrent voters; with double taps up to 80 requests at once

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(os.getenv("DB") != "postgres", reason="the load test runs on the real PostgreSQL"),
]


@pytest.fixture
def gunicorn_url(transactional_db):
    db = connection.settings_dict
    with gunicorn(DB_NAME=db["NAME"], DB_HOST=db["HOST"], DB_PORT=str(db["PORT"]), DB_USER=db["USER"]) as url:
        yield url


@pytest.mark.django_db(transaction=True)
def test_200_parallel_voters_lose_no_ballot_and_vote_once(gunicorn_url, build):
    branch = build.branch()
    members = build.members(branch, VOTERS, with_users=True)
    ev = build.evaluation(branch=branch, members=members)
    Candidate.objects.filter(evaluation=ev).exclude(member__in=members[:CANDIDATES]).delete()
    candidate_ids = list(Candidate.objects.filter(evaluation=ev).values_list("pk", flat=True))
    assert len(candidate_ids) == CANDIDATES
    path = f"/evaluations/{ev.pk}/vote/"
    browsers = [Browser(gunicorn_url, session_cookie(m.user)) for m in members]

    def ballot(i: int) -> dict:
        grades = {f"g_{cid}": Grade.QUALIFIED for cid in candidate_ids}
        for cid in (candidate_ids[(i + k) % CANDIDATES] for k in range(3)):
            grades[f"g_{cid}"] = Grade.EXCELLENT  # 3 ≤ floor(30% × 30) = 9
        return {**grades, "committee_grade": "good"}

    def vote(i: int) -> list[tuple[int, str]]:
        browser = browsers[i]
        page = browser.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = {**ballot(i), "csrfmiddlewaretoken": token}
        if i >= DOUBLE_TAPS:
            return [browser.post(path, data)]
        results, gate = [None, None], threading.Barrier(2)

        def tap(k):
            gate.wait()
            results[k] = browser.post(path, data)

        taps = [threading.Thread(target=tap, args=(k,)) for k in range(2)]
        for t in taps:
            t.start()
        for t in taps:
            t.join()
        return results

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(vote, range(VOTERS)))
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"200 voters took {elapsed:.1f}s"

    receipts = []
    for i, responses in enumerate(outcomes):
        assert all(status == 200 for status, _ in responses), (i, [s for s, _ in responses])
        codes = [m.group(1) for _, body in responses if (m := re.search(r'id="receipt-code">([A-Z0-9-]+)<', body))]
        assert len(codes) == 1, (i, len(codes))  # exactly one receipt per voter, even for a double tap
        receipts.extend(codes)
        if i < DOUBLE_TAPS:
            assert sum("已经投过票" in body for _, body in responses) == 1
    assert len(set(receipts)) == VOTERS
    assert Ballot.objects.filter(evaluation=ev).count() == VOTERS
    assert Voter.objects.filter(evaluation=ev, channel="online").count() == VOTERS
    assert BallotMark.objects.filter(evaluation=ev).count() == VOTERS * CANDIDATES
    assert BallotMark.objects.filter(evaluation=ev, grade=Grade.EXCELLENT).count() == VOTERS * 3
