"""A supervisor's page: their meetings across branches, their comments (点评), the forum opinions."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from meetings.models import Forum, Meeting, MeetingComment
from organizations.models import Supervisor
from tests.organizations.factories import UserFactory


def test_it_lists_the_supervisors_meetings_comments_and_forum_opinions(known, client):
    client.force_login(known.supervisor.user)
    response = client.get(reverse("dashboard:supervisor_home"))
    page = response.content.decode()
    assert response.status_code == 200
    meetings = response.context["meetings"]
    assert [(m.branch.name, m.named, m.present, m.comment) for m in meetings] == [("一支部", True, True, "点评：准备充分。")]
    assert (meetings[0].n_opinions, meetings[0].n_forum, meetings[0].n_done) == (4, 2, 3)
    assert {o.text for o in response.context["opinions"]} == {"意见建议第0条", "意见建议第1条"}  # the forum ones
    assert "点评：准备充分。" in page and response.context["attended"] == 1
    # the same meetings as cards for a phone and as a table for a wider screen
    assert 'data-testid="my-meetings-phone"' in page
    assert page.count(f'href="{reverse("meetings:meeting_detail", args=[known.meeting1.pk])}"') == 2
    # meeting 1 is closed: its forums are final, so no link to record another
    assert meetings[0].n_forums == 1 and reverse("meetings:forum_new", args=[known.meeting1.pk]) not in page
    known.meeting2.supervisors.add(known.supervisor)
    page = client.get(reverse("dashboard:supervisor_home")).content.decode()
    assert reverse("meetings:forum_new", args=[known.meeting2.pk]) in page


def test_a_supervisor_no_longer_on_the_meeting_or_branch_no_longer_reads_its_forums(known, client):
    known.meeting1.supervisors.remove(known.supervisor)
    client.force_login(known.supervisor.user)
    response = client.get(reverse("dashboard:supervisor_home"))
    assert list(response.context["forums"]) == [] and list(response.context["opinions"]) == []
    assert client.get(reverse("meetings:forum_detail", args=[known.forum1.pk])).status_code == 403


def test_it_lists_the_supervisors_forums(known, client):
    other = Forum.objects.create(meeting=known.meeting1, held_on=known.forum1.held_on, topic="别人的座谈会", member_participants=3)
    client.force_login(known.supervisor.user)
    response = client.get(reverse("dashboard:supervisor_home"))
    forums = response.context["forums"]
    assert [(f.topic, f.member_participants, f.n_opinions, f.n_done) for f in forums] == [("党员群众座谈会", 5, 2, 1)]
    assert response.context["forum_members"] == 5
    assert reverse("meetings:forum_detail", args=[known.forum1.pk]) in response.content.decode()
    assert Forum.objects.filter(pk=other.pk).exists()


def test_it_exports_the_supervisors_forums(known, client):
    client.force_login(known.supervisor.user)
    response = client.get(reverse("dashboard:supervisor_export"), {"table": "forums"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("召开日期", "党支部", "座谈主题")
    assert rows[1][1:] == ("一支部", "党员群众座谈会", None, 5, 3, 2, 1)


def test_it_shows_only_the_supervisors_own_comments(known, client):
    other = Supervisor.objects.create(user=UserFactory(), name="督导乙")
    known.meeting1.supervisors.add(other)
    MeetingComment.objects.create(meeting=known.meeting1, kind="supervisor", supervisor=other, text="别人的点评")
    client.force_login(other.user)
    response = client.get(reverse("dashboard:supervisor_home"))
    assert [m.comment for m in response.context["meetings"]] == ["别人的点评"]
    assert response.context["attended"] == 0  # not recorded present


def test_it_includes_meetings_of_assigned_branches(known, client):
    known.supervisor.branches.add(known.b2)
    client.force_login(known.supervisor.user)
    response = client.get(reverse("dashboard:supervisor_home"), {"year": 2026})
    assert [(m.branch.name, m.named) for m in response.context["meetings"]] == [("二支部", False), ("一支部", True)]
    assert Meeting.objects.filter(branch=known.b2).count() == 1


def test_it_exports_the_supervisors_meetings(known, client):
    client.force_login(known.supervisor.user)
    response = client.get(reverse("dashboard:supervisor_export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "党支部" and rows[1][0] == "一支部" and rows[1][-1] == "点评：准备充分。"


def test_it_exports_the_forum_opinions(known, client):
    client.force_login(known.supervisor.user)
    response = client.get(reverse("dashboard:supervisor_export"), {"table": "opinions"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "党支部", "意见建议")
    assert sorted(r[2] for r in rows[1:]) == ["意见建议第0条", "意见建议第1条"]
    assert {r[5] for r in rows[1:]} == {"党员群众座谈会"}
