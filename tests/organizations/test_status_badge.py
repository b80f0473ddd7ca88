"""Issue 21: one status → badge tag ({% load ui %}{% status_badge obj %}), used by every list that
shows a status; each page shows the same colour for the same status."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from meetings.models import Opinion, SelfReview
from organizations.templatetags.ui import BADGES
from rectification.models import RectificationItem
from tests.meetings.factories import MeetingFactory, OpinionFactory


def render(obj) -> str:
    return Template("{% load ui %}{% status_badge obj %}").render(Context({"obj": obj}))


@pytest.mark.parametrize(
    ("obj", "colour"),
    [
        (Opinion(status="open"), "warning"),
        (Opinion(status="answered"), "success"),
        (SelfReview(status="returned"), "danger"),
        (SelfReview(status="approved"), "success"),
        (RectificationItem(status="pending"), "warning"),
        (RectificationItem(status="in_progress"), "primary"),
        (RectificationItem(status="closed"), "success"),
    ],
)
def test_it_colours_each_status_once(obj, colour):
    html = render(obj)
    assert f'class="badge text-bg-{colour}"' in html
    assert f">{obj.get_status_display()}</span>" in html


def test_it_knows_every_status_of_the_models_it_maps():
    assert set(BADGES["meetings.Opinion"]) == set(Opinion.Status.values)
    assert set(BADGES["meetings.SelfReview"]) == set(SelfReview.Status.values)
    assert set(BADGES["rectification.RectificationItem"]) == set(RectificationItem.Status.values)


def test_the_opinion_list_shows_the_tags_badge(demo_orgs, login):
    meeting = MeetingFactory(branch=demo_orgs.orgs["office"])
    OpinionFactory(meeting=meeting, status="open")
    page = login("secretary").get(reverse("meetings:opinion_list", args=[meeting.pk])).content.decode()
    assert '<span class="badge text-bg-warning" data-status="open">待办理</span>' in page
