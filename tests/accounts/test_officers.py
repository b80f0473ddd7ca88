"""Officers and supervisors appointed in the app (issue 15 item 4), never through the Django admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from organizations.models import Officer, Supervisor

CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


def _code(response) -> str:
    assert response.status_code == 200, response.content.decode()[:300]
    return CODE.search(response.content.decode()).group(0)


def test_a_county_officer_adds_a_township_officer_who_activates(demo_orgs, login):
    shuifu = demo_orgs.orgs["shuifu"]
    client = login("county")
    assert client.get(reverse("organizations:org_people", args=[shuifu.pk])).status_code == 200
    code = _code(client.post(reverse("organizations:officer_add", args=[shuifu.pk]), {"name": "王建军", "title": "组织委员"}))
    officer = Officer.objects.get(name="王建军")
    assert officer.organization == shuifu and officer.user.username == f"g{officer.pk}"
    assert not officer.user.has_usable_password()
    slip = client.post(reverse("organizations:account_slips"), {"user": officer.user_id, "code": code})
    assert slip["Content-Type"] == "application/pdf"
    new = Client()
    page = new.get(reverse("accounts:activate"), {"code": code}).content.decode()
    assert "王建军" in page and "中共水阜镇委员会" in page
    response = new.post(reverse("accounts:activate"), {"code": code, "password1": "乡镇-组织-2026", "password2": "乡镇-组织-2026"})
    assert response.status_code == 302
    officer.user.refresh_from_db()
    assert officer.user.check_password("乡镇-组织-2026")
    # An officer: two-factor comes before the dashboard.
    dashboard = new.get(reverse("dashboard:index"))
    assert dashboard.status_code == 302 and dashboard["Location"].startswith(reverse("accounts:two_factor_enrol"))


def test_an_officer_cannot_appoint_above_or_beside_their_node(demo_orgs, login):
    township_officer = Officer.objects.create(
        user=get_user_model().objects.create(username="zhen"),
        organization=demo_orgs.orgs["shuifu"],
        name="镇干部",
    )
    client = login("zhen")
    for node in ("gaolan", "anyue"):
        url = reverse("organizations:officer_add", args=[demo_orgs.orgs[node].pk])
        assert client.post(url, {"name": "越权", "title": ""}).status_code == 403
    assert not Officer.objects.filter(name="越权").exists()
    # Nor reset the county officer above, nor remove themselves.
    county = Officer.objects.get(user__username="county")
    url = reverse("organizations:person_code", args=[demo_orgs.orgs["shuifu"].pk, county.user_id])
    assert client.post(url).status_code == 404
    client.post(reverse("organizations:officer_remove", args=[demo_orgs.orgs["shuifu"].pk, township_officer.pk]))
    assert Officer.objects.filter(pk=township_officer.pk).exists()


def test_removing_an_officer_ends_their_access(demo_orgs, login):
    shuifu = demo_orgs.orgs["shuifu"]
    client = login("county")
    code = _code(client.post(reverse("organizations:officer_add", args=[shuifu.pk]), {"name": "李四", "title": ""}))
    officer = Officer.objects.get(name="李四")
    client.post(reverse("organizations:officer_remove", args=[shuifu.pk, officer.pk]))
    assert not Officer.objects.filter(pk=officer.pk).exists()
    officer.user.refresh_from_db()
    assert not officer.user.is_active
    assert "该账号已停用" in Client().get(reverse("accounts:activate"), {"code": code}).content.decode()


def test_the_county_officer_assigns_a_supervisor_without_the_admin(demo_orgs, login):
    shuifu, office, yanerping = (demo_orgs.orgs[k] for k in ("shuifu", "office", "yanerping"))
    client = login("county")
    response = client.post(
        reverse("organizations:supervisor_add", args=[shuifu.pk]),
        {"name": "赵督导", "title": "县委督导组", "organization": demo_orgs.orgs["gaolan"].pk, "branches": [office.pk]},
    )
    assert response.status_code == 400  # 皋兰县委 is above 水阜镇: not a choice on 水阜镇's page
    _code(
        client.post(
            reverse("organizations:supervisor_add", args=[shuifu.pk]),
            {"name": "赵督导", "title": "县委督导组", "organization": shuifu.pk, "branches": [office.pk]},
        )
    )
    supervisor = Supervisor.objects.get(name="赵督导")
    assert list(supervisor.branches.all()) == [office]
    client.post(
        reverse("organizations:supervisor_assign", args=[shuifu.pk, supervisor.pk]), {"branches": [yanerping.pk]}
    )
    assert list(supervisor.branches.all()) == [yanerping]
    # The supervisor reads 燕儿坪's branch page once activated; 机关 is no longer theirs.
    supervisor.user.set_password("督导-2026-ok")
    supervisor.user.save()
    sup_client = Client()
    sup_client.force_login(supervisor.user)
    assert sup_client.get(reverse("organizations:branch_detail", args=[yanerping.pk])).status_code == 200
    assert sup_client.get(reverse("organizations:branch_detail", args=[office.pk])).status_code == 403
    client.post(reverse("organizations:supervisor_remove", args=[shuifu.pk, supervisor.pk]))
    assert not Supervisor.objects.filter(pk=supervisor.pk).exists()


def test_assignments_outside_the_officers_node_are_kept(demo_orgs, login):
    supervisor = Supervisor.objects.get(user__username="supervisor")
    palace = demo_orgs.orgs["palace"]
    supervisor.branches.add(palace)
    shuifu = demo_orgs.orgs["shuifu"]
    login("county").post(reverse("organizations:supervisor_assign", args=[shuifu.pk, supervisor.pk]), {"branches": []})
    assert list(supervisor.branches.all()) == [palace]


@pytest.mark.parametrize("role", ["secretary", "member", "supervisor", "anyue"])
def test_only_officers_over_the_node_open_the_people_page(demo_orgs, login, role):
    client = login(role)
    shuifu = demo_orgs.orgs["shuifu"]
    assert client.get(reverse("organizations:org_people", args=[shuifu.pk])).status_code == 403
    supervisor = Supervisor.objects.get(user__username="supervisor")
    county = Officer.objects.get(user__username="county")
    posts = [
        ("organizations:officer_add", [shuifu.pk], {"name": "x"}),
        ("organizations:officer_remove", [demo_orgs.orgs["gaolan"].pk, county.pk], {}),
        ("organizations:person_code", [shuifu.pk, supervisor.user_id], {}),
        ("organizations:supervisor_add", [shuifu.pk], {"name": "x", "branches": [demo_orgs.orgs["office"].pk]}),
        ("organizations:supervisor_assign", [shuifu.pk, supervisor.pk], {"branches": []}),
        ("organizations:supervisor_remove", [shuifu.pk, supervisor.pk], {}),
        ("organizations:people_history", [shuifu.pk], None),
    ]
    for name, args, data in posts:
        url = reverse(name, args=args)
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code == 403, name
    assert not Officer.objects.filter(name="x").exists() and not Supervisor.objects.filter(name="x").exists()
    assert Officer.objects.filter(pk=county.pk).exists() and supervisor.branches.exists()
    assert supervisor.user.has_usable_password()


def test_the_history_tells_who_changed_which_account_or_role(demo_orgs, login):
    from simple_history.models import registered_models

    from evaluations import models as evaluation_models

    shuifu, office = demo_orgs.orgs["shuifu"], demo_orgs.orgs["office"]
    county = login("county")
    county.post(reverse("organizations:officer_add", args=[shuifu.pk]), {"name": "王建军", "title": "组织委员"})
    member = office.members.filter(user=None).order_by("pk").first()
    secretary = login("secretary")
    code = _code(secretary.post(reverse("organizations:accounts_open", args=[office.pk]), {"members": [member.pk]}))
    Client().post(reverse("accounts:activate"), {"code": code, "password1": "红旗-飘飘-2026", "password2": "红旗-飘飘-2026"})
    secretary.post(reverse("organizations:account_remove", args=[office.pk, member.pk]))
    page = login("county").get(reverse("organizations:people_history", args=[shuifu.pk])).content.decode()
    rows = re.findall(r"<tr><td[^>]*>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", page)
    assert ("王建军", "任命为中共水阜镇委员会干部", "赵组织") in rows
    assert (member.name, "开通账号", "李建国") in rows
    assert (member.name, "发放激活码（开通账号）", "李建国") in rows
    assert (member.name, "用激活码设置了密码（开通账号）", "系统") in rows
    assert (member.name, "移出名册，账号停用", "李建国") in rows
    # The history stops at people and roles: nothing of a vote is registered with it.
    assert not [m for m in registered_models.values() if m.__module__ == evaluation_models.__name__]
    assert login("secretary").get(reverse("organizations:people_history", args=[shuifu.pk])).status_code == 403


def test_the_first_officer_of_a_county_comes_from_the_command(demo_orgs):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("add_officer", organization="中共安岳县委", name="钱组织", stdout=out)
    code = CODE.search(out.getvalue()).group(0)
    officer = Officer.objects.get(name="钱组织")
    assert officer.organization == demo_orgs.orgs["anyue"] and officer.user.username in out.getvalue()
    page = Client().get(reverse("accounts:activate"), {"code": code}).content.decode()
    assert "钱组织" in page and "中共安岳县委" in page
    with pytest.raises(CommandError, match="没有名为"):
        call_command("add_officer", organization="不存在的县委", name="某人", stdout=io.StringIO())


def test_a_new_code_for_an_officer_who_lost_their_phone_removes_the_authenticator(demo_orgs, login):
    from django_otp import devices_for_user

    shuifu = demo_orgs.orgs["shuifu"]
    county = login("county")
    _code(county.post(reverse("organizations:officer_add", args=[shuifu.pk]), {"name": "王建军", "title": ""}))
    officer = Officer.objects.get(name="王建军")
    officer.user.set_password("乡镇-组织-2026")
    officer.user.save()
    Client().force_login(officer.user)  # completes two-factor: the officer now has an authenticator
    assert list(devices_for_user(officer.user))
    code = _code(county.post(reverse("organizations:person_code", args=[shuifu.pk, officer.user_id])))
    assert not list(devices_for_user(officer.user, confirmed=None))
    officer.user.refresh_from_db()
    assert not officer.user.has_usable_password()
    assert "王建军" in Client().get(reverse("accounts:activate"), {"code": code}).content.decode()


def test_a_change_from_the_branch_side_is_recorded_for_the_supervisor(demo_orgs):
    supervisor = Supervisor.objects.get(user__username="supervisor")
    office = demo_orgs.orgs["office"]
    before = supervisor.history.count()
    office.supervisors.remove(supervisor)
    latest = supervisor.history.latest()
    assert supervisor.history.count() == before + 1
    assert office not in [link.organization for link in latest.historicalsupervisor_branches_set.all()]
