"""GET /healthz (branchlife/health.py): the database, the cache and the broker, as JSON with 200 or 503, for
docker-compose.yml's healthchecks. The broker is a real Redis PING: to a stand-in client here (a closed
port for the failing case); tests/test_compose_as_image.py asks the real Redis through the real stack."""

import json
import socket

import pytest

from branchlife import health


class AnsweringRedis:
    def ping(self):
        return True


@pytest.fixture
def broker_up(monkeypatch):
    monkeypatch.setattr(health, "_broker_client", lambda url: AnsweringRedis())


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_answers_ok_when_every_backend_answers(client, db, broker_up):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}


def test_it_answers_503_and_names_the_failing_check(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://:broker-password@127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "cache": "ok", "broker": "error"}}
    assert "broker-password" not in response.content.decode() and "127.0.0.1" not in response.content.decode()


def test_it_answers_plain_http_for_any_host_without_login_or_cookie(client, db, settings, broker_up):
    """A container healthcheck: http://127.0.0.1:8000/healthz, with the production redirect and hosts."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["branchlife.example.gov.cn"]
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["status"] == "ok"
    # the rest of the site still redirects and checks the host
    assert client.get("/accounts/login/", HTTP_HOST="branchlife.example.gov.cn").status_code == 301
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000", secure=True).status_code == 400


def test_it_answers_only_get_and_head(client, db, broker_up):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 404
