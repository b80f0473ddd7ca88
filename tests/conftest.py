import os
from pathlib import Path

import pytest
from django.core.management import call_command

from organizations.demo import DemoContext, seed

# The tests most bound to the calendar: the demo's own (its season is built around today), those that set
# the clock, and the apps whose rules are deadlines and sending hours (reminders) or that walk the demo
# through a browser. `scripts/test.sh` runs them again with the system clock shifted (`-m clock` under
# faketime), so a test that leans on the real date fails there first.
CLOCK_FIXTURES = {"time_machine", "clock"}
CLOCK_PATHS = ("tests/notifications/", "tests/browser/")


def pytest_collection_modifyitems(config, items):
    root = str(config.rootpath) + "/"
    for item in items:
        path = str(item.path).removeprefix(root)
        if CLOCK_FIXTURES & set(getattr(item, "fixturenames", ())) or path.startswith(CLOCK_PATHS) or "demo" in path:
            item.add_marker(pytest.mark.clock)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Demo accounts are created in most tests; PBKDF2 would spend seconds hashing their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_orgs(db) -> DemoContext:
    """Only the organization tree, members and the five demo accounts."""
    return seed()


@pytest.fixture
def demo(db) -> None:
    """Everything `seed_demo` builds, every app included."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))


@pytest.fixture
def no_cache(settings):
    """Dashboard pages computed afresh, not served from the cache."""
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def login(client):
    """login("secretary") logs the test client in as a demo account and returns it."""
    from django.contrib.auth import get_user_model

    def _login(username: str):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login


CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install.sh installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
    # between browser steps are still synchronous and safe. Only for the browser tests' lifetime.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
