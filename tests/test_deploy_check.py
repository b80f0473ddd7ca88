"""`manage.py check --deploy` is clean in production settings (issue 22 item 6): DEBUG=False and a real
SECRET_KEY turn on HTTPS-only cookies, HSTS and the SSL redirect (branchlife/settings.py). Run in a fresh
interpreter, since the settings are read from the environment once, at import."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

# Environment variables that loosen what the deploy checks look at; the check is of the defaults.
LOOSENERS = (
    "SECRET_KEY_FILE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_AGE_SECONDS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests' lifetime (tests/conftest.py: browser)
)
CHECK = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def run_check(**env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in LOOSENERS}
    environ.update(DJANGO_SETTINGS_MODULE="branchlife.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", CHECK], cwd=settings.BASE_DIR, env=environ, capture_output=True, text=True, timeout=120
    )


def test_the_deploy_checks_pass_with_debug_off():
    result = run_check(DEBUG="False", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_checks_would_fail_on_a_loosened_setting():
    """The check itself works here: turning HSTS off is reported."""
    result = run_check(DEBUG="False", SECRET_KEY=secrets.token_urlsafe(50), SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0 and "security.W004" in result.stdout + result.stderr
