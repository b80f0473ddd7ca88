from io import StringIO

from django.core.management import call_command

from evaluations import services, tasks
from evaluations.models import Evaluation


def test_the_command_seals_every_closed_evaluation_once(build):
    ev = build.evaluation(n=2)
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    still_open = build.evaluation(n=2)
    build.close(ev)
    out = StringIO()
    call_command("seal_evaluations", stdout=out)
    assert "sealed 1" in out.getvalue()
    assert Evaluation.objects.get(pk=ev.pk).sealed_at is not None
    assert Evaluation.objects.get(pk=still_open.pk).sealed_at is None
    call_command("seal_evaluations", stdout=out)
    assert "sealed 0" in out.getvalue()


def test_the_task_seals_too(build):
    ev = build.close(build.evaluation(n=2))
    assert tasks.evaluations_seal_due.apply().get() == 1
    assert Evaluation.objects.get(pk=ev.pk).sealed_at is not None
