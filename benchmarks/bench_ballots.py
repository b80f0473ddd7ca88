"""Benchmark: online ballots per second and latency with 20 concurrent clients (issue 6.9).

Not a test. Run it against a PostgreSQL database with the schema migrated (benchmarks/run_bench_ballots.sh
starts a throw-away PostgreSQL, migrates it and runs this):

    DB=postgres DB_HOST=127.0.0.1 DB_PORT=5432 DB_NAME=bench .venv/bin/python benchmarks/bench_ballots.py

It builds a branch of VOTERS members with an open evaluation of 30 candidates, logs every voter in (a
session row each), starts gunicorn (4 workers) on the same database, fetches each voter's ballot page
(for the CSRF token; not timed), then times the POSTs of complete ballots from 20 client threads. The
same run measures the bare path — one transaction inserting a ballot with 30 grade rows, straight
through psycopg from 20 connections — and reports the ratio. The data it creates is deleted at the end.
"""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchlife.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from evaluations import services  # noqa: E402
from evaluations.models import Ballot, BallotMark, Candidate, Evaluation, Grade  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from organizations.models import Member, Organization  # noqa: E402

CLIENTS = int(os.getenv("BENCH_CLIENTS", "20"))
VOTERS = int(os.getenv("BENCH_VOTERS", "600"))
CANDIDATES = 30
BARE_BALLOTS = int(os.getenv("BENCH_BARE_BALLOTS", "1200"))
WORKERS = os.getenv("BENCH_GUNICORN_WORKERS", "4")


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) of a process and its direct children, from /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields and (int(entry.name) == root_pid or int(fields[1]) == root_pid):
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def postmaster_pid() -> int | None:
    pid_file = os.getenv("BENCH_PG_PID_FILE")
    if pid_file and Path(pid_file).exists():
        return int(Path(pid_file).read_text().split()[0])
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def build() -> tuple[Evaluation, list[str]]:
    tag = uuid.uuid4().hex[:8]
    root = Organization.add_root(name=f"基准测试县委{tag}", level=Organization.Level.COUNTY)
    branch = root.add_child(name=f"基准测试支部{tag}", level=Organization.Level.BRANCH)
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"bench-{tag}-{i}", password="!") for i in range(VOTERS))
    members = Member.objects.bulk_create(
        Member(branch=branch, user=u, name=f"党员{i:03d}", sex="M", education="bachelor", phone=f"{tag}{i:04d}")
        for i, u in enumerate(users)
    )
    meeting = Meeting.objects.create(branch=branch, year=2026)
    now = timezone.now()
    evaluation = services.evaluation_create(
        meeting=meeting, opens_at=now - timezone.timedelta(minutes=1), closes_at=now + timezone.timedelta(hours=1),
        candidates=members[:CANDIDATES], voters=members,
    )
    sessions = []
    for user in users:
        s = SessionStore()
        s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        sessions.append(s.session_key)
    return evaluation, sessions


def cleanup(evaluation: Evaluation) -> None:
    branch = evaluation.meeting.branch
    root = branch.get_root()
    user_ids = list(Member.objects.filter(branch=branch).values_list("user_id", flat=True))
    BallotMark.objects.filter(evaluation=evaluation).delete()
    evaluation.meeting.delete()
    Member.objects.filter(branch=branch).delete()
    get_user_model().objects.filter(pk__in=user_ids).delete()
    root.delete()


