"""Fixtures of the activities tests: a small tree with known people, and the clock at tests.clock.NOW.

    测试县委 ─┬─ 第一镇 ─┬─ 一支部 (groups 一组, 二组; 书记, 支委, 党员)
              │          └─ 二支部 (group 乙组; other: its secretary)
              └─ 第二镇 ─── 三支部
    officers: town (第一镇), county (测试县委), town2 (第二镇)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from organizations.models import Officer, Organization
from tests.clock import starting_at_now
from tests.organizations.factories import MemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _own_clock(request):
    yield from starting_at_now(request)


@dataclass
class Tree:
    county: Organization
    town: Organization
    town2: Organization
    branch: Organization
    branch2: Organization
    branch3: Organization
    groups: list[Organization]
    group3: Organization
    users: dict[str, object] = field(default_factory=dict)


def _child(parent: Organization, name: str, level: str) -> Organization:
    parent.refresh_from_db()
    return parent.add_child(name=name, level=level)


def build(*, groups: int = 2, prefix: str = "") -> Tree:
    L = Organization.Level
    county = Organization.add_root(name=f"{prefix}测试县委", level=L.COUNTY)
    town = _child(county, f"{prefix}第一镇", L.TOWNSHIP)
    town2 = _child(county, f"{prefix}第二镇", L.TOWNSHIP)
    branch = _child(town, f"{prefix}一支部", L.BRANCH)
    branch2 = _child(town, f"{prefix}二支部", L.BRANCH)
    branch3 = _child(town2, f"{prefix}三支部", L.BRANCH)
    names = "一二三四五六七八九"
    tree = Tree(
        county=county, town=town, town2=town2, branch=branch, branch2=branch2, branch3=branch3,
        groups=[_child(branch, f"{prefix}{names[i]}组", L.GROUP) for i in range(groups)],
        group3=_child(branch2, f"{prefix}乙组", L.GROUP),
    )
    for role, post in [("secretary", "secretary"), ("committee", "organization"), ("member", "")]:
        user = UserFactory(username=f"{prefix}{role}")
        MemberFactory(branch=branch, party_group=tree.groups[0], user=user, committee_post=post, name=f"{prefix}{role}")
        tree.users[role] = user
    tree.users["other"] = UserFactory(username=f"{prefix}other")
    MemberFactory(branch=branch2, party_group=tree.group3, user=tree.users["other"], committee_post="secretary")
    for role, org in [("town", town), ("county", county), ("town2", town2)]:
        tree.users[role] = UserFactory(username=f"{prefix}{role}")
        Officer.objects.create(user=tree.users[role], organization=org, name=role)
    return tree


@pytest.fixture
def tree(db) -> Tree:
    return build()


@pytest.fixture
def as_(client):
    def _as(tree: Tree, role: str | None):
        if role:
            client.force_login(tree.users[role])
        return client

    return _as


