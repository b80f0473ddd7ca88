"""The web process's access log (the Procfile's `web`, a real gunicorn) keeps no client address, browser or
time of day for the anonymous routes (issue 25), and still logs every other request in full."""

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = "203.0.113.77"  # documentation range: only ever a header value here, never a target
BROWSER = "Mozilla/5.0 (Linux; Android 14; TestPhone-7Q) Mobile"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method, data=b"text=x" if method == "POST" else None,
                                     headers={"User-Agent": BROWSER, "X-Forwarded-For": ADDRESS, "Referer": f"http://{ADDRESS}/"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(params=["text"])
def web(tmp_path, request):
    """`scripts/proc web` on a free port against a fresh SQLite file, LOG_FORMAT as the test's parameter
    (text unless it asks otherwise); returns (base url, log path)."""
    port = _free_port()
    log = tmp_path / "web.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DB")}
    env.update(DB_NAME=str(tmp_path / "web.sqlite3"), BIND=f"127.0.0.1:{port}", WEB_WORKERS="1", DEBUG="True",
               LOG_FORMAT=request.param)
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    proc = subprocess.Popen(["bash", "scripts/proc", "web"], cwd=ROOT, env=env, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    yield base, log
    proc.terminate()
    proc.wait(timeout=10)


def test_the_anonymous_routes_are_logged_without_address_browser_or_time(web):
    base, log = web
    anonymous = ["/meetings/o/some-token/", "/meetings/3/opinions/new/", "/evaluations/5/vote/", "/evaluations/receipt/"]
    for path in anonymous:
        _get(base + path + "?from=qr", "POST")
        _get(base + path)
    _get(base + "/accounts/login/")
    _get(base + "/accounts/activate/?code=K7QP-3MXA")
    time.sleep(0.5)  # the access log is written after the response
    lines = [line for line in log.read_text().splitlines() if re.search(r'"(GET|POST) /', line)]  # the access log's
    for path in anonymous:
        logged = [line for line in lines if f" {path}" in line]
        assert len(logged) == 2, lines
        for line in logged:
            assert "127.0.0.1" not in line and ADDRESS not in line and "TestPhone" not in line and "from=qr" not in line
            assert not re.search(r"\d\d:\d\d:\d\d", line), line  # the day only
            assert re.search(r"\[\d\d/\w{3}/\d{4}\]", line), line
    # everything else keeps gunicorn's full line: the log itself works
    (login,) = [line for line in lines if '"GET /accounts/login/ HTTP' in line]
    assert login.startswith("127.0.0.1") and "TestPhone" in login and re.search(r"\d\d:\d\d:\d\d", login)

    # The activation page keeps its address and time (a security log wants them) but not the one-time code
    # a slip's QR code puts in its query string.
    (activation,) = [line for line in lines if '"GET /accounts/activate/' in line]
    assert activation.startswith("127.0.0.1") and "K7QP" not in activation, activation


@pytest.mark.parametrize("web", ["json"], indirect=True)
def test_with_log_format_json_each_access_is_one_json_object_and_the_anonymous_ones_stay_bare(web):
    import json

    base, log = web
    _get(base + "/evaluations/5/vote/?from=qr", "POST")
    _get(base + "/accounts/login/?next=/meetings/")
    _get(base + "/accounts/activate/?code=K7QP-3MXA")
    time.sleep(0.5)
    records = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "gunicorn.access":
                records.append(record)
    by_path = {r["path"]: r for r in records}
    vote = by_path["/evaluations/5/vote/"]
    assert set(vote) == {"time", "level", "logger", "message", "method", "path", "status", "bytes"}, vote
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", vote["time"]) and vote["method"] == "POST" and "from=qr" not in json.dumps(vote)
    assert ADDRESS not in json.dumps(vote) and "TestPhone" not in json.dumps(vote)
    login = by_path["/accounts/login/"]
    assert login["status"] == 200 and login["query"] == "next=/meetings/" and login["user_agent"] == BROWSER
    assert login["remote_addr"] == "127.0.0.1" and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", login["time"])
    assert re.fullmatch(r"[0-9a-f]{32}", login["request_id"]) and login["duration_ms"] >= 0
    activation = by_path["/accounts/activate/"]
    assert "K7QP" not in json.dumps(activation) and activation["query"] == ""
