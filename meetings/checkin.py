"""扫码签到: the codes members check in with at the meeting (issue 17).

Two codes, both derived from the meeting and the clock with the server's secret (nothing stored):
- the QR code projected in the room changes every WINDOW_SECONDS, so a photo of it sent to someone at
  home is useless by the time they open it; a scan is accepted up to GRACE_SECONDS after its window ends
  (a member who scans in the last second still gets in while the page loads);
- the code the secretary reads out to members joining by video (six digits, said aloud and typed on a
  phone) lasts REMOTE_WINDOW_SECONDS and is accepted for one window after that.
The codes serve the attendance record and nothing else: no location, no photo, no device fingerprint.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 30
GRACE_SECONDS = 10
REMOTE_WINDOW_SECONDS = 120
REMOTE_DIGITS = 6
# How long a valid scan stays good in the member's session: enough to log in first on a phone.
SCAN_GRANT_SECONDS = 600

_SALT = "branchlife.meetings.checkin"


def _window(now: dt.datetime, size: int) -> int:
    return int(now.timestamp()) // size


def _digest(meeting_id: int, kind: str, window: int) -> str:
    return salted_hmac(_SALT, f"{kind}:{meeting_id}:{window}", algorithm="sha256").hexdigest()


def qr_code(*, meeting_id: int, now: dt.datetime | None = None) -> str:
    """The code in the QR projected now (12 hex characters: not guessable within its 30 seconds)."""
    now = now or timezone.now()
    return _digest(meeting_id, "qr", _window(now, WINDOW_SECONDS))[:12]


def qr_seconds_left(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS


def qr_valid(*, meeting_id: int, code: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    windows = {_window(now, WINDOW_SECONDS), _window(now - dt.timedelta(seconds=GRACE_SECONDS), WINDOW_SECONDS)}
    return any(constant_time_compare(code, _digest(meeting_id, "qr", w)[:12]) for w in windows)


def remote_code(*, meeting_id: int, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    return _remote(meeting_id, _window(now, REMOTE_WINDOW_SECONDS))


def _remote(meeting_id: int, window: int) -> str:
    return str(int(_digest(meeting_id, "remote", window), 16) % 10**REMOTE_DIGITS).zfill(REMOTE_DIGITS)


def remote_valid(*, meeting_id: int, code: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    code = "".join(ch for ch in code if not ch.isspace())
    current = _window(now, REMOTE_WINDOW_SECONDS)
    return any(constant_time_compare(code, _remote(meeting_id, w)) for w in (current, current - 1))
