"""Live servers for the tests that speak real HTTP: gunicorn as in production, a cookie-keeping client, and a
PostgreSQL server of the test's own that it may stop and restart (the one scripts/test.sh runs is shared)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or (process is not None and process.poll() is not None):
                raise RuntimeError(f"nothing answers on port {port}") from None
            time.sleep(0.2)


@contextlib.contextmanager
def gunicorn(**env):
    """gunicorn on a free port with the project's settings and `env` (DB_NAME, DB_HOST …); yields its URL."""
    port = free_port()
    environment = {**os.environ, "DB": "postgres", "DB_CONN_MAX_AGE": "60", "RATELIMIT_ENABLE": "False", **env}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "branchlife.wsgi", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "60"],
        cwd=settings.BASE_DIR, env=environment,
    )
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


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
        return self.get_with_status(path)[1]

    def get_with_status(self, path: str) -> tuple[int, str]:
        req = urllib.request.Request(self.base + path, headers=self._headers())
        return self._open(req)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        req = urllib.request.Request(
            self.base + path, data=body, headers=self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        )
        return self._open(req)

    def _open(self, req) -> tuple[int, str]:
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


class PostgresServer:
    """A PostgreSQL cluster of the test's own (initdb in a temporary folder, durable settings: fsync on, so
    that an immediate stop loses only what was never committed), started as the postgres user."""

    def __init__(self):
        self.bin = Path(os.environ["TEST_PG_BIN"])
        self.folder = Path(tempfile.mkdtemp(prefix="branchlife-pg-"))
        os.chmod(self.folder, 0o755)
        self.data = self.folder / "data"
        self.port = free_port()

    def _as_postgres(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, **kwargs)

    def start(self) -> PostgresServer:
        subprocess.run(["chown", "postgres", str(self.folder)], check=True)
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                          "--locale=C.UTF-8")
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), "-w",
                          *extra, action, "-o", options)

    def restart_immediately(self) -> None:
        """A crash and a recovery: no shutdown checkpoint, every connection cut mid-statement."""
        self._pg_ctl("restart", "-m", "immediate")

    def copy_database(self, *, source: dict, name: str) -> None:
        """Create `name` here holding everything committed in the `source` database (Django settings_dict)."""
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "-h", source["HOST"], "-p", str(source["PORT"]), "-U", source["USER"],
             "--no-owner", source["NAME"]],
            check=True, capture_output=True,
        )
        subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q", "-v",
             "ON_ERROR_STOP=1", name],
            input=dump.stdout, check=True, capture_output=True,
        )

    def psql(self, database: str, sql: str) -> str:
        result = subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-At", "-c", sql, database],
            check=True, capture_output=True, text=True,
        )
        return result.stdout.strip()

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("stop", "-m", "immediate")
        subprocess.run(["rm", "-rf", str(self.folder)], check=False)
