"""Logs that say when, how bad, where from and which request: one line per record.

Every request gets an id (RequestIdMiddleware): the proxy's X-Request-ID when we stand behind one of our
proxies (TRUSTED_PROXY_COUNT > 0) and it is a plain token, else a fresh one. The id goes back in the
response's X-Request-ID header, onto the 500 page (branchlife.errors) and, through RequestIdFilter, into
every record logged while the request runs; in the Celery worker a record carries the running task's id
instead. LOG_FORMAT=text (the default) writes `time level logger [request id] message`, LOG_FORMAT=json
one JSON object per line with the same fields (settings.LOGGING).

A request id says nothing about who sent the request: the anonymous routes stay as anonymous in these logs
as in the access logs (branchlife.gunicorn, deploy/nginx/branchlife.conf).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import datetime

from celery import current_task
from django.conf import settings

REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; a UUID has hyphens. Anything else (spaces, quotes, 200 characters
# of someone's text) is replaced by our own id rather than written to the logs.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being answered, or of the Celery task being run; None elsewhere."""
    request_id = _request_id.get()
    if request_id:
        return request_id
    if current_task:  # a proxy: false when no task runs
        return current_task.request.id
    return None


def incoming_request_id(request) -> str | None:
    """The proxy's X-Request-ID, believed only from a proxy of ours and only if it is a plain token."""
    if settings.TRUSTED_PROXY_COUNT <= 0:
        return None
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    return value if SANE_REQUEST_ID.fullmatch(value) else None


class RequestIdMiddleware:
    """First in MIDDLEWARE: the id is set before anything can log, and every response carries it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = incoming_request_id(request) or uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record a handler writes ("-" outside requests and tasks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


class MailThrottleFilter(logging.Filter):
    """The admins' mail: one per error per `seconds` in this process. An error is its logger, its message
    template and, with a traceback, the exception's type and the line that raised it; so the same bug on
    a thousand paths, or Celery retrying a lost broker every two seconds, is one mail, and a second bug is
    another."""

    _last_sent: dict[tuple, float] = {}  # shared by every instance: one process, one memory

    def __init__(self, seconds: int = 600):
        super().__init__()
        self.seconds = seconds

    @staticmethod
    def key(record: logging.LogRecord) -> tuple:
        raised_at = None
        if record.exc_info and record.exc_info[2] is not None:
            tb = record.exc_info[2]
            while tb.tb_next is not None:
                tb = tb.tb_next
            raised_at = (record.exc_info[0].__name__, tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        return record.name, str(record.msg), raised_at

    def filter(self, record: logging.LogRecord) -> bool:
        key, now = self.key(record), time.monotonic()
        last = self._last_sent.get(key)
        if last is not None and now - last < self.seconds:
            return False
        self._last_sent[key] = now
        return True

    @classmethod
    def forget(cls) -> None:
        """For tests: as if no mail had been sent."""
        cls._last_sent.clear()


class TextFormatter(logging.Formatter):
    """`2026-12-06T20:15:03.120+08:00 ERROR django.request [3f2c…] Internal Server Error: /x/`."""

    def __init__(self, fmt: str | None = None, *args, **kwargs):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", *args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        # Local time (TIME_ZONE: Django sets the process's zone) with its offset, to the millisecond.
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class JsonFormatter(TextFormatter):
    """One JSON object per line: time, level, logger, request_id, message and, if any, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii=False keeps Chinese readable; json still escapes newlines, so one record is one line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def route_task_logs_to_root(logger: logging.Logger, **kwargs) -> None:
    """Celery's `after_setup_task_logger`: a task's records go through the root logger's handlers (our
    format, the request id filter, the admins' mail) instead of Celery's own handler."""
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.propagate = True
