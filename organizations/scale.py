"""Builds a county-sized organization tree and roster quickly (bulk inserts), for seed_scale and benchmarks.

treebeard's add_child costs several queries a node; a county of thousands of branches is instead laid
out in memory with paths computed the way treebeard computes them, and inserted in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection

from .models import Member, Officer, Organization

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"


def _step(n: int) -> str:
    alphabet = Organization.alphabet
    out = ""
    for _ in range(Organization.steplen):
        n, r = divmod(n, len(alphabet))
        out = alphabet[r] + out
    return out


@dataclass
class ScaleResult:
    county: Organization
    branch_ids: list[int] = field(default_factory=list)
    township_ids: list[int] = field(default_factory=list)
    member_count: int = 0


def build_county(*, name: str, branches: int, members: int, seed: int = 2026, officer_username: str | None = None,
                 parent: Organization | None = None) -> ScaleResult:
    """A county (a root, or a child of `parent`: a province's), its townships, general branches and
    branches, and its members (PostgreSQL's COPY on PostgreSQL, bulk inserts elsewhere)."""
    rng = random.Random(seed)
    if parent is None:
        county = Organization.add_root(name=name, level=Organization.Level.COUNTY)
    else:
        parent.refresh_from_db()
        county = parent.add_child(name=name, level=Organization.Level.COUNTY)
    townships = max(1, round(branches / 40))
    nodes: list[Organization] = []
    children_of: dict[str, int] = {county.path: 0}

    def node(parent_path: str, depth: int, label: str, level: str) -> Organization:
        children_of[parent_path] = children_of.get(parent_path, 0) + 1
        path = parent_path + _step(children_of[parent_path])
        obj = Organization(name=label, level=level, path=path, depth=depth, numchild=0)
        children_of[path] = 0
        nodes.append(obj)
        return obj

    branch_nodes = []
    per_town = [branches // townships + (1 if i < branches % townships else 0) for i in range(townships)]
    for t, count in enumerate(per_town, start=1):
        town = node(county.path, county.depth + 1, f"{name}第{t}镇党委", Organization.Level.TOWNSHIP)
        general = None
        for b in range(1, count + 1):
            # About one branch in eight sits under a village general branch (党总支).
            if b % 8 == 1 and count - b >= 2:
                general = node(town.path, town.depth + 1, f"{town.name}第{b}村党总支", Organization.Level.GENERAL_BRANCH)
            parent = general if general is not None and b % 8 in (1, 2, 3) else town
            branch = node(parent.path, parent.depth + 1, f"{name}第{t}镇第{b}党支部", Organization.Level.BRANCH)
            branch_nodes.append(branch)
    for obj in nodes:
        obj.numchild = children_of[obj.path]
    Organization.objects.bulk_create(nodes, batch_size=1000)
    Organization.objects.filter(pk=county.pk).update(numchild=children_of[county.path])
    county.refresh_from_db()

    saved = {o.path: o for o in Organization.objects.filter(path__startswith=county.path)}
    branch_objs = [saved[b.path] for b in branch_nodes]
    result = ScaleResult(
        county=county,
        branch_ids=[b.pk for b in branch_objs],
        township_ids=[o.pk for o in saved.values() if o.level == Organization.Level.TOWNSHIP],
    )

    # Branch sizes vary from 8 to about 3× the mean; every branch has a committee of four.
    weights = [rng.uniform(0.3, 2.0) for _ in branch_objs]
    scale = max(0, members - 8 * len(branch_objs)) / sum(weights)
    sizes = [8 + int(w * scale) for w in weights]
    sizes[0] += members - sum(sizes)
    posts = [Member.Post.SECRETARY, Member.Post.ORGANIZATION, Member.Post.DISCIPLINE, Member.Post.PROPAGANDA]
    if connection.vendor == "postgresql":
        result.member_count = _copy_members(rng, branch_objs, sizes, posts)
        _officer(county, officer_username)
        return result
    batch: list[Member] = []
    for branch, size in zip(branch_objs, sizes, strict=True):
        for i in range(size):
            batch.append(
                Member(
                    branch=branch,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                    sex=Member.Sex.FEMALE if rng.random() < 0.3 else Member.Sex.MALE,
                    education=rng.choices(Member.Education.values, weights=[5, 35, 30, 30])[0],
                    category=Member.Category.PROBATIONARY if rng.random() < 0.04 else Member.Category.FULL,
                    in_service=rng.random() < 0.75,
                    is_mobile=rng.random() < 0.06,
                    phone=f"13{branch.pk % 1000:03d}{i:06d}",
                    committee_post=posts[i] if i < len(posts) else "",
                )
            )
        if len(batch) >= 5000:
            Member.objects.bulk_create(batch, batch_size=5000)
            result.member_count += len(batch)
            batch = []
    Member.objects.bulk_create(batch, batch_size=5000)
    result.member_count += len(batch)

    _officer(county, officer_username)
    return result


MEMBER_COLUMNS = ("branch_id", "name", "sex", "education", "category", "in_service", "is_mobile", "phone", "committee_post",
                  "is_active")


def _copy_members(rng: random.Random, branches: list[Organization], sizes: list[int], posts: list[str]) -> int:
    """The roster through COPY (psycopg): 700,000 members in seconds, where bulk_create builds a model
    instance per row. The same draws as the bulk path, so a seed gives the same people."""
    educations = Member.Education.values
    count = 0
    with connection.cursor() as cursor:
        columns = ", ".join(MEMBER_COLUMNS)
        with cursor.cursor.copy(f"COPY {Member._meta.db_table} ({columns}) FROM STDIN") as copy:
            for branch, size in zip(branches, sizes, strict=True):
                for i in range(size):
                    copy.write_row((
                        branch.pk,
                        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                        Member.Sex.FEMALE if rng.random() < 0.3 else Member.Sex.MALE,
                        rng.choices(educations, weights=[5, 35, 30, 30])[0],
                        Member.Category.PROBATIONARY if rng.random() < 0.04 else Member.Category.FULL,
                        rng.random() < 0.75, rng.random() < 0.06, f"13{branch.pk % 1000:03d}{i:06d}",
                        posts[i] if i < len(posts) else "", True,
                    ))
                    count += 1
    return count


def _officer(county: Organization, officer_username: str | None) -> None:
    if officer_username:
        User = get_user_model()
        user, _ = User.objects.update_or_create(
            username=officer_username, defaults={"password": make_password("branchlife-demo")}
        )
        Officer.objects.update_or_create(user=user, defaults={"organization": county, "name": "规模测试干部"})


@dataclass
class ProvinceResult:
    province: Organization
    counties: list[ScaleResult] = field(default_factory=list)

    @property
    def branch_ids(self) -> list[int]:
        return [b for c in self.counties for b in c.branch_ids]

    @property
    def member_count(self) -> int:
        return sum(c.member_count for c in self.counties)


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def build_province(*, name: str, counties: int, branches: int, members: int, seed: int = 2026,
                   officer_username: str | None = None, progress=None) -> ProvinceResult:
    """A province of `counties` counties (each built by build_county under it). Organization.Level has no
    province or city level: the root is laid out with the county level, named as a province's committee."""
    province = Organization.add_root(name=name, level=Organization.Level.COUNTY)
    result = ProvinceResult(province=province)
    for i, (b, m) in enumerate(zip(split(branches, counties), split(members, counties), strict=True), start=1):
        result.counties.append(build_county(name=f"{name}第{i}县委", branches=b, members=m, seed=seed + i, parent=province))
        if progress:
            progress(f"county {i}/{counties}: {b} branches, {m} members")
    province.refresh_from_db()
    _officer(province, officer_username)
    return result
