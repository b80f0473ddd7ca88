"""Pages never offer a link that answers 403, and a 403 or 404 is a page of the site, in Chinese."""

import pytest
from django.urls import reverse

from meetings.models import Meeting
from organizations.models import Organization


class Orgs:
    def __getitem__(self, key):
        name = {"gaolan": "中共皋兰县委", "office": "水阜镇机关党支部"}[key]
        return Organization.objects.get(name=name)


@pytest.fixture
def seeded(demo):
    return type("Seeded", (), {"orgs": Orgs()})


def test_a_member_sees_the_tree_above_their_branch_as_text_not_as_links(seeded, login):
    client = login("member")
    page = client.get(reverse("organizations:my_branch"), follow=True).content.decode()
    assert "中共皋兰县委" in page
    assert reverse("organizations:organization_detail", args=[seeded.orgs["gaolan"].pk]) not in page
    assert client.get(reverse("organizations:organization_detail", args=[seeded.orgs["gaolan"].pk])).status_code == 403


def test_the_county_officer_gets_links_up_the_tree(seeded, login):
    page = login("county").get(reverse("organizations:branch_detail", args=[seeded.orgs["office"].pk])).content.decode()
    assert f'href="{reverse("organizations:organization_detail", args=[seeded.orgs["gaolan"].pk])}"' in page


def test_a_supervisors_timeline_links_only_to_pages_they_may_open(seeded, login):
    meeting = Meeting.objects.get(branch=seeded.orgs["office"], year=2026, kind="annual")
    client = login("supervisor")
    page = client.get(reverse("meetings:timeline", args=[meeting.pk])).content.decode()
    assert reverse("meetings:meeting_edit", args=[meeting.pk]) not in page
    assert client.get(reverse("meetings:meeting_edit", args=[meeting.pk])).status_code == 403
    secretary_page = login("secretary").get(reverse("meetings:timeline", args=[meeting.pk])).content.decode()
    assert reverse("meetings:meeting_edit", args=[meeting.pk]) in secretary_page


def test_a_closed_meeting_offers_no_opinion_button(seeded, login):
    closed = Meeting.objects.filter(branch=seeded.orgs["office"], closed_at__isnull=False).first()
    page = login("member").get(reverse("meetings:meeting_detail", args=[closed.pk])).content.decode()
    assert reverse("meetings:opinion_new", args=[closed.pk]) not in page


def test_403_and_404_are_pages_of_the_site(seeded, login):
    client = login("member")
    forbidden = client.get(reverse("organizations:organization_detail", args=[seeded.orgs["gaolan"].pk]))
    assert forbidden.status_code == 403
    page = forbidden.content.decode()
    assert "您没有权限查看此页面" in page and 'name="viewport"' in page and reverse("home") in page
    missing = client.get("/meetings/999999/")
    assert missing.status_code == 404 and "找不到这个页面" in missing.content.decode()
