"""The menu's and the page frame's links, reversed once per process: the navigation context processor and the
pages rendered without it (the ballot's receipt) read them here."""

import functools

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

# (label, url name, who sees it). Apps add their entries here as they land; a url name that does not
# resolve (yet) is skipped.
NAV_ITEMS = [
    (_("我的待办"), "meetings:my_home", "member"),
    (_("组织生活会"), "meetings:meeting_list", "member|officer|supervisor"),
    (_("民主评议"), "evaluations:evaluation_list", "member|officer"),
    (_("我的整改"), "rectification:my_items", "member"),
    (_("三会一课"), "activities:mine", "member"),
    (_("看板"), "dashboard:index", "officer"),
    (_("督导工作"), "dashboard:supervisor_home", "supervisor"),
    (_("本支部"), "organizations:my_branch", "member"),
    (_("组织"), "organizations:my_organization", "officer"),
    (_("支部"), "organizations:branch_list", "officer|supervisor"),
]


# The page frame's own links (base.html), resolved with the items above.
FRAME_URLS = {
    "home": "home",
    "notifications": "notifications:list",
    "password_change": "password_change",
    "security": "accounts:two_factor_security",
    "admin": "admin:index",
    "logout": "logout",
    "set_language": "set_language",
}


@functools.lru_cache(maxsize=8)
def _resolved(prefix: str, urlconf) -> tuple[tuple[tuple[str, str, frozenset[str]], ...], dict[str, str]]:
    """Every navigation URL, reversed once per process (issue 23: not ~17 reverse() calls on each page).
    Keyed by the script prefix and the urlconf, the two things a reverse() depends on here."""
    items = []
    for label, url_name, who in NAV_ITEMS:
        try:
            items.append((label, reverse(url_name, urlconf=urlconf), frozenset(who.split("|"))))
        except NoReverseMatch:
            continue
    frame = {}
    for key, url_name in FRAME_URLS.items():
        try:
            frame[key] = reverse(url_name, urlconf=urlconf)
        except NoReverseMatch:
            frame[key] = ""
    return tuple(items), frame


def frame_urls() -> dict[str, str]:
    """The page frame's links for a page rendered without the context processors (the ballot's receipt)."""
    return menu_and_frame()[1]


def menu_and_frame():
    """The menu's items and the frame's links for the current script prefix and urlconf."""
    return _resolved(get_script_prefix(), get_urlconf())
