import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import selectors, services
from evaluations.models import Candidate, Evaluation, FollowUpTalk, Grade, Handling
from evaluations.services import Decision
from tests.organizations.factories import UserFactory


@pytest.fixture
def closed(build):
    ev = build.evaluation(n=8, with_users=True)  # quota 2
    top = ev.members[:2]
    for voter in ev.members:
        services.ballot_cast(evaluation=ev, member=voter, content=build.content(ev, excellent=top))
    build.close(ev)
    ev.members[0].committee_post = "secretary"
    ev.members[0].save()
    return ev


def _decisions(ev, grades: dict, *, appraisal="认真履职。", reason=""):
    out = {}
    for c in Candidate.objects.filter(evaluation=ev):
        out[c.pk] = Decision(grade=grades.get(c.member_id, Grade.QUALIFIED), appraisal=appraisal, reason=reason)
    return out


def test_it_fixes_final_grades_within_the_quota(closed):
    ev, user = closed, UserFactory()
    suggestions = selectors.suggestions_of(evaluation=ev)
    top = {m.pk: Grade.EXCELLENT for m in ev.members[:2]}
    services.evaluation_determine(evaluation=ev, decisions=_decisions(ev, top), suggestions=suggestions, by=user, finalize=True)
    ev.refresh_from_db()
    assert ev.determined_at and ev.determined_by == user
    assert Candidate.objects.filter(evaluation=ev, final_grade=Grade.EXCELLENT).count() == 2
    summary = selectors.evaluation_summary(meeting=ev.meeting)
    assert [(code, n) for code, _l, n in summary["grades"]] == [("excellent", 2), ("qualified", 6), ("basic", 0), ("unqualified", 0)]
    assert summary["committee"][0][2] == 8 and summary["published"] is False


def test_it_refuses_more_excellent_than_the_quota(closed):
    ev = closed
    three = {m.pk: Grade.EXCELLENT for m in ev.members[:3]}
    with pytest.raises(ValidationError, match="超过了名额 2 名"):
        services.evaluation_determine(
            evaluation=ev, decisions=_decisions(ev, three, reason="平时表现突出"),
            suggestions=selectors.suggestions_of(evaluation=ev), by=UserFactory(), finalize=True,
        )
    assert not Candidate.objects.filter(evaluation=ev).exclude(final_grade="").exists()


def test_it_asks_a_reason_when_departing_from_the_vote(closed):
    ev = closed
    suggestions = selectors.suggestions_of(evaluation=ev)
    departs = {ev.members[2].pk: Grade.BASIC, **{m.pk: Grade.EXCELLENT for m in ev.members[:2]}}
    with pytest.raises(ValidationError) as exc:
        services.evaluation_determine(evaluation=ev, decisions=_decisions(ev, departs), suggestions=suggestions, by=UserFactory(), finalize=True)
    cid = Candidate.objects.get(evaluation=ev, member=ev.members[2]).pk
    assert f"reason_{cid}" in exc.value.message_dict
    decisions = _decisions(ev, departs)
    decisions[cid].reason = "长期不参加组织生活"
    services.evaluation_determine(evaluation=ev, decisions=decisions, suggestions=suggestions, by=UserFactory(), finalize=True)
    c = Candidate.objects.get(pk=cid)
    assert c.final_grade == Grade.BASIC and c.suggested_grade == Grade.QUALIFIED and c.departure_reason == "长期不参加组织生活"


def test_it_needs_an_appraisal_for_everyone_to_finalize(closed):
    ev = closed
    top = {m.pk: Grade.EXCELLENT for m in ev.members[:2]}
    with pytest.raises(ValidationError, match="一句话鉴定"):
        services.evaluation_determine(
            evaluation=ev, decisions=_decisions(ev, top, appraisal=""),
            suggestions=selectors.suggestions_of(evaluation=ev), by=UserFactory(), finalize=True,
        )
    services.evaluation_determine(
        evaluation=ev, decisions=_decisions(ev, top, appraisal=""),
        suggestions=selectors.suggestions_of(evaluation=ev), by=UserFactory(), finalize=False,
    )
    assert Evaluation.objects.get(pk=ev.pk).determined_at is None


