"""docker-compose.yml's services, run the way the image runs them, without Docker (no engine runs here).

A folder is laid out like the image (Dockerfile): the project copied as `COPY . .` copies it (.dockerignore),
owned by root and read-only to the app user; the static files collected into it by root, at "build" time,
with the Dockerfile's own collectstatic line; media/ and var/ the app user's. Each service's command from
docker-compose.yml then runs there as an unprivileged user (nobody), as `scripts/proc` in the image does,
with only the compose file's environment (plus the Dockerfile's ENV and a .env as the README writes it),
and each service's healthcheck runs as docker would run it. What differs from a container, and only that:
the database and Redis are the ones scripts/test.sh started (a database and a Redis db number of this
test's own), /app is the folder, gunicorn binds a free port with one worker, and the static files are
not also gzip/brotli-compressed (whitenoise's compression adds 15-40 s here and changes no name or owner).

The audit's failure (issue 22): the old release step, `migrate && collectstatic`, fails as the app user on
the static files root collected (test_the_app_user_cannot_rewrite_the_static_files), and with it the
migrate service and everything waiting for it. The release step now only migrates.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.image import (
    IMAGE_ROOT,
    ROOT,
    copy_as_docker_build,
    dockerfile_collectstatic,
    dockerfile_env,
    healthcheck_argv,
    service,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

NEEDED = ("DB_HOST", "DB_PORT", "DB_USER", "REDIS_URL")
APP_USER = "nobody"
REDIS_DB = 9  # this test's own Redis database: its worker takes no other test's tasks
HOST = "branchlife.example.gov.cn"
# .env as the README's deployment section writes it.
DOTENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
    "SITE_URL": f"https://{HOST}",
}
# The image's static files, minus whitenoise's compression (see the module's docstring).
BUILD_SETTINGS = """from branchlife.settings import *  # noqa: F403
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, *, seconds: float, what, details=lambda: ""):
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{details()}")
        time.sleep(0.3)


