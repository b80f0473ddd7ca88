"""Gunicorn's access log, without what could identify the author of an anonymous submission.

The anonymous routes — the public opinion link, a member's (possibly anonymous) opinion, the ballot and
the receipt check — are logged with the method, path, status and size only: no client address, no
forwarded-for or other header, no browser, no user, no duration and the day instead of the time. Every
other request is logged as gunicorn does by default, except that the query string of the activation
page (which carries a one-time code when opened from a slip's QR code) is left out. Used by the Procfile's `web` process
(`--logger-class branchlife.gunicorn.AccessLogger`).
"""

from __future__ import annotations

import re
import time

from gunicorn.glogging import Logger

ANONYMOUS_ROUTES = re.compile(
    r"^/(meetings/o/[^/]+/|meetings/\d+/opinions/new/|evaluations/\d+/vote/|evaluations/receipt/)"
)

SECRET_QUERY_ROUTES = re.compile(r"^/accounts/activate/")


def is_anonymous_route(path: str) -> bool:
    return bool(ANONYMOUS_ROUTES.match(path or ""))


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if SECRET_QUERY_ROUTES.match(environ.get("PATH_INFO", "")):
            atoms["r"] = f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')} {environ['SERVER_PROTOCOL']}"
            atoms["q"] = ""
            atoms["{raw_uri}e"] = atoms["{query_string}e"] = "-"
        if not is_anonymous_route(environ.get("PATH_INFO", "")):
            return atoms
        # Only what says which page answered how; the formatter prints "-" for every atom left out.
        kept = {key: atoms[key] for key in ("r", "s", "m", "U", "H", "b", "B") if key in atoms}
        kept["r"] = f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')} {environ['SERVER_PROTOCOL']}"
        kept["q"] = ""
        kept["t"] = time.strftime("[%d/%b/%Y]")
        return kept
