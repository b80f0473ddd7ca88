"""A small county for the upward review:

    测试县委 (officer `county_officer`) ─┬─ 第一镇 (officer `town1`) ─┬─ 一支部: 书记甲 (`sec1`), 党员乙 (`mem1`);
                                         │                           │        its 2026 meeting, dated, not held
                                         │                           └─ 二支部 (no meeting)
                                         └─ 第二镇 (officer `town2`) ─── 三支部: 书记丙 (`sec3`)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from meetings.models import Meeting
from organizations.models import Officer, Organization
from tests.clock import starting_at_now
from tests.organizations.factories import MemberFactory, UserFactory

YEAR = 2026


@dataclass
class County:
    county: Organization
    town1: Organization
    town2: Organization
    b1: Organization
    b2: Organization
    b3: Organization
    meeting: Meeting
    users: dict


def build_county() -> County:
    county = Organization.add_root(name="测试县委", level=Organization.Level.COUNTY)
    town1 = county.add_child(name="第一镇", level=Organization.Level.TOWNSHIP)
    county.refresh_from_db()
    town2 = county.add_child(name="第二镇", level=Organization.Level.TOWNSHIP)
    b1 = town1.add_child(name="一支部", level=Organization.Level.BRANCH)
    town1.refresh_from_db()
    b2 = town1.add_child(name="二支部", level=Organization.Level.BRANCH)
    b3 = town2.add_child(name="三支部", level=Organization.Level.BRANCH)
    users = {name: UserFactory(username=name) for name in ("sec1", "mem1", "sec3", "town1", "town2", "county_officer")}
    MemberFactory(branch=b1, name="书记甲", committee_post="secretary", user=users["sec1"])
    MemberFactory(branch=b1, name="党员乙", user=users["mem1"])
    MemberFactory(branch=b3, name="书记丙", committee_post="secretary", user=users["sec3"])
    Officer.objects.create(user=users["town1"], organization=town1, name="第一镇干部")
    Officer.objects.create(user=users["town2"], organization=town2, name="第二镇干部")
    Officer.objects.create(user=users["county_officer"], organization=county, name="县委干部")
    today = timezone.localdate()
    meeting = Meeting.objects.create(branch=b1, year=YEAR, held_on=today + dt.timedelta(days=10), place="会议室",
                                     opinions_close_on=today + dt.timedelta(days=3))
    return County(county, town1, town2, b1, b2, b3, meeting, users)


@pytest.fixture
def tree(db) -> County:
    return build_county()


@pytest.fixture
def as_user(client, tree):
    """as_user("town1") logs the test client in as that account."""

    def _as(name: str):
        client.force_login(tree.users[name])
        return client

    return _as


@pytest.fixture(autouse=True)
def _own_clock(request):
    yield from starting_at_now(request)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
