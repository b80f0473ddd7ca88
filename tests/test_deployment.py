"""No Docker engine runs here: docker-compose.yml, the Dockerfile, .dockerignore and the nginx files are
checked as text against the Procfile, run.sh and the app. tests/test_compose_as_image.py runs the services."""

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from branchlife.beat import heartbeat_path
from branchlife.gunicorn import ANONYMOUS_ROUTES
from tests.image import copy_as_docker_build, dockerfile_collectstatic, service

ROOT = Path(__file__).resolve().parent.parent
NGINX = ROOT / "deploy" / "nginx"
LONG_RUNNING = ("db", "broker", "web", "worker", "beat", "nginx")


def procfile() -> dict[str, str]:
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if re.match(r"^\w+:", line)]
    return dict(line.split(":", 1) for line in lines)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service():
    services = compose()["services"]
    assert {"db", "broker", "migrate", "web", "worker", "beat", "nginx"} <= set(services)
    assert services["db"]["image"].startswith("postgres")
    assert services["broker"]["image"].startswith("redis")
    assert services["nginx"]["image"].startswith("nginx")


def test_compose_and_run_script_start_the_same_processes():
    services = compose()["services"]
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    processes = procfile()
    for name in ("web", "worker", "beat", "release"):
        assert name in processes
    for name in ("web", "worker", "beat"):
        assert services[name]["command"] == ["scripts/proc", name]
        assert f"scripts/proc {name}" in run_sh
    assert services["migrate"]["command"] == ["scripts/proc", "release"]
    assert "scripts/proc release" in run_sh
    assert "gunicorn" in processes["web"] and "worker" in processes["worker"] and "beat" in processes["beat"]


def test_scripts_proc_runs_the_whole_line(tmp_path):
    """A Procfile line is one shell command: `a && b` runs both (it once ran `a` only)."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "proc").write_text((ROOT / "scripts" / "proc").read_text())
    (tmp_path / "Procfile").write_text("both: echo first && echo second\nfails: false && echo never\n")
    run = subprocess.run(["bash", "scripts/proc", "both"], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert (run.returncode, run.stdout) == (0, "first\nsecond\n")
    assert subprocess.run(["bash", "scripts/proc", "fails"], cwd=tmp_path, capture_output=True, timeout=30).returncode == 1


def test_the_image_installs_pango_and_a_cjk_font():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "libpango" in dockerfile and "fonts-noto-cjk" in dockerfile


def test_the_image_installs_exactly_the_hashed_lock():
    lines = [line.strip(" &\\") for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert "RUN pip install --no-cache-dir --require-hashes -r requirements.lock" in lines
    assert "RUN pip install --no-cache-dir --no-deps ." in lines
    assert not [line for line in lines if "pip install" in line and "-r requirements.lock" not in line and "--no-deps" not in line]


def test_the_static_files_are_collected_once_when_the_image_is_built():
    """The app user cannot rewrite them (tests/test_compose_as_image.py): release only migrates."""
    assert "collectstatic" in dockerfile_collectstatic()
    assert procfile()["release"].strip() == "python manage.py migrate --noinput"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.index("collectstatic") < dockerfile.index("USER branchlife")
    assert re.search(r"chown branchlife:branchlife /app/media /app/var", dockerfile)


def test_the_image_leaves_secrets_and_local_state_out(tmp_path):
    source, image = tmp_path / "project", tmp_path / "image"
    kept = ["manage.py", "Procfile", "requirements.lock", "branchlife/settings.py", "templates/500.html",
            "static/css/branchlife.css", "deploy/nginx/branchlife.conf", "locale/en/LC_MESSAGES/django.mo"]
    left_out = [".env", ".env.production", "secrets/db_password.txt", ".venv/bin/python", ".git/config",
                "branchlife.sqlite3", "data/other.sqlite3", "branchlife.sqlite3-journal", "media/evidence/1.pdf",
                "staticfiles/staticfiles.json", "test-artifacts/screenshots/a.png", "node_modules/x/index.js",
                "branchlife/__pycache__/settings.cpython-311.pyc", "deploy/nginx/certs/privkey.pem",
                "backup/server.key", ".run/redis.pid", "branchlife.egg-info/PKG-INFO"]
    for name in kept + left_out:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("x")
    (source / ".dockerignore").write_text((ROOT / ".dockerignore").read_text())
    copied = set(copy_as_docker_build(source, image))
    assert copied == set(kept) | {".dockerignore"}


def test_every_long_running_service_has_a_healthcheck_and_waits_for_what_it_needs():
    services = compose()["services"]
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
    assert "healthcheck" not in services["migrate"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "broker": {"condition": "service_healthy"},
        }, name
    assert services["nginx"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


def test_beat_healthcheck_reads_the_file_beat_touches():
    beat = service("beat")
    assert "--scheduler branchlife.beat.HeartbeatScheduler" in procfile()["beat"]
    heartbeat = str(heartbeat_path(beat["environment"]["BEAT_SCHEDULE_FILE"]))
    (check,) = beat["healthcheck"]["test"][1:]
    assert check.startswith(f"find {heartbeat} -mmin -3 ")  # three minutes: three of beat's longest sleeps
    from branchlife.celery import app

    assert app.conf.beat_max_loop_interval == 60  # as Celery reads it


def test_only_nginx_is_reached_from_outside():
    services = compose()["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    assert published == {"nginx": ["80:80", "443:443"]}


def test_the_app_believes_exactly_the_proxy_in_front_of_it():
    """One proxy (nginx) appends the client's address and says the scheme and its request id."""
    assert service("web")["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    conf = (NGINX / "branchlife.conf").read_text()
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme",
                   "X-Request-ID $request_id", "Host $http_host"):
        assert f"proxy_set_header {header};" in conf
    assert "return 301 https://$host$request_uri;" in conf
    assert "set $branchlife_web http://web:8000;" in conf