def test_it_refuses_to_determine_while_open(build):
    ev = build.evaluation(n=3)
    with pytest.raises(ValidationError, match="截止后"):
        services.evaluation_determine(evaluation=ev, decisions={}, suggestions={}, by=UserFactory(), finalize=False)


def test_the_page_keeps_entries_on_error_and_saves(closed, client):
    ev = closed
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:determination", args=[ev.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {}
    for c in Candidate.objects.filter(evaluation=ev):
        data[f"grade_{c.pk}"] = Grade.EXCELLENT
        data[f"appraisal_{c.pk}"] = f"鉴定{c.pk}"
    data["finalize"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200 and "超过了名额 2 名" in response.content.decode()
    assert "鉴定" in response.content.decode()
    for c in Candidate.objects.filter(evaluation=ev):
        data[f"grade_{c.pk}"] = Grade.EXCELLENT if c.member in ev.members[:2] else Grade.QUALIFIED
    assert client.post(url, data).status_code == 302
    assert Evaluation.objects.get(pk=ev.pk).determined_at is not None


def test_it_records_follow_up_talks_and_handling(closed, client):
    ev = closed
    suggestions = selectors.suggestions_of(evaluation=ev)
    grades = {ev.members[2].pk: Grade.BASIC, ev.members[3].pk: Grade.UNQUALIFIED}
    services.evaluation_determine(
        evaluation=ev, decisions=_decisions(ev, grades, reason="综合平时表现"), suggestions=suggestions, by=UserFactory(), finalize=True
    )
    basic = Candidate.objects.get(evaluation=ev, member=ev.members[2])
    bad = Candidate.objects.get(evaluation=ev, member=ev.members[3])
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:follow_up", args=[basic.pk])
    response = client.post(url, {"form": "talk", "talk-talked_on": "2026-12-01", "talk-talked_by": "书记", "talk-notes": "指出问题"})
    assert response.status_code == 302 and FollowUpTalk.objects.filter(candidate=basic).count() == 1
    with pytest.raises(ValidationError, match="不合格"):
        services.handling_record(
            candidate=basic, outcome="correction", decided_on=dt.date(2026, 12, 1), decided_by_body="支部党员大会",
            correction_until=dt.date(2027, 6, 1), notes="", by=UserFactory(),
        )
    url = reverse("evaluations:follow_up", args=[bad.pk])
    too_long = {"form": "handling", "handling-outcome": "correction", "handling-decided_on": "2026-12-01",
                "handling-decided_by_body": "支部党员大会", "handling-correction_until": "2028-01-01"}
    response = client.post(url, too_long)
    assert response.status_code == 200 and "最长不超过 1 年" in response.content.decode()
    too_long["handling-correction_until"] = "2027-06-01"
    assert client.post(url, too_long).status_code == 302
    handling = Handling.objects.get(candidate=bad)
    assert handling.correction_until == dt.date(2027, 6, 1)
    assert list(selectors.correction_periods_ending(until=dt.date(2027, 6, 30))) == [handling]


def test_the_page_sums_up_field_errors_at_the_top(closed, client):
    ev = closed
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:determination", args=[ev.pk])
    candidates = list(Candidate.objects.filter(evaluation=ev))
    data = {f"appraisal_{c.pk}": f"鉴定{c.pk}" for c in candidates}
    data.update({f"grade_{c.pk}": Grade.QUALIFIED for c in candidates[1:]})
    data[f"grade_{candidates[0].pk}"] = "no-such-grade"
    response = client.post(url, data)
    page = response.content.decode()
    assert 'id="determination-error-summary"' in page
    assert "有 1 处需要修改" in page
    assert f"鉴定{candidates[-1].pk}" in page
    assert Evaluation.objects.get(pk=ev.pk).determined_at is None
