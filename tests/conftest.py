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
def chinese_after_each_test():
    """A request in English (the language switch) leaves English active in the thread; the next test would
    read English labels (ChineseFirstLocaleMiddleware activates per request and never resets)."""
    yield
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def still_clock():
    """The test runs at one instant from here on (time-machine, tick=False, from the test's own clock): an
    officer's session is rewritten at most once a minute (the idle timeout's last-seen stamp), and on a slow
    run that rewrite must not land inside a request whose queries are counted."""
    import time

    import time_machine

    with time_machine.travel(time.time(), tick=False):
        yield


@pytest.fixture(autouse=True)
def _still_clock_when_counting_queries(request):
    if {"django_assert_num_queries", "django_assert_max_num_queries"} & set(request.fixturenames):
        if "_own_clock" in request.fixturenames:  # an app's autouse clock, which would otherwise start later
            request.getfixturevalue("_own_clock")
        request.getfixturevalue("still_clock")


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Demo accounts are created in most tests; PBKDF2 would spend seconds hashing their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_orgs(db) -> DemoContext:
    """Only the organization tree, members and the five demo accounts."""
    return seed()


@pytest.fixture
def office(demo_orgs):
    """水阜镇机关党支部, the demo branch most tests work in."""
    return demo_orgs.orgs["office"]


@pytest.fixture
def people(demo_orgs):
    """Its members by name."""
    return demo_orgs.members["office"]


@pytest.fixture
def demo(db) -> None:
    """Everything `seed_demo` builds, every app included."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))


@pytest.fixture
def eager():
    """Celery runs tasks in-process (what CELERY_TASK_ALWAYS_EAGER=True does in development). The print jobs' tests
    (rectification, documents) have their own, which also set up their files."""
    from branchlife.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = old


@pytest.fixture
def no_cache(settings):
    """Dashboard pages computed afresh, not served from the cache."""
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def force_login_completes_two_factor(monkeypatch):
    """Tests about other things start as an officer who has completed two-factor: `client.force_login(user)`
    (and so `login(...)` below) gives an officer a confirmed TOTP authenticator if they have none and marks
    the session verified as django_otp.login does (also for a secretary who has an authenticator), with the
    idle clock starting now. A user who needs no second factor gets the middleware's note saying so, so
    that the first request after logging in runs the queries it always ran. Tests about two-factor itself
    (tests/accounts/test_two_factor.py) log in through the login form and enter the codes."""
    import time

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor.middleware import LAST_SEEN_SESSION_KEY, NOT_NEEDED_SESSION_KEY
    from accounts.two_factor.services import TOTP_DEVICE_NAME, two_factor_required

    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        fresh = get_user_model().objects.get(pk=user.pk)  # the role lookup caches on the instance it is given
        required = two_factor_required(fresh)
        device = TOTPDevice.objects.filter(user=fresh, confirmed=True).first()
        if device is None and required:
            device = TOTPDevice.objects.create(user=fresh, name=TOTP_DEVICE_NAME, confirmed=True)
        session = self.session
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        else:
            session[NOT_NEEDED_SESSION_KEY] = fresh.pk
        if required:
            session[LAST_SEEN_SESSION_KEY] = int(time.time())
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


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
        # While Playwright's loop runs in this thread, Django keeps the thread's database connections apart
        # (asgiref's Local answers from a context variable whenever a loop is running): close those before the
        # loop stops, or the test database keeps a session pytest-django no longer sees when it drops it
        # ("database … is being accessed by other users" at the end of the run).
        from django.db import connections

        connections.close_all()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