def test_nginx_logs_the_same_anonymous_routes_as_gunicorn():
    conf = (NGINX / "branchlife.conf").read_text()
    # the access logs' map and the location that keeps them out of the error log
    assert re.findall(r'"~?(\^/\(meetings/o/[^"]+)"', conf) == [ANONYMOUS_ROUTES.pattern] * 2
    assert re.search(r"log_format branchlife_anonymous '- - \[\$branchlife_day\] \"\$request_method \$uri ", conf)


def make_certificate(tmp_path, **env) -> subprocess.CompletedProcess:
    folders = {"TLS_CERT_DIR": tmp_path / "certs", "TLS_SELF_SIGNED_DIR": tmp_path / "own", "TLS_LIVE_DIR": tmp_path / "tls"}
    environ = {"PATH": os.environ["PATH"], **{k: str(v) for k, v in folders.items()}, **env}
    return subprocess.run(["sh", str(NGINX / "branchlife-certificate.sh")], env=environ, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.skipif(not Path("/usr/bin/openssl").exists(), reason="openssl is not installed")
def test_nginx_makes_a_self_signed_certificate_once(tmp_path):
    assert make_certificate(tmp_path, TLS_SELF_SIGNED_NAME="branchlife.example.gov.cn").returncode == 0
    first = (tmp_path / "own" / "fullchain.pem").read_bytes()
    assert make_certificate(tmp_path).returncode == 0
    assert (tmp_path / "own" / "fullchain.pem").read_bytes() == first  # kept across restarts
    assert (tmp_path / "tls" / "fullchain.pem").resolve() == tmp_path / "own" / "fullchain.pem"
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", str(tmp_path / "own" / "fullchain.pem")],
                             capture_output=True, text=True).stdout
    assert "branchlife.example.gov.cn" in subject
    assert oct((tmp_path / "own" / "privkey.pem").stat().st_mode & 0o777) == "0o600"


def test_nginx_prefers_the_mounted_certificate(tmp_path):
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "fullchain.pem").write_text("the real chain")
    (tmp_path / "certs" / "privkey.pem").write_text("the real key")
    result = make_certificate(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tls" / "fullchain.pem").read_text() == "the real chain"
    assert (tmp_path / "tls" / "privkey.pem").read_text() == "the real key"
    assert not (tmp_path / "own").exists()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    ci_lines = {line.strip() for line in ci.splitlines()}
    readme_lines = {line.split("#")[0].strip() for line in readme.splitlines()}
    assert "bash scripts/test.sh" in ci_lines & readme_lines
    assert "bash scripts/run.sh" in readme_lines
