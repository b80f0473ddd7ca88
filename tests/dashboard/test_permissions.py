"""Every dashboard URL × every demo role; an officer sees only their own subtree."""

import pytest
from django.urls import reverse

from organizations.models import Officer
from tests.organizations.factories import UserFactory

ROLES = ["secretary", "member", "county", "anyue", "supervisor", None]
NODE_URLS = [
    "dashboard:index",
    "dashboard:branches",
    "dashboard:ranking",
    "dashboard:branches_export",
    "dashboard:children_export",
    "dashboard:items",
    "dashboard:items_export",
    "dashboard:supervision_stats",
    "dashboard:supervision_stats_export",
]


# (url name, ?org= target or None for the user's own node, {role: status}); roles not named get 403 and
# the anonymous visitor a redirect to the login page.
TABLE = {
    **{name: [(None, {"county": 200}), *[(t, {"county": 200}) for t in ("gaolan", "shuifu", "shagang", "office")],
              ("anyue", {}), ("palace", {})] for name in NODE_URLS},
    "dashboard:supervisor_home": [(None, {"supervisor": 200})],
    "dashboard:supervisor_export": [(None, {"supervisor": 200})],
}


@pytest.mark.parametrize("url_name", list(TABLE))
def test_it_allows_only_the_right_roles(demo_orgs, client, url_name, no_cache):
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.filter(username__in=[r for r in ROLES if r])}
    wrong = []
    for target, expected in TABLE[url_name]:
        url = reverse(url_name) + (f"?org={demo_orgs.orgs[target].pk}" if target else "")
        for role in ROLES:
            client.logout()
            if role:
                client.force_login(users[role])
            status = client.get(url).status_code
            if status != expected.get(role, 302 if role is None else 403):
                wrong.append((target, role, status))
    assert wrong == []


def test_the_county_gets_nothing_of_another_county(demo_orgs, login, no_cache):
    client = login("county")
    anyue = [o for o in demo_orgs.orgs.values() if o.path.startswith(demo_orgs.orgs["anyue"].path)]
    assert len(anyue) == 3
    for org in anyue:
        for name in NODE_URLS:
            assert client.get(reverse(name), {"org": org.pk}).status_code in (403, 404), (name, org.name)
    assert client.get(reverse("dashboard:index"), {"org": 999999}).status_code == 404
    page = client.get(reverse("dashboard:ranking")).content.decode()
    assert "水阜镇机关党支部" in page and "安岳县" not in page


def test_a_township_officer_cannot_look_up_the_tree(demo_orgs, client, no_cache):
    user = UserFactory()
    Officer.objects.create(user=user, organization=demo_orgs.orgs["shuifu"], name="镇干部")
    client.force_login(user)
    assert client.get(reverse("dashboard:index"), {"org": demo_orgs.orgs["gaolan"].pk}).status_code == 403
    page = client.get(reverse("dashboard:index"))
    assert page.status_code == 200 and page.context["scope"].node == demo_orgs.orgs["shuifu"]
    assert "中共皋兰县委" not in [a.name for a in page.context["scope"].ancestors]


def test_officers_and_supervisors_land_on_their_dashboards(demo_orgs, login):
    assert login("county").get(reverse("home")).url == reverse("dashboard:index")
    assert login("supervisor").get(reverse("home")).url == reverse("dashboard:supervisor_home")
    assert login("secretary").get(reverse("home")).url == reverse("meetings:my_home")
