"""Gunicorn's access log, without what could identify the author of an anonymous submission.

The anonymous routes — the public opinion link, a member's (possibly anonymous) opinion, the ballot and
the receipt check — are logged with the method, path, status and size only: no client address, no
forwarded-for or other header, no browser, no user, no duration and the day instead of the time. Every
other request is logged as gunicorn does by default, except that the query string of the activation
page (which carries a one-time code when opened from a slip's QR code) is left out. Used by the Procfile's `web` process
(`--logger-class branchlife.gunicorn.AccessLogger`).

With LOG_FORMAT=json each access is one JSON object per line, with the keys of the application's JSON log
(`time`, `level`, `logger`, `request_id`, `message`) and the request's fields, so that one log collector
reads the web process's output whole; the anonymous routes keep only what their text line keeps.
"""

from __future__ import annotations

import datetime as dt
import json
import os
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

    def access(self, resp, req, environ, request_time):
        if os.getenv("LOG_FORMAT", "text") != "json":
            return super().access(resp, req, environ, request_time)
        cfg = self.cfg
        if not (cfg.accesslog or cfg.logconfig or cfg.logconfig_dict or cfg.logconfig_json
                or (cfg.syslog and not cfg.disable_redirect_access_to_syslog)):
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(json.dumps(access_record(atoms, environ, request_time), ensure_ascii=False))
        return None


def access_record(atoms: dict, environ: dict, request_time) -> dict:
    """One access as a JSON log record; for an anonymous route only its method, path, status, size and day."""
    path = environ.get("PATH_INFO", "")
    record = {"level": "INFO", "logger": "gunicorn.access", "message": atoms.get("r", ""),
              "method": environ.get("REQUEST_METHOD", ""), "path": path,
              "status": int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s"),
              "bytes": atoms.get("B") or 0}
    if is_anonymous_route(path):
        return {"time": time.strftime("%Y-%m-%d"), **record}
    return {
        "time": dt.datetime.now().astimezone().isoformat(timespec="milliseconds"),  # as the app log writes it
        "request_id": atoms.get("{x-request-id}o", "-"),
        **record,
        "query": atoms.get("q", ""),
        "remote_addr": atoms.get("h", "-"),
        "user_agent": atoms.get("a", "-"),
        "referer": atoms.get("f", "-"),
        "duration_ms": round(request_time.total_seconds() * 1000, 1),
    }
