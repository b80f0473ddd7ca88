"""Idle sessions end (issue 22 item 6): everyone's after SESSION_IDLE_MINUTES, an officer's after the shorter
OFFICER_IDLE_MINUTES (the officers' own tests are in test_two_factor.py). The last-seen stamp starts at
login and is rewritten at most once a minute. The clock stands still and is moved by hand."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.two_factor.middleware import LAST_SEEN_SESSION_KEY, idle_limit_seconds
from tests.clock import NOW
from tests.organizations.factories import MemberFactory, OfficerFactory, UserFactory, make_tree

HOME = reverse("meetings:my_home")
DASHBOARD = reverse("dashboard:index")


@pytest.fixture
def at(time_machine):
    """at(minutes) stops the clock that many minutes after tests.clock.NOW."""

    def _at(minutes: float):
        time_machine.move_to(NOW + dt.timedelta(minutes=minutes), tick=False)

    _at(0)
    return _at


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def member(tree):
    _root, branches = tree
    return MemberFactory(branch=branches[0], user=UserFactory()).user


@pytest.fixture
def officer(tree):
    root, _branches = tree
    return OfficerFactory(organization=root).user


@pytest.fixture
def limits(settings):
    settings.SESSION_IDLE_MINUTES, settings.OFFICER_IDLE_MINUTES = 120, 30
    return settings


def session_row(client) -> tuple[str, dt.datetime]:
    row = Session.objects.get(session_key=client.session.session_key)
    return row.session_data, row.expire_date


def test_it_logs_an_idle_member_out(member, at, limits, client):
    client.force_login(member)
    session_key = client.session.session_key
    assert client.get(HOME).status_code == 200
    at(119)
    assert client.get(HOME).status_code == 200  # still in use: the 120 minutes start again
    at(119 + 119)
    assert client.get(HOME).status_code == 200

    at(119 + 119 + 121)
    response = client.get(HOME)
    assert response.status_code == 302 and response.url == f"{reverse('login')}?next={HOME}"
    assert SESSION_KEY not in client.session
    assert not Session.objects.filter(session_key=session_key).exists()
    assert "长时间未操作，已自动退出，请重新登录。" in client.get(response.url).content.decode()


def test_the_idle_clock_starts_at_login(member, at, limits):
    client = Client()
    response = client.post(reverse("login"), {"username": member.username, "password": "pw-123456"})
    assert response.status_code == 302 and client.session[LAST_SEEN_SESSION_KEY] == int(NOW.timestamp())
    at(121)
    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert SESSION_KEY not in client.session


def test_it_rewrites_the_stamp_at_most_once_a_minute(member, at, limits, client):
    client.force_login(member)
    client.get(HOME)
    written = session_row(client)
    at(0.9)
    assert client.get(HOME).status_code == 200
    assert session_row(client) == written  # within the minute: the session is not written

    at(1)
    assert client.get(HOME).status_code == 200
    assert client.session[LAST_SEEN_SESSION_KEY] == int(NOW.timestamp()) + 60
    assert session_row(client)[1] > written[1]  # written, and the cookie's lifetime renewed


def test_the_shorter_limit_applies_to_an_officer(officer, at, client, settings):
    settings.SESSION_IDLE_MINUTES, settings.OFFICER_IDLE_MINUTES = 20, 30
    client.force_login(officer)
    assert client.get(DASHBOARD).status_code == 200
    at(21)
    assert client.get(DASHBOARD).status_code == 302
    assert SESSION_KEY not in client.session


def test_zero_turns_the_everyone_limit_off(member, at, client, settings):
    settings.SESSION_IDLE_MINUTES, settings.OFFICER_IDLE_MINUTES = 0, 30
    client.force_login(member)
    at(7 * 60)
    assert client.get(HOME).status_code == 200
    assert client.session[SESSION_KEY] == str(member.pk)


def test_an_unused_session_lasts_eight_hours_at_most(member, at, client, settings):
    """SESSION_COOKIE_AGE (8 hours unless SESSION_COOKIE_AGE_SECONDS says otherwise) bounds a session that
    is not used at all, even with the idle limits off; each rewrite of the stamp renews it."""
    settings.SESSION_IDLE_MINUTES, settings.OFFICER_IDLE_MINUTES = 0, 0
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    client.force_login(member)
    at(8 * 60 + 1)
    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "everyone, officers, member_limit, officer_limit",
    [(120, 30, 120, 30), (20, 30, 20, 20), (0, 30, 0, 30), (120, 0, 120, 120), (0, 0, 0, 0)],
)
def test_the_limit_is_the_shorter_of_the_two_for_officers(
    member, officer, settings, everyone, officers, member_limit, officer_limit
):
    settings.SESSION_IDLE_MINUTES, settings.OFFICER_IDLE_MINUTES = everyone, officers
    assert idle_limit_seconds(member) == member_limit * 60
    assert idle_limit_seconds(officer) == officer_limit * 60
