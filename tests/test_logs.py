"""Log lines (branchlife/logs.py, settings.LOGGING): time, level, logger and request id in the text format,
the same as one JSON object per line with LOG_FORMAT=json; the request id from the proxy or our own; a
Celery task's records carry its id; ADMINS from the environment."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from branchlife.celery import app as celery_app
from branchlife.logs import JsonFormatter, RequestIdFilter, TextFormatter
from branchlife.settings import envadmins

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


def record(message: str, *, exc: Exception | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    rec = logging.LogRecord("meetings.services", logging.ERROR, __file__, 1, message, (), exc_info)
    RequestIdFilter().filter(rec)
    return rec


def test_the_text_format_has_time_level_logger_and_request_id():
    line = TextFormatter().format(record("保存失败"))
    assert re.fullmatch(rf"{TIME} ERROR meetings\.services \[-\] 保存失败", line), line


def test_the_json_format_writes_one_parseable_object_per_line():
    try:
        raise ValueError("坏的值")
    except ValueError as exc:
        line = JsonFormatter().format(record("第一行\n第二行", exc=exc))
    assert "\n" not in line
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "request_id", "message", "exception"}
    assert re.fullmatch(TIME, entry["time"])
    assert (entry["level"], entry["logger"], entry["request_id"]) == ("ERROR", "meetings.services", "-")
    assert entry["message"] == "第一行\n第二行"
    assert "ValueError: 坏的值" in entry["exception"]


def test_log_format_json_makes_the_processes_log_json():
    code = "import django, logging; django.setup(); logging.getLogger('branchlife.check').warning('检查 %s', 1)"
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "branchlife.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.splitlines()
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"], entry["request_id"]) == ("WARNING", "branchlife.check", "检查 1", "-")


def test_a_bad_log_format_is_refused():
    env = {**os.environ, "LOG_FORMAT": "xml", "DJANGO_SETTINGS_MODULE": "branchlife.settings"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr


def test_every_response_carries_a_fresh_request_id(client, db):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_it_takes_the_request_id_of_our_proxy(client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    nginx_id = "4f1c2b9e8d7a6b5c4d3e2f1a0b9c8d7e"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=nginx_id)["X-Request-ID"] == nginx_id


@pytest.mark.parametrize("sent", ["short", "with space 123456", "x" * 65, "引号'\"<>0123456"])
def test_it_replaces_a_request_id_that_is_not_a_plain_token(client, settings, db, sent):
    settings.TRUSTED_PROXY_COUNT = 1
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"])


def test_it_ignores_x_request_id_without_a_proxy(client, settings, db):
    """Without a proxy of ours the header is the client's own: not written to our logs."""
    settings.TRUSTED_PROXY_COUNT = 0
    sent = "4f1c2b9e8d7a6b5c4d3e2f1a0b9c8d7e"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] != sent


@celery_app.task(name="tests.test_logs.log_in_a_task")
def log_in_a_task():
    logging.getLogger("notifications.services").warning("任务里的记录")


def test_a_task_logs_with_its_own_id(caplog):
    caplog.handler.addFilter(RequestIdFilter())
    result = log_in_a_task.apply()
    (rec,) = [r for r in caplog.records if r.getMessage() == "任务里的记录"]
    assert rec.request_id == result.id


def test_admins_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMINS", "张三:zhang@example.org, li@example.org ,")  # punctuation: keep
    assert envadmins("ADMINS") == [("张三", "zhang@example.org"), ("li@example.org", "li@example.org")]
    monkeypatch.setenv("ADMINS", "")
    assert envadmins("ADMINS") == []


def test_an_admin_without_an_address_is_refused(monkeypatch):
    monkeypatch.setenv("ADMINS", "张三")
    with pytest.raises(ImproperlyConfigured):
        envadmins("ADMINS")
