"""Benchmark: online ballots per second with 20 concurrent clients, against two references (issues 6.9, 23).

Not a test. `bash benchmarks/run_bench_ballots.sh` runs it on a throw-away, durable PostgreSQL and a Redis,
with production settings (DEBUG=False, the Redis cache, cached_db sessions).

Three paths cast complete ballots (30 candidates, 3 of them 优秀, the committee rated) on one open
evaluation, each from CLIENTS threads, each voter once:
- http       the real thing: POST /evaluations/<id>/vote/ to gunicorn (WORKERS sync workers), with the
             voter's session and CSRF token (fetched beforehand by a GET, not timed);
- app_sql    the statements the app sends for one such POST, captured from a real request (the Django
             test client, in this process) and replayed through psycopg from CLIENTS autocommit
             connections — with each voter's own user, member, receipt hash and fresh UUIDs, plus the
             connection health check Django runs first (`SELECT 1`). The design's own limit: no Python
             web framework at all, the same round trips and the same SQL;
- minimum    the least a ballot needs: one transaction with the participation update, the ballot row and
             its 30 marks in one INSERT (one array per column).
Rounds alternate the order of the paths (A B C, C B A, …) so that a change in the machine's load hits all
three; each figure is the median over the rounds, each ratio the median of the rounds' ratios. CPU per
ballot is counted for every path: the benchmark client (this process), the database (the postmaster's
processes) and, for http, gunicorn's. The load average is printed before and after.
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

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.two_factor.middleware import NOT_NEEDED_SESSION_KEY  # noqa: E402
from evaluations import services  # noqa: E402
from evaluations.models import Ballot, BallotMark, Candidate, Evaluation, Grade, Voter  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from organizations.models import Member, Organization  # noqa: E402

CLIENTS = int(os.getenv("BENCH_CLIENTS", "20"))
ROUNDS = int(os.getenv("BENCH_ROUNDS", "3"))
PER_ROUND = int(os.getenv("BENCH_BALLOTS_PER_ROUND", "240"))  # ballots per path and round
CANDIDATES = 30
WORKERS = os.getenv("BENCH_GUNICORN_WORKERS", "4")
PATHS = ("http", "app_sql", "minimum")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- measuring
def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(root_pid: int | None) -> float:
    """CPU time (user + system) of a process and its direct children, from /proc."""
    if root_pid is None:
        return 0.0
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


def run_clients(work: list, cast, server_pid: int | None) -> dict:
    """`cast(item, state)` for every item, from CLIENTS threads; CPU of client, database and server."""
    todo: queue.Queue = queue.Queue()
    for item in work:
        todo.put(item)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(CLIENTS + 1)

    states: list[dict] = []

    def client():
        state: dict = {}
        with lock:
            states.append(state)
        gate.wait()
        while True:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                break
            t0 = time.perf_counter()
            try:
                error = cast(item, state)
            except Exception as exc:  # noqa: BLE001 - a failed ballot is a result to report
                error = repr(exc)[:200]
            with lock:
                latencies.append(time.perf_counter() - t0)
                if error:
                    errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    pg = postmaster_pid()
    gate.wait()  # every client connected (psycopg paths connect lazily, on their first ballot)
    app0, db0, client0, t0 = cpu_seconds(server_pid), cpu_seconds(pg), time.process_time(), time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    n = max(len(latencies), 1)
    # The connections close after the CPU is read: a backend that has exited takes its CPU time with it.
    app1, db1, client1 = cpu_seconds(server_pid), cpu_seconds(pg), time.process_time()
    for state in states:
        if "conn" in state:
            state["conn"].close()
    return {
        "ballots": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "per_second": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "cpu_ms": {
            "client": (client1 - client0) * 1000 / n,
            "db": (db1 - db0) * 1000 / n,
            "app": (app1 - app0) * 1000 / n if server_pid else 0.0,
        },
    }


# ---------------------------------------------------------------- the data
def build(voters: int) -> tuple[Evaluation, list[Member], dict[int, str]]:
    tag = uuid.uuid4().hex[:8]
    root = Organization.add_root(name=f"基准测试县委{tag}", level=Organization.Level.COUNTY)
    branch = root.add_child(name=f"基准测试支部{tag}", level=Organization.Level.BRANCH)
    User = get_user_model()
    # 37 accounts more than members, so that a user's id and its member's id differ (see capture()).
    users = User.objects.bulk_create(User(username=f"bench-{tag}-{i}", password="!") for i in range(voters + 37))[37:]
    members = Member.objects.bulk_create(
        Member(branch=branch, user=u, name=f"党员{i:04d}", sex="M", education="bachelor", phone=f"{tag}{i:04d}")
        for i, u in enumerate(users)
    )
    now = timezone.now()
    meeting = Meeting.objects.create(branch=branch, year=2026, held_on=timezone.localdate(now - timezone.timedelta(minutes=1)))
    evaluation = services.evaluation_create(
        meeting=meeting, opens_at=now - timezone.timedelta(minutes=1), closes_at=now + timezone.timedelta(hours=2),
        candidates=members[:CANDIDATES], voters=members,
    )
    # Database session rows (the cached_db engine reads a row on a cache miss, then keeps it in Redis), as
    # after a real login of a member, who needs no second factor.
    sessions = {}
    for member, user in zip(members, users, strict=True):
        s = SessionStore()
        s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(user.pk), "accounts.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s[NOT_NEEDED_SESSION_KEY] = user.pk
        s.create()
        sessions[member.pk] = s.session_key
    return evaluation, members, sessions


def ballot_data(candidate_ids: list[int], i: int) -> dict:
    grades = {f"g_{cid}": Grade.QUALIFIED for cid in candidate_ids}
    for k in range(3):
        grades[f"g_{candidate_ids[(i + k) % len(candidate_ids)]}"] = Grade.EXCELLENT
    return {**grades, "committee_grade": "good"}


# ---------------------------------------------------------------- http
def start_gunicorn() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "branchlife.wsgi", "--workers", WORKERS, "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--logger-class", "branchlife.gunicorn.AccessLogger"],
        cwd=ROOT, env={**os.environ, "DB_NAME": connection.settings_dict["NAME"]},
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
    with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=60) as response:
        return response.status, response.read().decode(), response.headers.get_all("Set-Cookie") or []


def http_round(base: str, server_pid: int, evaluation: Evaluation, voters: list[Member], sessions, cids) -> dict:
    path = f"{base}/evaluations/{evaluation.pk}/vote/"
    prepared: list = []
    lock = threading.Lock()

    def prepare(chunk):  # the ballot page, for the CSRF token (and the session in Redis): not timed
        for i, member in chunk:
            cookie = f"sessionid={sessions[member.pk]}"
            _status, page, cookies = request(path, cookie)
            csrf = next(c.split(";")[0] for c in cookies if c.startswith("csrftoken="))
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            with lock:
                prepared.append((f"{cookie}; {csrf}", {**ballot_data(cids, i), "csrfmiddlewaretoken": token}))

    items = list(enumerate(voters))
    threads = [threading.Thread(target=prepare, args=(items[k::CLIENTS],)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def cast(item, _state):
        cookie, data = item
        status, body, _ = request(path, cookie, data)
        return "" if status == 200 and 'id="receipt-code"' in body else body[:200]

    return run_clients(prepared, cast, server_pid)


# ---------------------------------------------------------------- the app's statements through psycopg
def capture(evaluation: Evaluation, member: Member, session_key: str, cids: list[int]) -> list[tuple[str, list]]:
    """The statements of one real ballot POST (after its GET), with each parameter's kind: what varies per
    voter (user, member, session, receipt hash, UUIDs, the time) is marked to be replaced."""
    from django.test import Client

    client = Client()
    client.cookies["sessionid"] = session_key
    url = f"/evaluations/{evaluation.pk}/vote/"
    assert client.get(url).status_code == 200
    seen: list[tuple[str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = client.post(url, ballot_data(cids, 0))
    code = re.search(r'id="receipt-code">([^<]+)<', response.content.decode())
    assert response.status_code == 200 and code, "the captured ballot was not cast"
    digest = services.receipt_hash(code.group(1).strip())
    user_id = member.user_id
    fixed = {evaluation.pk, *cids}
    assert user_id != member.pk and not {user_id, member.pk} & fixed, "pick a voter whose ids are unambiguous"
    statements = []
    for sql, params in seen:
        kinds = []
        for p in params:
            if isinstance(p, bool) or p is None:
                kinds.append(("const", p))
            elif isinstance(p, uuid.UUID):
                kinds.append(("uuid", None))
            elif p == session_key:
                kinds.append(("session", None))
            elif p == digest:
                kinds.append(("hash", None))
            elif isinstance(p, int) and p == user_id:
                kinds.append(("user", None))
            elif isinstance(p, int) and p == member.pk:
                kinds.append(("member", None))
            elif hasattr(p, "tzinfo"):
                kinds.append(("now", None))
            else:
                kinds.append(("const", p))
        statements.append((sql, kinds))
    return statements


def app_sql_round(statements, voters: list[Member], sessions, dsn) -> dict:
    import psycopg

    def params_for(kinds, member):
        out = []
        for kind, value in kinds:
            if kind == "const":
                out.append(value)
            elif kind == "uuid":
                out.append(uuid.uuid4())
            elif kind == "session":
                out.append(sessions[member.pk])
            elif kind == "hash":
                out.append(services.receipt_hash(services.receipt_code_new()))
            elif kind == "user":
                out.append(member.user_id)
            elif kind == "member":
                out.append(member.pk)
            else:
                out.append(timezone.now())
        return out

    def cast(member, state):
        if "conn" not in state:
            state["conn"] = psycopg.connect(**dsn, autocommit=True, cursor_factory=psycopg.ClientCursor)
        conn = state["conn"]
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")  # Django's connection health check, before each request's first query
            cursor.fetchall()
            claimed = None
            for sql, kinds in statements:
                cursor.execute(sql, params_for(kinds, member))
                rows = cursor.fetchall() if cursor.description else None
                if "FOR SHARE" in sql:  # the ballot's write: it answers how many participation rows it claimed
                    claimed = rows[0][0]
        return "" if claimed == 1 else f"not claimed: {claimed}"

    return run_clients(voters, cast, None)


# ---------------------------------------------------------------- the minimum write
def minimum_round(evaluation: Evaluation, voters: list[Member], cids: list[int], dsn) -> dict:
    import psycopg

    v, b, m = (model._meta.db_table for model in (Voter, Ballot, BallotMark))
    # As the app writes them: the marks as one array per column (a statement psycopg parses once), the keys
    # from gen_random_uuid().
    marks_sql = (
        f"INSERT INTO {m} (id, evaluation_id, candidate_id, grade, political, discipline, \"character\", role) "
        "SELECT gen_random_uuid(), %s, r.candidate_id, r.grade, NULL, NULL, NULL, NULL "
        "FROM unnest(%s::bigint[], %s::varchar[]) AS r(candidate_id, grade)"
    )
    grades = [Grade.EXCELLENT if i < 3 else Grade.QUALIFIED for i in range(len(cids))]

    def cast(member, state):
        if "conn" not in state:
            state["conn"] = psycopg.connect(**dsn, autocommit=True, cursor_factory=psycopg.ClientCursor)
        conn = state["conn"]
        with conn.transaction():
            claimed = conn.execute(
                f"UPDATE {v} SET channel = 'online' WHERE evaluation_id = %s AND member_id = %s AND channel = ''",
                [evaluation.pk, member.pk],
            ).rowcount
            conn.execute(
                f"INSERT INTO {b} (id, evaluation_id, is_valid, committee_grade, receipt_hash) "
                "VALUES (gen_random_uuid(), %s, true, 'good', %s)",
                [evaluation.pk, services.receipt_hash(services.receipt_code_new())],
            )
            conn.execute(marks_sql, [evaluation.pk, cids, grades])
        return "" if claimed == 1 else "not claimed"

    return run_clients(voters, cast, None)


# ---------------------------------------------------------------- main
def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("run with DB=postgres (see the docstring; run_bench_ballots.sh does it)")
    load_before = os.getloadavg()
    evaluation, members, sessions = build(CANDIDATES + 1 + ROUNDS * len(PATHS) * PER_ROUND)
    cids = list(Candidate.objects.filter(evaluation=evaluation).order_by("pk").values_list("pk", flat=True))
    fixed = {evaluation.pk, *cids}
    # The captured voter: not a candidate, and ids that cannot be mistaken for one another.
    pool = members[CANDIDATES:]
    probe = next(m for m in pool if m.user_id != m.pk and not {m.user_id, m.pk} & fixed)
    pool.remove(probe)
    statements = capture(evaluation, probe, sessions[probe.pk], cids)
    s = connection.settings_dict
    dsn = dict(host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"] or None, dbname=s["NAME"])
    server, base = start_gunicorn()
    rounds: dict[str, list[dict]] = {p: [] for p in PATHS}
    try:
        for r in range(ROUNDS):
            for name in PATHS if r % 2 == 0 else tuple(reversed(PATHS)):
                voters, pool = pool[:PER_ROUND], pool[PER_ROUND:]
                if name == "http":
                    result = http_round(base, server.pid, evaluation, voters, sessions, cids)
                elif name == "app_sql":
                    result = app_sql_round(statements, voters, sessions, dsn)
                else:
                    result = minimum_round(evaluation, voters, cids, dsn)
                rounds[name].append(result)
    finally:
        server.terminate()
        server.wait(timeout=10)
    load_after = os.getloadavg()
    stored = Ballot.objects.filter(evaluation=evaluation).count()
    voted = Voter.objects.filter(evaluation=evaluation).exclude(channel="").count()

    def med(values):
        return round(statistics.median(values), 2)

    summary = {}
    for name, results in rounds.items():
        summary[name] = {
            "per_second": med(r["per_second"] for r in results),
            "per_second_rounds": [round(r["per_second"], 1) for r in results],
            "p50_ms": med(r["p50_ms"] for r in results),
            "p95_ms": med(r["p95_ms"] for r in results),
            "cpu_ms_per_ballot": {k: med(r["cpu_ms"][k] for r in results) for k in ("app", "db", "client")},
            "errors": sum(r["errors"] for r in results),
            "first_error": next((r["first_error"] for r in results if r["first_error"]), ""),
        }
    ratio_app = [h["per_second"] / a["per_second"] for h, a in zip(rounds["http"], rounds["app_sql"], strict=True)]
    ratio_min = [h["per_second"] / m["per_second"] for h, m in zip(rounds["http"], rounds["minimum"], strict=True)]
    result = {
        "clients": CLIENTS, "candidates": CANDIDATES, "rounds": ROUNDS, "ballots_per_path_round": PER_ROUND,
        "gunicorn_workers": int(WORKERS), "debug": settings.DEBUG, "session_engine": settings.SESSION_ENGINE,
        "cpus": os.cpu_count(), "app_statements_per_ballot": len(statements) + 1,
        "paths": summary,
        "ratio_http_to_app_sql": med(ratio_app), "ratio_http_to_minimum": med(ratio_min),
        "ratio_http_to_app_sql_rounds": [round(x, 2) for x in ratio_app],
        "stored_ballots": stored, "voted": voted,
        "loadavg_before": [round(x, 2) for x in load_before], "loadavg_after": [round(x, 2) for x in load_after],
    }
    print(f"DEBUG={settings.DEBUG}, sessions {settings.SESSION_ENGINE.rsplit('.', 1)[1]}, {CLIENTS} clients, "
          f"{CANDIDATES} candidates, {ROUNDS} rounds × {PER_ROUND} ballots per path, {WORKERS} gunicorn workers")
    print(f"the app's statements per ballot: {len(statements)} + the health check:")
    for sql, _kinds in statements:
        print(f"    {' '.join(sql.split())[:110]}")
    for name, s_ in summary.items():
        cpu = s_["cpu_ms_per_ballot"]
        print(f"{name:8} {s_['per_second']:7.1f}/s (rounds {s_['per_second_rounds']}), p50 {s_['p50_ms']} ms, "
              f"p95 {s_['p95_ms']} ms; CPU per ballot: app {cpu['app']} ms, database {cpu['db']} ms, "
              f"client {cpu['client']} ms; {s_['errors']} errors {s_['first_error'][:80]}")
    print(f"ratio http / app_sql: {result['ratio_http_to_app_sql']} (rounds {result['ratio_http_to_app_sql_rounds']}); "
          f"http / minimum: {result['ratio_http_to_minimum']}")
    print(f"stored ballots {stored}, voters marked {voted}; load average before {result['loadavg_before']}, "
          f"after {result['loadavg_after']} ({os.cpu_count()} CPUs)")
    print(json.dumps(result))
    expected = 1 + ROUNDS * len(PATHS) * PER_ROUND
    if any(s_["errors"] for s_ in summary.values()) or stored != expected or voted != expected:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
