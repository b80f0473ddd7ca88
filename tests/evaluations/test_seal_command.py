from io import StringIO

import pytest
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


@pytest.mark.django_db(transaction=True)
def test_beat_purges_a_sealed_evaluation_whose_queued_purge_was_lost(build):
    ev = build.close(build.evaluation(n=2))
    assert services.evaluation_seal(evaluation=ev) is True  # its queued purge goes nowhere (no worker here)
    assert Evaluation.objects.get(pk=ev.pk).purged_at is None
    tasks.evaluations_seal_due.apply().get()
    assert Evaluation.objects.get(pk=ev.pk).purged_at is not None
    assert services.ballot_tables_purge() is False  # nothing left to purge
