from django import template
from django.urls import NoReverseMatch, reverse

from dashboard.scoring import percent

register = template.Library()


@register.filter
def pct(value) -> str:
    """A percentage from scoring.percent (Decimal or None) as text; "—" when there is no denominator."""
    return "—" if value is None else f"{value}%"


@register.simple_tag
def ratio(part, whole) -> str:
    return pct(percent(part or 0, whole or 0))


@register.simple_tag
def maybe_url(name, *args) -> str:
    """A link into another app's page, or "" while that app does not have the page (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
