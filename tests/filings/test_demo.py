"""seed_demo shows the upward review: a returned plan (with its reason) and an approved report, and a second
run keeps what is there."""

from django.core.management import call_command

from filings.demo import RETURN_REASON
from filings.models import Filing


def test_the_demo_has_a_returned_plan_and_an_approved_report(demo):
    returned = Filing.objects.get(branch__name="水阜镇机关党支部", kind="plan")
    assert (returned.state, returned.return_reason) == ("returned", RETURN_REASON)
    assert list(returned.events.values_list("action", flat=True)) == ["submit", "return"]
    report = Filing.objects.get(branch__name="燕儿坪村党支部", kind="report")
    assert report.state == "approved"
    assert Filing.objects.get(branch__name="砂岗村第二党支部", kind="report").state == "pending"
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Filing.objects.count() == 5
