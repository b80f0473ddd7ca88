"""Shared UI tags (issue 21: a status badge written once).

`{% load ui %}{% status_badge obj %}` renders an object's status as a Bootstrap badge. The colour of
each status lives in BADGES, keyed by the model's label, so every page shows a status the same way; the
text is the model's own get_status_display(). The map names models of higher apps by label only, so
organizations imports nothing above it.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

# model label → status → Bootstrap colour; a status not listed is "secondary".
BADGES: dict[str, dict[str, str]] = {
    "meetings.Opinion": {"open": "warning", "answered": "success", "resolved": "success"},
    "meetings.SelfReview": {"draft": "secondary", "submitted": "primary", "returned": "danger", "approved": "success"},
    "rectification.RectificationItem": {
        "not_started": "secondary", "in_progress": "primary", "pending": "warning", "closed": "success",
    },
    "evaluations.Evaluation": {"scheduled": "warning", "open": "success", "closed": "secondary"},
}


def badge_colour(obj) -> str:
    return BADGES.get(obj._meta.label, {}).get(str(obj.status), "secondary")


@register.simple_tag
def status_badge(obj):
    """<span class="badge text-bg-…">状态</span> for `obj` (see BADGES)."""
    return format_html(
        '<span class="badge text-bg-{}" data-status="{}">{}</span>', badge_colour(obj), obj.status, obj.get_status_display()
    )
