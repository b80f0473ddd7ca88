"""The member's year in other apps' templates, without those apps importing the dashboard.

    {% load member_year %}
    {% member_years evaluation as years %}            one computation for all the candidates
    {% member_year_line years candidate.member %}     one member's year in a line
"""

from django import template

from dashboard.member_year import member_years as _member_years
from evaluations.models import Candidate

register = template.Library()


@register.simple_tag
def member_years(evaluation) -> dict:
    """The year of the evaluation's meeting for each of its candidates (member id → MemberYear), in a constant
    number of queries whatever the number of candidates."""
    ids = Candidate.objects.filter(evaluation=evaluation).values_list("member_id", flat=True)
    return _member_years(members=list(ids), year=evaluation.meeting.year)


@register.inclusion_tag("dashboard/_member_year_line.html")
def member_year_line(years, member) -> dict:
    return {"y": (years or {}).get(member.pk), "member": member}
