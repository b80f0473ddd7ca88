import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import services
from evaluations.models import Ballot, BallotMark, Candidate, Grade, PaperEntry, Voter
from evaluations.services import PaperTotals
from tests.organizations.factories import UserFactory


@pytest.fixture
def secretary(db):
    return UserFactory()


def test_it_ticks_paper_voters_on_the_roster(build, secretary):
    ev = build.evaluation(n=4)
    services.paper_voters_set(evaluation=ev, members=ev.members[:2], by=secretary)
    ticked = Voter.objects.filter(evaluation=ev, channel="paper")
    assert {v.member_id for v in ticked} == {m.pk for m in ev.members[:2]}
    assert all(v.ticked_by == secretary for v in ticked)


def test_it_never_ticks_an_online_voter(build, secretary):
    ev = build.evaluation(n=3)
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    with pytest.raises(ValidationError, match="已经网上投票"):
        services.paper_voters_set(evaluation=ev, members=ev.members[:1], by=secretary)
    assert Voter.objects.get(evaluation=ev, member=ev.members[0]).channel == "online"


def test_it_enters_a_paper_ballot_with_an_audit_row_and_no_voter(build, secretary):
    ev = build.evaluation(n=4)
    services.paper_voters_set(evaluation=ev, members=ev.members[:1], by=secretary)
    content = build.content(ev, excellent=ev.members[:1])
    content.grades.pop(next(iter(content.grades)))  # a blank row on paper is allowed
    ballot = services.paper_ballot_enter(evaluation=ev, content=content, spoiled=False, by=secretary)
    assert ballot.is_valid and ballot.receipt_hash == ""
    assert BallotMark.objects.filter(evaluation=ev).count() == 3
    entry = PaperEntry.objects.get(evaluation=ev)
    assert entry.entered_by == secretary and entry.ballots == 1 and entry.invalid == 0
    assert entry.content["valid"] is True and len(entry.content["grades"]) == 3
    assert not any(f.name in ("voter", "member") for f in PaperEntry._meta.get_fields())


def test_it_counts_a_paper_ballot_over_the_quota_as_invalid(build, secretary):
    ev = build.evaluation(n=8)
    services.paper_voters_set(evaluation=ev, members=ev.members[:1], by=secretary)
    ballot = services.paper_ballot_enter(
        evaluation=ev, content=build.content(ev, excellent=ev.members[:3]), spoiled=False, by=secretary
    )
    assert ballot.is_valid is False and ballot.committee_grade == ""
    assert not BallotMark.objects.filter(evaluation=ev).exists()
    assert PaperEntry.objects.get(evaluation=ev).content["reason"] == "over_quota"


def test_it_never_lets_paper_ballots_outnumber_paper_voters(build, secretary):
    ev = build.evaluation(n=4)
    services.paper_voters_set(evaluation=ev, members=ev.members[:1], by=secretary)
    services.paper_ballot_enter(evaluation=ev, content=build.content(ev), spoiled=False, by=secretary)
    with pytest.raises(ValidationError, match="纸质票数不能超过"):
        services.paper_ballot_enter(evaluation=ev, content=build.content(ev), spoiled=True, by=secretary)
    with pytest.raises(ValidationError, match="不能少于"):
        services.paper_voters_set(evaluation=ev, members=[], by=secretary)
    assert Ballot.objects.filter(evaluation=ev).count() == 1
    assert Voter.objects.filter(evaluation=ev, channel="paper").count() == 1


