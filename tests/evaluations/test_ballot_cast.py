import pytest
from django.core.exceptions import ValidationError

from evaluations import services
from evaluations.models import Ballot, BallotMark, Candidate, Grade, Voter


def test_it_records_participation_and_ballot_apart(build):
    ev = build.evaluation(n=8)
    voter = ev.members[0]
    code = services.ballot_cast(evaluation=ev, member=voter, content=build.content(ev, excellent=ev.members[:2]))
    assert Voter.objects.get(evaluation=ev, member=voter).channel == "online"
    ballot = Ballot.objects.get(evaluation=ev)
    assert ballot.receipt_hash == services.receipt_hash(code) and code not in ballot.receipt_hash
    assert BallotMark.objects.filter(evaluation=ev).count() == 8
    assert BallotMark.objects.filter(evaluation=ev, grade=Grade.EXCELLENT).count() == 2


def test_it_refuses_a_ballot_over_the_quota(build):
    ev = build.evaluation(n=8)  # 30% of 8 → 2
    with pytest.raises(ValidationError) as exc:
        services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev, excellent=ev.members[:3]))
    assert "优秀最多只能选 2 名" in str(exc.value)
    assert not Ballot.objects.exists()
    assert Voter.objects.get(evaluation=ev, member=ev.members[0]).channel == ""


def test_it_accepts_any_number_of_excellent_without_a_quota(build):
    ev = build.evaluation(n=4, quota=None)
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev, excellent=ev.members))
    assert BallotMark.objects.filter(grade=Grade.EXCELLENT).count() == 4


def test_it_refuses_a_second_vote(build):
    ev = build.evaluation(n=4)
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    with pytest.raises(ValidationError, match="已经投过票"):
        services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    assert Ballot.objects.count() == 1


def test_it_refuses_someone_not_on_the_roster(build):
    ev = build.evaluation(n=4)
    outsider = build.members(ev.meeting.branch, 1)[0]
    with pytest.raises(ValidationError, match="不在本次测评的投票人名单"):
        services.ballot_cast(evaluation=ev, member=outsider, content=build.content(ev))
    assert not Ballot.objects.exists()


def test_it_refuses_before_opening_and_after_closing_by_the_clock(build):
    ev = build.evaluation(n=3, state="scheduled")
    with pytest.raises(ValidationError, match="尚未开始"):
        services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    build.close(ev)
    with pytest.raises(ValidationError, match="已经截止"):
        services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    assert not Ballot.objects.exists()


def test_it_requires_every_candidate_and_the_committee_rating(build):
    ev = build.evaluation(n=4)
    content = build.content(ev)
    content.grades.pop(next(iter(content.grades)))
    content.committee_grade = ""
    with pytest.raises(ValidationError) as exc:
        services.ballot_cast(evaluation=ev, member=ev.members[0], content=content)
    assert "还有 1 位党员未选择等次" in str(exc.value)
    assert "committee_grade" in exc.value.message_dict


def test_it_leaves_out_the_voter_when_members_do_not_rate_themselves(build):
    ev = build.evaluation(n=4, self_rating=False)
    me = ev.members[0]
    with pytest.raises(ValidationError, match="不评价本人"):
        services.ballot_cast(evaluation=ev, member=me, content=build.content(ev))
    services.ballot_cast(evaluation=ev, member=me, content=build.content(ev, skip=[me]))
    mine = Candidate.objects.get(evaluation=ev, member=me)
    assert BallotMark.objects.filter(evaluation=ev).count() == 3
    assert not BallotMark.objects.filter(candidate=mine).exists()


def test_it_records_the_four_qualifications_when_asked(build):
    ev = build.evaluation(n=3, with_qualifications=True)
    content = build.content(ev)
    target = next(iter(content.grades))
    content.unmet = {target: {"role", "political"}}
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=content)
    mark = BallotMark.objects.get(candidate_id=target)
    assert (mark.political, mark.discipline, mark.character, mark.role) == (False, True, True, False)
    assert BallotMark.objects.filter(political=True).count() == 2


def test_it_refuses_a_paper_voter_online(build):
    ev = build.evaluation(n=3)
    services.paper_voters_set(evaluation=ev, members=[ev.members[0]], by=build_user())
    with pytest.raises(ValidationError, match="纸质票"):
        services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))


def build_user():
    from tests.organizations.factories import UserFactory

    return UserFactory()
