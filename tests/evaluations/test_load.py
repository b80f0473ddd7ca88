"""Issue 6.9: 200 voters submitting within the same minute lose no ballot and create no double vote.

Real HTTP against a live server — gunicorn, as in production, started on the test database (a
transactional test, so the server sees the committed rows) — from stdlib threads. A quarter of the
voters submit twice at the same instant (a double tap on a phone).
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from evaluations.models import Ballot, BallotMark, Candidate, Grade, Voter

VOTERS = 200
CANDIDATES = 30
DOUBLE_TAPS = 50
WORKERS = 40  # concurrent voters; with double taps up to 80 requests at once

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(os.getenv("DB") != "postgres", reason="the load test runs on the real PostgreSQL"),
]


def session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@pytest.fixture
def gunicorn_url(transactional_db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DB": "postgres",
        "DB_NAME": db["NAME"],
        "DB_HOST": db["HOST"],
        "DB_PORT": str(db["PORT"]),
        "DB_USER": db["USER"],
        "DB_CONN_MAX_AGE": "60",
        "RATELIMIT_ENABLE": "False",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "branchlife.wsgi", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "60"],
        cwd=settings.BASE_DIR, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


class Browser:
    def __init__(self, base: str, sessionid: str):
        self.base, self.jar = base, CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.sessionid = sessionid

    def _headers(self, extra=None) -> dict:
        cookies = {c.name: c.value for c in self.jar}
        cookies["sessionid"] = self.sessionid
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **(extra or {})}

    def get(self, path: str) -> str:
        req = urllib.request.Request(self.base + path, headers=self._headers())
        with self.opener.open(req, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        req = urllib.request.Request(
            self.base + path, data=body, headers=self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        )
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


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