def test_it_enters_per_candidate_totals_from_a_counted_box(build, secretary):
    ev = build.evaluation(n=4, with_qualifications=True)  # quota 30% of 4 → 1
    services.paper_voters_set(evaluation=ev, members=ev.members[:3], by=secretary)
    cids = list(Candidate.objects.filter(evaluation=ev).values_list("pk", flat=True))
    counts = {cid: {Grade.QUALIFIED: 2} for cid in cids}
    counts[cids[0]] = {Grade.EXCELLENT: 2}
    totals = PaperTotals(ballots=3, invalid=1, counts=counts, unmet={cids[1]: {"role": 1}}, committee={"good": 2})
    entry = services.paper_totals_enter(evaluation=ev, totals=totals, by=secretary)
    assert entry.ballots == 3 and entry.invalid == 1 and entry.kind == "totals"
    assert Ballot.objects.filter(evaluation=ev, is_valid=True).count() == 2
    assert Ballot.objects.filter(evaluation=ev, is_valid=False).count() == 1
    assert Ballot.objects.filter(evaluation=ev, committee_grade="good").count() == 2
    assert BallotMark.objects.filter(evaluation=ev, candidate_id=cids[0], grade=Grade.EXCELLENT).count() == 2
    assert BallotMark.objects.filter(evaluation=ev, candidate_id=cids[1], role=False).count() == 1


@pytest.mark.parametrize(
    ("ballots", "invalid", "first", "message"),
    [
        (2, 0, {Grade.QUALIFIED: 3}, "超过了有效票数"),
        (2, 0, {Grade.EXCELLENT: 2}, None),
        (4, 0, {Grade.QUALIFIED: 1}, "最多还能录入 3 张"),
        (2, 3, {}, "无效票不能多于总票数"),
    ],
)
def test_it_checks_totals_before_writing(build, secretary, ballots, invalid, first, message):
    ev = build.evaluation(n=4)  # quota 1 a ballot
    services.paper_voters_set(evaluation=ev, members=ev.members[:3], by=secretary)
    cids = list(Candidate.objects.filter(evaluation=ev).values_list("pk", flat=True))
    counts = {cids[0]: first, cids[1]: {Grade.EXCELLENT: 1}}
    totals = PaperTotals(ballots=ballots, invalid=invalid, counts=counts)
    if message is None:
        with pytest.raises(ValidationError, match="最多共有 2 个“优秀”"):
            services.paper_totals_enter(evaluation=ev, totals=totals, by=secretary)
    else:
        with pytest.raises(ValidationError, match=message):
            services.paper_totals_enter(evaluation=ev, totals=totals, by=secretary)
    assert not Ballot.objects.filter(evaluation=ev).exists() and not PaperEntry.objects.exists()


def test_it_refuses_paper_entry_after_the_close(build, secretary):
    ev = build.evaluation(n=3)
    services.paper_voters_set(evaluation=ev, members=ev.members[:1], by=secretary)
    build.close(ev)
    with pytest.raises(ValidationError, match="已截止"):
        services.paper_ballot_enter(evaluation=ev, content=build.content(ev), spoiled=False, by=secretary)
    assert not Ballot.objects.exists()


def test_the_secretary_enters_paper_through_the_pages(build, client):
    ev = build.evaluation(n=4, with_users=True)
    secretary = ev.members[0]
    secretary.committee_post = "secretary"
    secretary.save()
    client.force_login(secretary.user)
    response = client.post(reverse("evaluations:paper_voters", args=[ev.pk]), {"members": [ev.members[1].pk, ev.members[2].pk]})
    assert response.status_code == 302
    data = {f"g_{c.pk}": Grade.QUALIFIED for c in Candidate.objects.filter(evaluation=ev)}
    data["committee_grade"] = "good"
    response = client.post(reverse("evaluations:paper_entry", args=[ev.pk]), data)
    assert response.status_code == 302
    totals = {"ballots": 1, "invalid": 1}
    response = client.post(reverse("evaluations:paper_totals", args=[ev.pk]), totals)
    assert response.status_code == 302
    assert Ballot.objects.filter(evaluation=ev).count() == 2
    assert PaperEntry.objects.filter(evaluation=ev, entered_by=secretary.user).count() == 2
    over = client.post(reverse("evaluations:paper_totals", args=[ev.pk]), totals)
    assert over.status_code == 200 and "最多还能录入 0 张" in over.content.decode()
    # The count boxes are sized by a class: the Content-Security-Policy refuses style attributes.
    assert "bl-count-input" in over.content.decode() and " style=" not in over.content.decode()
