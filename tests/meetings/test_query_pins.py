"""Issue 21: the busiest meeting pages, read by the secretary, in a pinned number of queries that does not
grow with the branch: the timeline, the report, the meeting's page and the record (the room on its day).

Each page is built at 5 and at 25 members, each member with a talk, a self-review, a criticism, an opinion
and an attendance row, and must cost the same; PINS holds that number, so a new N+1 or an extra lookup
shows up here first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendance, Criticism, Meeting, SelfReview, Talk
from organizations.models import Organization, Supervisor
from tests.organizations.factories import MemberFactory, UserFactory

from .factories import MeetingFactory, OpinionFactory

pytestmark = pytest.mark.django_db

PINS = {
    "meetings:timeline": 22,
    "meetings:report": 26,
    "meetings:meeting_detail": 21,
    "meetings:record": 16,
}


def branch_meeting(size: int):
    """A branch of `size` members (a secretary, a committee member, the rest ordinary) whose meeting is today."""
    county = Organization.add_root(name=f"测试县委{size}", level=Organization.Level.COUNTY)
    branch = county.add_child(name=f"测试支部{size}", level=Organization.Level.BRANCH)
    secretary = MemberFactory(branch=branch, committee_post="secretary", user=UserFactory())
    MemberFactory(branch=branch, committee_post="organization")
    others = [MemberFactory(branch=branch) for _ in range(size - 2)]
    today = timezone.localdate()
    meeting = MeetingFactory(branch=branch, held_on=today)
    for m in [secretary, *others]:
        Attendance.objects.create(meeting=meeting, member=m)
        SelfReview.objects.create(meeting=meeting, member=m, kind=SelfReview.Kind.MEMBER, status=SelfReview.Status.SUBMITTED,
                                  root_causes="宗旨意识淡化", measures="按期整改")
        OpinionFactory(meeting=meeting, target_member=m)
    for m in others:
        Talk.objects.create(meeting=meeting, member_a=secretary, member_b=m, held_on=today, topics="交流思想")
        Criticism.objects.create(meeting=meeting, giver=secretary, receiver=m, text="学习不够深入")
    return meeting, secretary.user


def queries(client, size: int) -> dict[str, int]:
    meeting, user = branch_meeting(size)
    client.force_login(user)
    counts = {}
    for name in PINS:
        url = reverse(name, args=[meeting.pk])
        assert client.get(url).status_code == 200, name  # the session and caches settle once
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(captured)
    return counts


@pytest.mark.usefixtures("still_clock")
def test_the_counts_do_not_grow_with_the_branch(client):
    small = queries(client, 5)
    large = queries(client, 25)
    assert small == large


@pytest.mark.parametrize("name", list(PINS))
def test_it_pins_the_secretarys_page(client, name, django_assert_num_queries):
    meeting, user = branch_meeting(12)
    client.force_login(user)
    url = reverse(name, args=[meeting.pk])
    client.get(url)
    with django_assert_num_queries(PINS[name]):
        assert client.get(url).status_code == 200


@pytest.mark.usefixtures("still_clock")
@pytest.mark.parametrize("name", ["meetings:meeting_detail", "meetings:timeline", "meetings:record"])
def test_a_rule_read_from_the_database_is_asked_once_a_page(client, name):
    """A supervisor named on the meeting (not assigned to its branch): every link and button on the page asks
    "is this user named on the meeting?", and the database is asked once (branchlife.permissions.Actor.remembered)."""
    meeting, _secretary = branch_meeting(5)
    supervisor = Supervisor.objects.create(user=UserFactory(), name="会议督导")
    meeting.supervisors.add(supervisor)
    client.force_login(supervisor.user)
    url = reverse(name, args=[meeting.pk])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    table = Meeting.supervisors.through._meta.db_table
    asked = [q["sql"] for q in captured if table in q["sql"] and "supervisor_id" in q["sql"] and "LIMIT 1" in q["sql"]]
    assert len(asked) == 1, asked