def start_gunicorn() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DB_NAME": connection.settings_dict["NAME"], "DEBUG": os.getenv("DEBUG", "True")}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "branchlife.wsgi", "--workers", WORKERS, "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def request(url: str, cookie: str, data: dict | None = None) -> tuple[int, str, list[str]]:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    headers = {"Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.status, response.read().decode(), response.headers.get_all("Set-Cookie") or []


def http_phase(base: str, server_pid: int, evaluation: Evaluation, sessions: list[str]) -> dict:
    path = f"{base}/evaluations/{evaluation.pk}/vote/"
    cids = list(Candidate.objects.filter(evaluation=evaluation).values_list("pk", flat=True))
    prepared: queue.Queue = queue.Queue()

    def prepare(chunk):
        for i, sid in chunk:
            _status, page, cookies = request(path, f"sessionid={sid}")
            csrf = next(c.split(";")[0] for c in cookies if c.startswith("csrftoken="))
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            grades = {f"g_{cid}": Grade.QUALIFIED for cid in cids}
            for k in range(3):
                grades[f"g_{cids[(i + k) % len(cids)]}"] = Grade.EXCELLENT
            prepared.put((f"sessionid={sid}; {csrf}", {**grades, "committee_grade": "good", "csrfmiddlewaretoken": token}))

    chunks = [list(enumerate(sessions))[k::CLIENTS] for k in range(CLIENTS)]
    threads = [threading.Thread(target=prepare, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(CLIENTS)

    def client():
        gate.wait()
        while True:
            try:
                cookie, data = prepared.get_nowait()
            except queue.Empty:
                return
            t0 = time.perf_counter()
            try:
                status, body, _ = request(path, cookie, data)
                ok = status == 200 and 'id="receipt-code"' in body
            except Exception as exc:  # noqa: BLE001 - a failed request is a result to report
                ok, body = False, repr(exc)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if not ok:
                    errors.append(body[:200])

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    pg = postmaster_pid()
    app0, db0, client0 = cpu_seconds(server_pid), cpu_seconds(pg) if pg else 0.0, time.process_time()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    app_cpu, db_cpu = cpu_seconds(server_pid) - app0, (cpu_seconds(pg) - db0) if pg else 0.0
    client_cpu = time.process_time() - client0
    stored = Ballot.objects.filter(evaluation=evaluation).count()
    n = max(len(latencies), 1)
    server_ms = (app_cpu + db_cpu) * 1000 / n
    return {
        # CPU per ballot does not depend on what else the machine is doing: the capacity of two idle
        # cores for the server side (app + database) follows from it.
        "cpu_ms_per_ballot": {"app": round(app_cpu * 1000 / n, 1), "db": round(db_cpu * 1000 / n, 1),
                              "client": round(client_cpu * 1000 / n, 1)},
        "server_capacity_2_cores_per_second": round(2000 / server_ms, 1) if server_ms else None,
        "ballots": len(latencies),
        "stored": stored,
        "errors": len(errors),
        "per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
    }


def bare_phase(evaluation: Evaluation) -> dict:
    """One transaction = one ballot row + 30 grade rows, through psycopg directly, from CLIENTS connections."""
    import psycopg

    s = connection.settings_dict
    dsn = dict(host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"] or None, dbname=s["NAME"])
    cids = list(Candidate.objects.filter(evaluation=evaluation).values_list("pk", flat=True))
    per_client = BARE_BALLOTS // CLIENTS
    latencies: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(CLIENTS)
    mark_sql = "INSERT INTO evaluations_ballotmark (id, evaluation_id, candidate_id, grade) VALUES " + ", ".join(
        ["(%s, %s, %s, %s)"] * len(cids)
    )

    def client():
        with psycopg.connect(**dsn) as conn:
            gate.wait()
            for _ in range(per_client):
                t0 = time.perf_counter()
                with conn.transaction():
                    conn.execute(
                        "INSERT INTO evaluations_ballot (id, evaluation_id, is_valid, committee_grade, receipt_hash) "
                        "VALUES (%s, %s, true, 'good', '')",
                        [uuid.uuid4(), evaluation.pk],
                    )
                    params = []
                    for cid in cids:
                        params += [uuid.uuid4(), evaluation.pk, cid, "qualified"]
                    conn.execute(mark_sql, params)
                with lock:
                    latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "ballots": len(latencies),
        "per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
    }


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("run with DB=postgres (see the docstring)")
    load_before = os.getloadavg()[0]
    evaluation, sessions = build()
    server, base = start_gunicorn()
    try:
        http = http_phase(base, server.pid, evaluation, sessions)
    finally:
        server.terminate()
        server.wait(timeout=10)
    bare = bare_phase(evaluation)
    cleanup(evaluation)
    result = {
        "clients": CLIENTS,
        "candidates": CANDIDATES,
        "gunicorn_workers": int(WORKERS),
        "cpus": os.cpu_count(),
        "http": http,
        "bare_insert": bare,
        "ratio_to_bare": round(http["per_second"] / bare["per_second"], 2),
        # Other work on the machine skews everything: report how busy it was.
        "loadavg_1min_before": round(load_before, 2),
    }
    print(f"online ballots (HTTP, {CLIENTS} clients, {CANDIDATES} candidates): {http['per_second']}/s, "
          f"p50 {http['p50_ms']} ms, p95 {http['p95_ms']} ms, {http['errors']} errors, {http['stored']} stored")
    cpu = http["cpu_ms_per_ballot"]
    print(f"CPU per ballot: app {cpu['app']} ms, database {cpu['db']} ms, benchmark client {cpu['client']} ms; "
          f"server-side capacity of 2 idle cores ≈ {http['server_capacity_2_cores_per_second']}/s")
    print(f"bare insert path ({CLIENTS} connections): {bare['per_second']}/s, p95 {bare['p95_ms']} ms")
    print(f"ratio HTTP / bare: {result['ratio_to_bare']} (load average before the run: {load_before:.2f})")
    print(json.dumps(result))
    if http["errors"] or http["stored"] != http["ballots"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
