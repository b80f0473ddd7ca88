from evaluations import demo, selectors
from evaluations.models import Ballot, Evaluation, Voter


def test_it_seeds_a_determined_2020_and_an_open_2026_evaluation_twice(demo_orgs):
    demo.seed(demo_orgs)
    demo.seed(demo_orgs)
    palace = Evaluation.objects.get(meeting__branch=demo_orgs.orgs["palace"], meeting__year=2020)
    summary = selectors.evaluation_summary(meeting=palace.meeting)
    assert [(code, n) for code, _l, n in summary["grades"]] == [("excellent", 2), ("qualified", 6), ("basic", 0), ("unqualified", 0)]
    assert sum(n for _c, _l, n in summary["committee"]) == 8 and summary["published"]
    assert palace.sealed_at is not None

    office = Evaluation.objects.get(meeting__branch=demo_orgs.orgs["office"], meeting__year=2026)
    assert office.is_open()
    member = demo_orgs.members["office"]["杨丽"]
    assert Voter.objects.get(evaluation=office, member=member).channel == ""
    assert selectors.evaluations_to_vote(member=member) == [office]
    assert Ballot.objects.filter(evaluation=office).count() == 14
    assert Evaluation.objects.count() == 2
