"""Every URL × every demo role → the expected status. Later issues add their rows to TABLE."""

import pytest
from django.urls import reverse

ROLES = ["secretary", "member", "county", "anyue", "supervisor", None]


def row(name, target, expected: dict):
    """expected maps role → status; roles not named get 403, the anonymous visitor a redirect to login."""
    return [(name, target, role, expected.get(role, 302 if role is None else 403)) for role in ROLES]


ALL_IN = {"secretary": 200, "member": 200, "county": 200, "anyue": 200, "supervisor": 200}
TABLE = [
    *row("organizations:branch_list", None, ALL_IN),
    *row("organizations:branch_detail", "office", {"secretary": 200, "member": 200, "county": 200, "supervisor": 200}),
    *row("organizations:branch_detail", "palace", {"anyue": 200}),
    *row("organizations:roster_export", "office", {"secretary": 200, "county": 200}),
    *row("organizations:roster_export", "palace", {"anyue": 200}),
    *row("organizations:roster_import", "office", {"secretary": 200, "county": 200}),
    *row("organizations:roster_import", "palace", {"anyue": 200}),
    *row("organizations:organization_detail", "gaolan", {"county": 200}),
    *row("organizations:organization_detail", "shuifu", {"county": 200}),
    *row("organizations:organization_detail", "anyue", {}),
    *row("organizations:roster_template", None, {"secretary": 200, "member": 200, "county": 200, "anyue": 200}),
    *row("organizations:my_branch", None, {"secretary": 302, "member": 302, "anyue": 302}),
    *row("organizations:my_organization", None, {"county": 302}),
    # Issue 15: accounts from the roster, officers and supervisors in the app.
    *row("organizations:branch_accounts", "office", {"secretary": 200, "county": 200}),
    *row("organizations:branch_accounts", "palace", {"anyue": 200}),
    *row("organizations:org_people", "gaolan", {"county": 200}),
    *row("organizations:org_people", "shuifu", {"county": 200}),
    *row("organizations:org_people", "anyue", {}),
]

# Pages for those not logged in (activation, forgotten password): everyone gets them.
OPEN = {"secretary": 200, "member": 200, "county": 200, "anyue": 200, "supervisor": 200, None: 200}
TABLE += [*row("accounts:activate", None, OPEN), *row("accounts:forgot_password", None, OPEN)]
# Two-factor: everyone's 账号安全 page; setting up an authenticator is for officers and secretaries.
TABLE += [
    *row("accounts:two_factor_security", None, ALL_IN),
    *row("accounts:two_factor_enrol", None, {"secretary": 200, "county": 200, "anyue": 200}),
]


@pytest.mark.parametrize(("url_name", "target", "role", "status"), TABLE)
def test_it_allows_only_the_right_roles(demo_orgs, client, login, url_name, target, role, status):
    args = [demo_orgs.orgs[target].pk] if target else []
    if role:
        login(role)
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == status, (url_name, target, role)


def test_an_officer_of_one_county_gets_nothing_of_another(demo_orgs, login):
    """Every object URL of 安岳县 answers 403 or 404 to 皋兰县's officer."""
    client = login("county")
    anyue_orgs = [o for key, o in demo_orgs.orgs.items() if o.path.startswith(demo_orgs.orgs["anyue"].path)]
    assert len(anyue_orgs) == 3
    object_urls = [
        "organizations:branch_detail",
        "organizations:organization_detail",
        "organizations:roster_export",
        "organizations:roster_import",
    ]
    for org in anyue_orgs:
        for url_name in object_urls:
            response = client.get(reverse(url_name, args=[org.pk]))
            assert response.status_code in (403, 404), (url_name, org.name)
    listing = client.get(reverse("organizations:branch_list")).content.decode()
    assert "安岳县青少年宫支部" not in listing
    assert "水阜镇机关党支部" in listing


def test_the_admin_is_for_superusers_only(demo_orgs, login):
    """Officers manage people in the app (issue 15): even a staff officer with model permissions is
    sent to the admin's login, and a superuser gets in."""
    from django.contrib.auth.models import Permission

    user = demo_orgs.users["county"]
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_member", "view_organization"]))
    response = login("county").get(reverse("admin:organizations_member_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user.is_superuser = True
    user.save()
    assert login("county").get(reverse("admin:organizations_member_changelist")).status_code == 200
