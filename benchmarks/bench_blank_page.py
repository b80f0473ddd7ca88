"""Benchmark: the fixed cost of a logged-in page (issue 23 item 1) — CPU before the page does its own work.

Not a test. `BENCH_SCRIPT=benchmarks/bench_blank_page.py bash benchmarks/run_bench_ballots.sh` runs it on a
throw-away PostgreSQL and Redis with production settings (DEBUG=False, CACHE_BACKEND=redis); with
BENCH_BEFORE=HEAD (the default there) the wrapper also unpacks the last commit (`git archive`, read-only)
and this script measures both trees on the same database in alternating rounds.

The page is a view that renders `{% extends "base.html" %}` with nothing in it, behind `login_required`,
for a party member with three unread notices: session, user, roles, two-factor and idle-time middleware,
CSRF, the navigation and the unread badge — what every page pays. Each round is a fresh process per tree
that calls Django's WSGI handler directly (no HTTP, no test-client instrumentation): REQUESTS pages after
a warm-up, timing its own CPU (time.process_time) and the CPU of its PostgreSQL backend (/proc), and
counting the statements of one page. Medians over the rounds; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# ---------------------------------------------------------------- one round, in a process of its own
def child(tree: Path, session_key: str, requests: int) -> dict:
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchlife.settings")
    import types

    import django

    django.setup()
    # The session names the password backend of the tree that runs: its path changed with issue 23
    # (accounts.backends), and a session naming a backend the settings do not list is logged out.
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.auth.decorators import login_required
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import include, path

    import branchlife

    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    session[BACKEND_SESSION_KEY] = next(p for p in settings.AUTHENTICATION_BACKENDS if p.endswith(".ModelBackend"))
    session.save()

    blank = engines["django"].from_string('{% extends "base.html" %}')

    @login_required
    def blank_page(request):
        return HttpResponse(blank.render({}, request))

    urls = types.ModuleType("bench_blank_urls")
    urls.urlpatterns = [path("bench/blank/", blank_page), path("", include("branchlife.urls"))]
    sys.modules["bench_blank_urls"] = urls
    settings.ROOT_URLCONF = "bench_blank_urls"
    handler = WSGIHandler()

    def page() -> bytes:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": "/bench/blank/", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_COOKIE": f"sessionid={session_key}",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        status = []
        response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        body = b"".join(response)
        response.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"the blank page answered {status[0]}")
        return body

    for _ in range(30):
        body = page()
    assert b"unread-count" in body, "the page must show the unread badge"
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *a: statements.append(sql) or execute(sql, *a)):
        page()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    db0, cpu0, wall0 = proc_cpu(backend), time.process_time(), time.perf_counter()
    for _ in range(requests):
        page()
    cpu, db, wall = time.process_time() - cpu0, proc_cpu(backend) - db0, time.perf_counter() - wall0
    return {
        "code": str(Path(branchlife.__file__).parent.parent),
        "app_cpu_ms": cpu * 1000 / requests,
        "db_cpu_ms": db * 1000 / requests,
        "wall_ms": wall * 1000 / requests,
        "statements": len(statements),
        "session_engine": settings.SESSION_ENGINE.rsplit(".", 1)[1],
    }


# ---------------------------------------------------------------- the data, and the rounds
def build() -> tuple[str, object]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchlife.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.two_factor.middleware import LAST_SEEN_SESSION_KEY, NOT_NEEDED_SESSION_KEY
    from notifications.services import notification_create
    from organizations.models import Member, Organization

    tag = uuid.uuid4().hex[:8]
    root = Organization.add_root(name=f"基准测试县委{tag}", level=Organization.Level.COUNTY)
    branch = root.add_child(name=f"基准测试支部{tag}", level=Organization.Level.BRANCH)
    user = get_user_model().objects.create(username=f"bench-blank-{tag}", password="!")
    Member.objects.create(branch=branch, user=user, name="基准党员", sex="M", education="bachelor", phone=f"1{tag[:7]}000")
    for i in range(3):
        notification_create(recipient=user, title=f"基准通知{i}")
    # A database session: both trees read it (the cached_db engine falls back to the row on a miss).
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[NOT_NEEDED_SESSION_KEY] = user.pk  # a member needs no second factor (as after a real login)
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) + 3600  # the idle stamp is not rewritten mid-round
    session.create()
    return session.session_key, root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("TREE", "SESSION"))
    parser.add_argument("--before", help="the tree of the code before (e.g. `git archive HEAD` unpacked)")
    parser.add_argument("--rounds", type=int, default=int(os.getenv("BENCH_ROUNDS", "7")))
    parser.add_argument("--requests", type=int, default=int(os.getenv("BENCH_REQUESTS", "300")))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child[0]), args.child[1], args.requests)))
        return

    session_key, _root = build()
    trees = {"after": ROOT}
    if args.before:
        trees = {"before": Path(args.before).resolve(), "after": ROOT}
    load_before = os.getloadavg()
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for r in range(args.rounds):
        order = list(trees) if r % 2 == 0 else list(reversed(trees))  # alternate, so that load drift cancels
        for name in order:
            out = subprocess.run(
                [sys.executable, str(HERE), "--child", str(trees[name]), session_key, "--requests", str(args.requests)],
                check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(trees[name])},
            )
            results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    load_after = os.getloadavg()  # the rows built are left: the wrapper's database is thrown away

    summary = {}
    for name, rows in results.items():
        summary[name] = {
            "code": rows[0]["code"],
            "session_engine": rows[0]["session_engine"],
            "statements_per_page": rows[0]["statements"],
            "app_cpu_ms": round(statistics.median(r["app_cpu_ms"] for r in rows), 2),
            "db_cpu_ms": round(statistics.median(r["db_cpu_ms"] for r in rows), 2),
            "wall_ms": round(statistics.median(r["wall_ms"] for r in rows), 2),
            "app_cpu_ms_rounds": [round(r["app_cpu_ms"], 2) for r in rows],
        }
    for name, s in summary.items():
        print(f"{name:6} ({s['code']}): app CPU {s['app_cpu_ms']} ms + database CPU {s['db_cpu_ms']} ms per page, "
              f"{s['statements_per_page']} statements (+ the health check), sessions: {s['session_engine']}; "
              f"rounds {s['app_cpu_ms_rounds']}")
    if "before" in summary:
        b, a = summary["before"], summary["after"]
        ratio = (a["app_cpu_ms"] + a["db_cpu_ms"]) / (b["app_cpu_ms"] + b["db_cpu_ms"])
        summary["after_over_before_cpu"] = round(ratio, 2)
        print(f"after / before (app + database CPU): {ratio:.2f}")
    summary["loadavg_before"] = [round(x, 2) for x in load_before]
    summary["loadavg_after"] = [round(x, 2) for x in load_after]
    print(f"load average before {summary['loadavg_before']}, after {summary['loadavg_after']} ({os.cpu_count()} CPUs)")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
