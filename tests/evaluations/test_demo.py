from evaluations import demo, selectors
from evaluations.models import Ballot, Evaluation, Voter
from meetings import demo as meetings_demo


def test_it_seeds_a_determined_2020_and_an_open_evaluation_twice(demo_orgs):
    meetings_demo.seed(demo_orgs)
    demo.seed(demo_orgs)
    demo.seed(demo_orgs)
    palace = Evaluation.objects.get(meeting__branch=demo_orgs.orgs["palace"], meeting__year=2020)
    summary = selectors.evaluation_summary(meeting=palace.meeting)
    assert [(code, n) for code, _l, n in summary["grades"]] == [("excellent", 2), ("qualified", 6), ("basic", 0), ("unqualified", 0)]
    assert sum(n for _c, _l, n in summary["committee"]) == 8 and summary["published"]
    assert palace.sealed_at is not None

    season = demo_orgs.season
    voting = Evaluation.objects.get(meeting__branch=demo_orgs.orgs["shagang2"], meeting__year=season.year)
    assert voting.is_open() and voting.meeting.held_on < season.anchor
    members = list(demo_orgs.members["shagang2"].values())
    assert [Voter.objects.get(evaluation=voting, member=m).channel for m in members] == [
        "online", "online", "online", "paper", "", ""
    ]
    assert selectors.evaluations_to_vote(member=members[-1]) == [voting]
    assert Ballot.objects.filter(evaluation=voting).count() == 4
    assert Evaluation.objects.count() == 2
