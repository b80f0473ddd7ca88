"""GET /healthz: can this web process reach the database, the cache and the broker?

Answers `{"status": "ok"|"error", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}` with 200
or 503: no error text, address or setting, no login, no cookie. docker-compose.yml's healthchecks call it
over plain HTTP from inside the container (`curl http://127.0.0.1:8000/healthz`) and through nginx.

HealthCheckMiddleware answers it first in MIDDLEWARE, before SecurityMiddleware's HTTPS redirect and
CommonMiddleware's ALLOWED_HOSTS check (a container healthcheck comes over HTTP with Host 127.0.0.1), and
before sessions and CSRF, so it sets no cookie and costs three round trips: SELECT 1, a cache set and get,
and a Redis PING to the Celery broker, each with a timeout of about a second.
"""

from __future__ import annotations

import functools
import logging
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

HEALTHZ_PATH = "/healthz"
TIMEOUT_SECONDS = 1

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not answer 1")


def _cache() -> None:
    value = uuid.uuid4().hex
    key = f"healthz:{value}"  # its own key: two processes checking at once do not read each other's value
    cache.set(key, value, timeout=5)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not give back what was set")


@functools.lru_cache(maxsize=4)
def _broker_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)


def _broker() -> None:
    # The broker is Redis (celery[redis]); its URL is never echoed.
    if not _broker_client(settings.CELERY_BROKER_URL).ping():
        raise RuntimeError("the broker did not answer PING")


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def healthz(request):
    checks = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of any backend is an answer here, never a 500
            logger.warning("health check %s failed: %s: %s", name, exc.__class__.__name__, exc)
            checks[name] = "error"
        else:
            checks[name] = "ok"
    healthy = all(result == "ok" for result in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz before the rest of the middleware (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTHZ_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
