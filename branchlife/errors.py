"""Server errors: the page a user sees, and what the admins' error mail may say.

The 500 page (handler500 in branchlife/urls.py) stands alone: no base template, context processor, URL
lookup or database, since any of them may be what failed. It shows the request's id (branchlife.logs) so
that a user can quote it and an operator find the logged traceback and the mail.

The anonymous routes (branchlife.gunicorn.ANONYMOUS_ROUTES) keep their anonymity in an error report too:
Django's report (the admins' mail when ADMINS is set) lists the user, the cookies, the request headers with
the client's address and browser, and every local variable of every frame, which on the ballot or an
opinion are the very choices and words. There ErrorReporter keeps the traceback's code lines, the method
and the path, and nothing else of the request.
"""

from __future__ import annotations

import sys

from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.html import escape
from django.views import defaults
from django.views.debug import ExceptionReporter

from branchlife.gunicorn import is_anonymous_route
from branchlife.logs import current_request_id

# If 500.html itself cannot be rendered (a broken template directory), this still carries the id.
FALLBACK_PAGE = (
    '<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>服务器出错了</title>'
    "<h1>服务器出错了</h1><p>错误编号：<code>{request_id}</code></p></html>"
)


# The database went away (a restart, a failover, a full connection table) or gave up on a lock: nothing was
# saved, and the same request a few seconds later will most likely succeed. Such a failure is answered with
# 503 and a page that says so, rather than "服务器出错了" (tests/evaluations/test_database_restart.py).
TRANSIENT = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def server_error(request, template_name: str = "500.html"):
    return _error_page(request, template_name, transient=isinstance(sys.exc_info()[1], TRANSIENT))


def bad_request(request, exception, template_name: str = "400.html"):
    """400, except when the session could not be saved at the end of the request: Django's database
    session backend turns a database error there (a restart) into SessionInterrupted, a 400. Nothing is
    wrong with the request, and it will succeed again in a moment: the same 503 page as any transient error."""
    if isinstance(exception, SessionInterrupted):
        return _error_page(request, "500.html", transient=True)
    return defaults.bad_request(request, exception, template_name)


def _error_page(request, template_name: str, *, transient: bool):
    request_id = getattr(request, "request_id", None) or current_request_id() or "-"
    try:
        body = loader.get_template(template_name).render({"request_id": request_id, "transient": transient})
    except Exception:  # the error page must not fail in turn, whatever broke
        body = FALLBACK_PAGE.format(request_id=escape(request_id))
    if not transient:
        return HttpResponseServerError(body)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ErrorReporter(ExceptionReporter):
    """Django's report, without the request's details and the frames' values on the anonymous routes."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is None or not is_anonymous_route(self.request.path_info):
            return data
        hidden = self.filter.cleansed_substitute
        for frame in data["frames"]:
            if "vars" in frame:
                frame["vars"] = [(name, hidden) for name, _value in frame["vars"]]
        meta = self.request.META
        data.update(
            request_meta={key: meta[key] for key in ("REQUEST_METHOD", "PATH_INFO") if key in meta},
            request_COOKIES_items=[],
            request_GET_items=[],
            request_FILES_items=[],
            filtered_POST_items=[],
            request_insecure_uri=self.request.path_info,
            user_str=None,
        )
        return data