def admin_connection(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(host=os.environ["DB_HOST"], port=os.environ["DB_PORT"], user=os.environ["DB_USER"],
                           dbname=dbname, autocommit=True)


@dataclass
class Image:
    """The folder laid out like the image, and the services started in it."""

    folder: Path
    app: Path
    db_name: str
    redis_url: str
    python_bin: Path
    python_env: dict
    web_port: int = field(default_factory=free_port)
    processes: dict = field(default_factory=dict)

    def from_image_path(self, value: str) -> str:
        return value.replace(f"{IMAGE_ROOT}/", f"{self.app}/")

    def env(self, name: str) -> dict[str, str]:
        """The container's environment: Dockerfile ENV, .env, then the service's `environment:`."""
        env = {
            "PATH": f"{self.python_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.folder / "home"),  # useradd --create-home
            "HOSTNAME": socket.gethostname(),  # docker sets it: the worker's healthcheck names celery@$HOSTNAME
            "LANG": "C.UTF-8",
            **self.python_env,
            **dockerfile_env(),
            **DOTENV,
            **{key: str(value) for key, value in service(name).get("environment", {}).items()},
        }
        env = {key: self.from_image_path(value) for key, value in env.items()}
        # The test's PostgreSQL and Redis instead of the services `db` and `broker`; a free port, one worker.
        env.update(
            DB_HOST=os.environ["DB_HOST"], DB_PORT=os.environ["DB_PORT"], DB_USER=os.environ["DB_USER"],
            DB_NAME=self.db_name, DB_PASSWORD_FILE=str(self.folder / "db_password"), REDIS_URL=self.redis_url,
            BIND=f"127.0.0.1:{self.web_port}", WEB_WORKERS="1", WORKER_CONCURRENCY="1",
        )
        return env

    def as_app_user(self, argv: list[str], name: str, **kwargs):
        return subprocess.run(argv, cwd=self.app, env=self.env(name), user=APP_USER, group=app_group(),
                              extra_groups=[], capture_output=True, text=True, **kwargs)

    def command(self, name: str) -> list[str]:
        return service(name)["command"]

    def start(self, name: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")
        process = subprocess.Popen(self.command(name), cwd=self.app, env=self.env(name), user=APP_USER,
                                   group=app_group(), extra_groups=[], stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def healthcheck(self, name: str, timeout: float = 30) -> subprocess.CompletedProcess:
        argv = [self.from_image_path(part).replace("127.0.0.1:8000", f"127.0.0.1:{self.web_port}")
                for part in healthcheck_argv(name)]
        return self.as_app_user(argv, name, timeout=timeout)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def app_group() -> int:
    return pwd.getpwnam(APP_USER).pw_gid


def app_user_can_run(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, user=APP_USER, group=app_group(), extra_groups=[], capture_output=True,
                              timeout=60).returncode == 0
    except OSError:
        return False


def app_user_python(folder: Path) -> tuple[Path, dict[str, str]]:
    """The image's Python for the app user: a bin/ folder on PATH (and what its python needs in the
    environment) running this Python with the packages installed in .venv.

    On this machine Python lives under /root (pyenv), which the app user may not enter, and .venv/bin/python
    is a link to it. Then the interpreter, its shared library and its standard library are hard-linked
    into the folder (same files, no copy: about 3,000 links) with a .pth naming .venv's site-packages."""
    venv_bin = ROOT / ".venv" / "bin"
    if app_user_can_run([str(venv_bin / "python"), "-c", "import django"]):
        return venv_bin, {}
    base, prefix = Path(sys.base_prefix), folder / "python"
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    try:
        shutil.copytree(base / "lib" / version, prefix / "lib" / version, copy_function=os.link,
                        ignore=shutil.ignore_patterns("site-packages", "test", "tests", "idlelib", "tkinter"))
        (prefix / "bin").mkdir()
        os.link(base / "bin" / version, prefix / "bin" / version)
        for library in (base / "lib").glob("libpython*.so*"):
            os.link(library, prefix / "lib" / library.name)
    except OSError as exc:
        pytest.skip(f"the app user cannot run {venv_bin / 'python'} and its files cannot be linked: {exc}")
    for alias in ("python", "python3"):
        (prefix / "bin" / alias).symlink_to(version)
    packages = next((ROOT / ".venv" / "lib").glob("python3.*/site-packages"))
    (prefix / "lib" / version / "site-packages").mkdir()
    (prefix / "lib" / version / "site-packages" / "branchlife-venv.pth").write_text(
        f"import site; site.addsitedir({str(packages)!r})\n"
    )
    for script in ("gunicorn", "celery"):
        body = (venv_bin / script).read_text().split("\n", 1)[1]
        (prefix / "bin" / script).write_text(f"#!{prefix}/bin/{version}\n{body}")
        (prefix / "bin" / script).chmod(0o755)
    env = {"LD_LIBRARY_PATH": str(prefix / "lib")}  # its library runpath is under /root too
    return prefix / "bin", env


@pytest.fixture(scope="module")
def image():
    missing = [name for name in NEEDED if not os.getenv(name)]
    if missing:
        pytest.skip(f"needs the PostgreSQL and Redis of scripts/test.sh ({', '.join(missing)} unset)")
    if os.geteuid() != 0:
        pytest.skip("runs the services as another user, as the image does: needs root (scripts/test.sh runs as root)")

    folder = Path(tempfile.mkdtemp(prefix="branchlife-image-"))
    folder.chmod(0o755)
    built, db_name = None, f"branchlife_image_{secrets.token_hex(4)}"
    try:
        app = folder / "app"
        copy_as_docker_build(ROOT, app)
        python_bin, python_env = app_user_python(folder)
        (app / "scripts" / "proc").chmod(0o755)
        # Build time, as root: the Dockerfile's own collectstatic line.
        (folder / "build").mkdir()
        (folder / "build" / "image_build_settings.py").write_text(BUILD_SETTINGS)
        build_env = {"PATH": f"{ROOT}/.venv/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **dockerfile_env(),
                     "PYTHONPATH": str(folder / "build"), "DJANGO_SETTINGS_MODULE": "image_build_settings"}
        build = subprocess.run(["/bin/sh", "-c", dockerfile_collectstatic()], cwd=app, env=build_env,
                               capture_output=True, text=True, timeout=120)
        assert build.returncode == 0, build.stderr
        # What the app writes belongs to the app user (the Dockerfile's chown), and so does its home.
        uid = pwd.getpwnam(APP_USER).pw_uid
        for writable in (app / "media", app / "var", folder / "home"):
            writable.mkdir(exist_ok=True)
            os.chown(writable, uid, app_group())
        (folder / "db_password").write_text("trust-auth-ignores-it\n")  # the compose secret
        (folder / "db_password").chmod(0o644)

        with admin_connection() as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        redis_url = urllib.parse.urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{REDIS_DB}").geturl()
        built = Image(folder=folder, app=app, db_name=db_name, redis_url=redis_url, python_bin=python_bin,
                      python_env=python_env)
        yield built
    finally:
        if built is not None:
            built.stop_all()
            import redis

            redis.Redis.from_url(built.redis_url).flushdb()
        with admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def released(image):
    """The migrate service: `scripts/proc release` as the app user."""
    return image.as_app_user(image.command("migrate"), "migrate", timeout=180)


@pytest.fixture(scope="module")
def stack(image, released):
    """web, worker and beat started as `docker compose up` starts them once migrate has succeeded."""
    if released.returncode != 0:
        pytest.fail(f"the release step failed:\n{released.stderr}")
    for name in ("web", "worker", "beat"):
        image.start(name)
    return image


def test_the_release_step_migrates_as_the_app_user(image, released):
    assert released.returncode == 0, released.stdout + released.stderr
    with admin_connection(image.db_name) as conn:
        (applied,) = conn.execute("SELECT count(*) FROM django_migrations").fetchone()
    assert applied > 20


def test_the_app_user_cannot_rewrite_the_static_files(image):
    """Why release only migrates: the old `… && collectstatic` failed here, as in the image (issue 22)."""
    old_release = image.as_app_user(["python", "manage.py", "collectstatic", "--noinput", "-v0"], "migrate", timeout=120)
    assert old_release.returncode != 0
    assert "PermissionError" in old_release.stderr


def test_web_answers_its_healthcheck_and_serves_pages(stack):
    check = wait_until(lambda: (r := stack.healthcheck("web")).returncode == 0 and r, seconds=30,
                       what="web's healthcheck", details=lambda: stack.log("web"))
    assert check.returncode == 0
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.web_port}/healthz", timeout=10) as response:
        assert json.load(response) == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}
        assert response.headers.get("Set-Cookie") is None
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    # A page, as nginx hands it over: HTTPS by X-Forwarded-Proto, no redirect, static files from the build.
    status, headers, page = fetch(f"http://127.0.0.1:{stack.web_port}/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert status == 200, (status, headers.get("Location"), stack.log("web"))
    stylesheet = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', page).group(1)
    assert fetch(f"http://127.0.0.1:{stack.web_port}{stylesheet}", headers={"X-Forwarded-Proto": "https"})[0] == 200


def test_the_worker_answers_a_ping(stack):
    wait_until(lambda: "ready." in stack.log("worker") or stack.processes["worker"].poll() is not None,
               seconds=40, what="the worker", details=lambda: stack.log("worker"))
    check = stack.healthcheck("worker")
    assert check.returncode == 0, check.stdout + check.stderr + stack.log("worker")


def test_beat_keeps_its_heartbeat(stack):
    wait_until(lambda: stack.healthcheck("beat").returncode == 0, seconds=30, what="beat's heartbeat",
               details=lambda: stack.log("beat"))
    assert stack.processes["beat"].poll() is None, stack.log("beat")


# ------------------------------------------------------------------------------------------------ nginx


@pytest.fixture(scope="module")
def nginx(stack):
    """The nginx service's configuration and certificate script, on free ports, in front of web."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    folder = stack.folder / "nginx"
    for sub in ("certs", "selfsigned", "tls", "temp"):
        (folder / sub).mkdir(parents=True)
    os.chown(folder / "temp", pwd.getpwnam(APP_USER).pw_uid, app_group())  # nginx's workers run as nobody
    cert_env = {"PATH": "/usr/bin:/bin", "TLS_CERT_DIR": str(folder / "certs"),
                "TLS_SELF_SIGNED_DIR": str(folder / "selfsigned"), "TLS_LIVE_DIR": str(folder / "tls"),
                "TLS_SELF_SIGNED_NAME": "localhost"}
    script = ROOT / "deploy" / "nginx" / "branchlife-certificate.sh"
    made = subprocess.run(["/bin/sh", str(script)], env=cert_env, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr

    http_port, https_port = free_port(), free_port()
    conf = (ROOT / "deploy" / "nginx" / "branchlife.conf").read_text()
    conf = (conf.replace("listen 80 ", f"listen 127.0.0.1:{http_port} ")
            .replace("listen 443 ", f"listen 127.0.0.1:{https_port} ")
            .replace("/etc/nginx/tls/", f"{folder}/tls/")
            .replace("/var/log/nginx/access.log", f"{folder}/access.log")
            .replace("http://web:8000", f"http://127.0.0.1:{stack.web_port}"))
    (folder / "branchlife.conf").write_text(conf)
    temp = folder / "temp"
    (folder / "nginx.conf").write_text(
        f"daemon off; worker_processes 1; pid {folder}/nginx.pid; error_log {folder}/error.log;\n"
        "events {}\n"
        f"http {{ client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/f;"
        f" uwsgi_temp_path {temp}/u; scgi_temp_path {temp}/s; include {folder}/branchlife.conf; }}\n"
    )
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=open(folder / "nginx.out", "wb"), start_new_session=True)
    stack.processes["nginx"] = process

    def listening():
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=0.5).close()
            return True
        except OSError:
            assert process.poll() is None, (folder / "nginx.out").read_text() + (folder / "error.log").read_text()
            return False

    wait_until(listening, seconds=15, what="nginx")
    context = ssl.create_default_context(cafile=folder / "selfsigned" / "fullchain.pem")
    context.check_hostname = False  # the certificate is for localhost; the chain is still verified
    return {"http": http_port, "https": https_port, "context": context, "log": folder / "access.log"}


def fetch(url: str, *, context=None, headers: dict | None = None):
    """(status, headers, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, headers={"Host": HOST, **(headers or {})})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode(errors="replace")


def test_nginx_redirects_http_to_https(nginx):
    status, headers, _ = fetch(f"http://127.0.0.1:{nginx['http']}/accounts/login/?next=/")
    assert status == 301 and headers["Location"] == f"https://{HOST}/accounts/login/?next=/"


def test_nginx_hands_https_to_web_with_its_own_request_id(nginx):
    url = f"https://127.0.0.1:{nginx['https']}"
    status, headers, body = fetch(f"{url}/healthz", context=nginx["context"])
    assert status == 200 and json.loads(body)["status"] == "ok"
    # SECURE_SSL_REDIRECT stays on and the page answers: Django sees HTTPS through X-Forwarded-Proto.
    status, headers, _ = fetch(f"{url}/accounts/login/", context=nginx["context"],
                               headers={"X-Request-ID": "client-chosen-id-0001"})
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=")  # sent on secure requests only
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's $request_id, not the client's


def test_nginx_logs_the_anonymous_routes_without_the_sender(nginx):
    url, browser = f"https://127.0.0.1:{nginx['https']}", "Mozilla/5.0 (Linux; Android 14; TestPhone-7Q) Mobile"
    fetch(f"{url}/evaluations/5/vote/?from=qr", context=nginx["context"], headers={"User-Agent": browser})
    fetch(f"{url}/accounts/activate/?code=K7QP-3MXA", context=nginx["context"], headers={"User-Agent": browser})
    fetch(f"{url}/accounts/login/", context=nginx["context"], headers={"User-Agent": browser})
    def logged():
        lines = nginx["log"].read_text().splitlines()
        return any("/accounts/login/" in line and "TestPhone" in line for line in lines) and lines

    lines = wait_until(logged, seconds=10, what="nginx's access log")
    (vote,) = [line for line in lines if "/evaluations/5/vote/" in line]
    assert "127.0.0.1" not in vote and "TestPhone" not in vote and "from=qr" not in vote, vote
    assert re.search(r"\[\d{4}-\d\d-\d\d\]", vote) and not re.search(r"\d\d:\d\d:\d\d", vote), vote
    (activation,) = [line for line in lines if "/accounts/activate/" in line]
    assert "K7QP" not in activation and activation.startswith("127.0.0.1"), activation
    (login,) = [line for line in lines if "/accounts/login/" in line and "TestPhone" in line]
    assert login.startswith("127.0.0.1") and re.search(r"\d\d:\d\d:\d\d", login), login
