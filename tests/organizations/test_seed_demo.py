import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from organizations.models import Member, Organization, Supervisor


def snapshot():
    return (
        sorted(Organization.objects.values_list("path", "name", "level")),
        sorted(Member.objects.values_list("branch__name", "name", "phone", "committee_post", "user__username")),
        sorted(get_user_model().objects.values_list("username", flat=True)),
    )


def test_seed_demo_twice_gives_the_same_data(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first
    assert Member.objects.filter(branch__name="水阜镇机关党支部").count() == 28
    assert Member.objects.filter(branch__name="安岳县青少年宫支部").count() == 8


def test_seed_demo_builds_the_five_accounts(db):
    call_command("seed_demo", stdout=io.StringIO())
    User = get_user_model()
    assert User.objects.get(username="secretary").member.committee_post == "secretary"
    assert User.objects.get(username="member").member.committee_post == ""
    assert User.objects.get(username="county").officer.organization.name == "中共皋兰县委"
    assert User.objects.get(username="anyue").member.branch.name == "安岳县青少年宫支部"
    supervisor = Supervisor.objects.get(user__username="supervisor")
    assert {b.name for b in supervisor.branches.all()} >= {"水阜镇机关党支部"}
    for name in ("secretary", "member", "county", "anyue", "supervisor"):
        assert User.objects.get(username=name).check_password("branchlife-demo")
