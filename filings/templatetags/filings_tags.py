"""The filing state badge (one place for its colours) and the meeting page's card of the plan and report."""

from django import template
from django.utils.html import format_html

from filings import selectors, services
from filings.models import State

register = template.Library()

BADGES = {
    State.NOT_FILED: "text-bg-light border",
    State.PENDING: "text-bg-warning",
    State.RETURNED: "text-bg-danger",
    State.APPROVED: "text-bg-success",
}


@register.simple_tag
def filing_state(state: str):
    """<span class="badge …">待审</span> for a filing state."""
    return format_html('<span class="badge {}" data-filing-state="{}">{}</span>', BADGES.get(state, "text-bg-light"), state,
                       State(state).label)


@register.inclusion_tag("filings/_card.html", takes_context=True)
def filing_card(context, meeting):
    """报送上级: the plan's and the report's state on the meeting page, for whoever may read them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("filings.view_filing", meeting):
        return {"show": False}
    can_submit = user.has_perm("filings.submit_filing", meeting)
    rows = []
    for status in selectors.meeting_filings(meeting=meeting):
        blocked = services.why_not_submittable(meeting=meeting, kind=status.kind, filing=status.filing)
        rows.append((status, can_submit and not blocked, blocked))
    return {"show": True, "meeting": meeting, "rows": rows}
