"""Two-factor enforcement and the idle timeout (everyone's, shorter for officers).

Both act in process_view, after every middleware's request phase, so that `request.user.is_verified()`
(django-otp's OTPMiddleware) and messages (MessageMiddleware, listed after these) are in place.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from branchlife.gunicorn import is_anonymous_route

from .services import totp_device_confirmed, two_factor_required

# Paths an authenticated but unverified user may still open: leaving, the two pages that get them verified,
# the static files, the language switch, and the pages a person uses before they can log in at all.
EXEMPT_PATH_PREFIXES = (
    "/accounts/logout/",
    "/accounts/2fa/enrol/",
    "/accounts/2fa/verify/",
    "/static/",
    "/i18n/",
    "/accounts/activate/",
    "/accounts/password/forgot",
)
# The session's note that this user needs no second factor (no authenticator, not an officer): saves the
# device lookup on every request of ordinary members. Holds the user's id; login and logout reset it.
NOT_NEEDED_SESSION_KEY = "two_factor_not_needed"
# When the session last answered a request (Unix seconds), rewritten at most once a minute.
LAST_SEEN_SESSION_KEY = "last_seen"
LAST_SEEN_RESOLUTION = 60


def idle_limit_seconds(user) -> int:
    """How long this user's session may stay unused: settings.SESSION_IDLE_MINUTES for everyone, or
    settings.OFFICER_IDLE_MINUTES for an officer when that is shorter (an officer sees every branch below
    their node). A setting of 0 turns that limit off; 0 returned: no limit."""
    everyone, officers = settings.SESSION_IDLE_MINUTES, settings.OFFICER_IDLE_MINUTES
    if officers > 0 and (everyone <= 0 or officers < everyone) and two_factor_required(user):
        return officers * 60
    return max(everyone, 0) * 60


def idle_clock_start(sender, request, user, **kwargs):
    """Receiver of user_logged_in (connected in accounts.apps): the session's idle clock starts at login."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_SESSION_KEY] = int(time.time())


def is_exempt(path: str) -> bool:
    return path.startswith(EXEMPT_PATH_PREFIXES)


def _with_next(url_name: str, request) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"


class TwoFactorRequiredMiddleware(MiddlewareMixin):
    """An officer who has logged in with the password but not with a code goes to enrol (no authenticator
    yet) or to verify; so does a secretary who has turned two-factor on."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or is_exempt(request.path_info):
            return None
        if two_factor_required(user):
            if totp_device_confirmed(user=user) is None:
                return redirect(_with_next("accounts:two_factor_enrol", request))
            return redirect(_with_next("accounts:two_factor_verify", request))
        if request.session.get(NOT_NEEDED_SESSION_KEY) == user.pk:
            return None
        if totp_device_confirmed(user=user) is not None:
            return redirect(_with_next("accounts:two_factor_verify", request))
        request.session[NOT_NEEDED_SESSION_KEY] = user.pk
        return None


class IdleTimeoutMiddleware(MiddlewareMixin):
    """A session that has not been used for its idle limit (`idle_limit_seconds`) ends at its next request:
    an unattended office computer or a phone left on a table does not stay logged in.

    The last-seen stamp is rewritten at most once a minute, so an ordinary page view rarely writes the
    session. A POST to an anonymous route (a ballot, an opinion, the receipt check: branchlife.gunicorn)
    never writes it: the session row's new expiry would record the moment of the submission beside the
    member's id. Opening such a page (GET) does refresh the stamp, so a member has the whole idle limit to
    fill in a ballot."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        limit = idle_limit_seconds(user)
        if limit <= 0:
            return None
        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
        if last_seen is not None and now - last_seen > limit:
            logout(request)
            messages.warning(request, _("长时间未操作，已自动退出，请重新登录。"))
            return redirect_to_login(request.get_full_path())
        if request.method == "POST" and is_anonymous_route(request.path_info):
            return None
        if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
            request.session[LAST_SEEN_SESSION_KEY] = now
        return None
