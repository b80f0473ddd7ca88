import pytest
from django.core.management import call_command

from organizations.demo import DemoContext, seed


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
def login(client):
    """login("secretary") logs the test client in as a demo account and returns it."""
    from django.contrib.auth import get_user_model

    def _login(username: str):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login
