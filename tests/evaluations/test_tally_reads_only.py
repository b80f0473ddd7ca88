"""Issue 21: a selector never writes. selectors.tally reads the counts; the seal is the caller's
(services.evaluation_seal_if_due, called by the results pages — tests/evaluations/test_results.py)."""

from evaluations import selectors, services
from evaluations.models import Evaluation


def test_it_tallies_without_sealing(build):
    ev = build.evaluation(n=3)
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    build.close(ev)
    assert selectors.tally(evaluation=ev).valid == 1
    assert Evaluation.objects.get(pk=ev.pk).sealed_at is None
    services.evaluation_seal_if_due(evaluation=ev)
    assert Evaluation.objects.get(pk=ev.pk).sealed_at is not None
