"""Issue 24 item 14: `scripts/run.sh` runs with DEBUG off unless asked (BRANCHLIFE_DEBUG=1), with a secret key
made once and kept in a local file, so that a missing page is the product's own 404, not Django's technical page."""

import os
import stat
import subprocess
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
RUN_ENV = ROOT / "scripts" / "run_env.sh"
ASKED = ("DEBUG", "BRANCHLIFE_DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
         "SECURE_COOKIES", "SECURE_HSTS_SECONDS")


def run_env(folder: Path, **extra) -> dict:
    """The environment scripts/run.sh serves with (it sources scripts/run_env.sh in the project's folder)."""
    env = {k: v for k, v in os.environ.items() if k not in ASKED} | extra
    out = subprocess.run(["bash", "-c", f'set -euo pipefail; source "{RUN_ENV}"; env -0'], cwd=folder, env=env,
                         capture_output=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.decode().split("\0") if "=" in line)


def test_run_sh_sources_the_run_environment():
    assert "source scripts/run_env.sh" in (ROOT / "scripts" / "run.sh").read_text()


def test_debug_is_off_unless_asked_and_the_key_is_made_once(tmp_path):
    env = run_env(tmp_path)
    assert env["DEBUG"] == "False"
    key_file = Path(env["SECRET_KEY_FILE"])
    assert key_file == tmp_path / ".secret_key" and len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # the key is not readable by others
    first = key_file.read_text()
    assert run_env(tmp_path)["SECRET_KEY_FILE"] == str(key_file)
    assert key_file.read_text() == first  # kept, not remade: sessions survive a restart
    # Plain HTTP on this machine: no redirect to HTTPS, cookies that come back over HTTP, local hosts only.
    assert (env["SECURE_SSL_REDIRECT"], env["SECURE_COOKIES"], env["SECURE_HSTS_SECONDS"]) == ("False", "False", "0")
    assert set(env["ALLOWED_HOSTS"].split(",")) == {"127.0.0.1", "localhost"}


def test_debug_when_asked(tmp_path):
    assert run_env(tmp_path, BRANCHLIFE_DEBUG="1")["DEBUG"] == "True"
    assert not (tmp_path / ".secret_key").exists()
    assert run_env(tmp_path, DEBUG="True")["DEBUG"] == "True"


def test_the_key_file_is_not_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".secret_key"], cwd=ROOT).returncode
    assert ignored == 0


def test_the_settings_load_with_the_run_environment(tmp_path):
    env = run_env(tmp_path) | {"DB_NAME": str(tmp_path / "db.sqlite3")}
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c",
         "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'branchlife.settings'); django.setup();"
         "from django.conf import settings as s;"
         "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECRET_KEY == open(os.environ['SECRET_KEY_FILE']).read().strip())"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out == ["False", "False", "False", "True"]


def test_a_missing_page_is_the_products_404_with_debug_off(settings, db):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-page"' in page and "找不到这个页面" in page
    assert "Using the URLconf" not in page and "technical" not in page.lower()
