import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations import selectors, services
from evaluations.models import Candidate, Evaluation, Grade
from evaluations.services import Decision
from tests.organizations.factories import UserFactory


@pytest.fixture
def determined(build):
    ev = build.evaluation(n=4, with_users=True)  # quota 1
    for voter in ev.members:
        services.ballot_cast(evaluation=ev, member=voter, content=build.content(ev, excellent=ev.members[:1]))
    build.close(ev)
    ev.members[0].committee_post = "secretary"
    ev.members[0].save()
    suggestions = selectors.suggestions_of(evaluation=ev)
    decisions = {c.pk: Decision(grade=suggestions[c.pk], appraisal=f"{c.member.name}表现良好") for c in Candidate.objects.filter(evaluation=ev).select_related("member")}
    services.evaluation_determine(evaluation=ev, decisions=decisions, suggestions=suggestions, by=UserFactory(), finalize=True)
    ev.refresh_from_db()
    return ev


def test_it_warns_before_publishing_a_revealing_breakdown(determined, client):
    ev = determined
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:publish", args=[ev.pk])
    page = client.get(url).content.decode()
    assert "公示得票明细前请注意" in page and "全部集中在同一等次" in page
    ends = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(url, {"ends_on": ends, "breakdown": "on"})
    assert response.status_code == 200 and "请确认已知晓" in response.content.decode()
    assert Evaluation.objects.get(pk=ev.pk).published_at is None
    response = client.post(url, {"ends_on": ends, "breakdown": "on", "risks_acknowledged": "on"})
    assert response.status_code == 302
    ev.refresh_from_db()
    assert ev.published_at and ev.publish_breakdown


def test_it_publishes_grades_only_without_a_warning_step(determined):
    ev = services.evaluation_publish(
        evaluation=determined, ends_on=timezone.localdate(), breakdown=False, risks=["x"], risks_acknowledged=False
    )
    assert ev.published_at and not ev.publish_breakdown
    assert selectors.evaluation_summary(meeting=ev.meeting)["published"] is True


def test_it_refuses_to_publish_before_determination(build):
    ev = build.close(build.evaluation(n=3))
    with pytest.raises(ValidationError, match="先确定"):
        services.evaluation_publish(evaluation=ev, ends_on=timezone.localdate(), breakdown=False, risks=[], risks_acknowledged=False)


def test_members_see_the_list_during_the_period_and_their_own_result_after(determined, client):
    ev = determined
    services.evaluation_publish(evaluation=ev, ends_on=timezone.localdate(), breakdown=False, risks=[], risks_acknowledged=False)
    member = ev.members[2]
    client.force_login(member.user)
    page = client.get(reverse("evaluations:published", args=[ev.pk])).content.decode()
    assert all(m.name in page for m in ev.members) and "优秀票" not in page
    Evaluation.objects.filter(pk=ev.pk).update(publication_ends_on=timezone.localdate() - dt.timedelta(days=1))
    page = client.get(reverse("evaluations:published", args=[ev.pk])).content.decode()
    assert "公示期已结束" in page and ev.members[1].name not in page
    mine = client.get(reverse("evaluations:my_result", args=[ev.pk])).content.decode()
    assert f"{member.name}表现良好" in mine and "合格" in mine
    assert client.post(reverse("evaluations:my_result", args=[ev.pk])).status_code == 302
    assert Candidate.objects.get(evaluation=ev, member=member).acknowledged_at is not None


def test_it_shows_the_breakdown_only_when_published_with_it(determined, client):
    ev = determined
    services.evaluation_publish(evaluation=ev, ends_on=timezone.localdate(), breakdown=True, risks=[], risks_acknowledged=False)
    client.force_login(ev.members[2].user)
    page = client.get(reverse("evaluations:published", args=[ev.pk])).content.decode()
    assert "优秀票" in page


def test_it_refuses_changes_after_publication(determined):
    ev = services.evaluation_publish(
        evaluation=determined, ends_on=timezone.localdate(), breakdown=False, risks=[], risks_acknowledged=False
    )
    with pytest.raises(ValidationError, match="已经公示"):
        services.evaluation_determine(evaluation=ev, decisions={}, suggestions={}, by=UserFactory(), finalize=False)
    assert Candidate.objects.filter(evaluation=ev, final_grade=Grade.EXCELLENT).count() == 1
