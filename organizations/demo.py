"""Demo organizations, members and accounts, drawn from the seeds (safe to run again: it updates in place)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from .models import Member, Officer, Organization, Supervisor

DEMO_PASSWORD = "branchlife-demo"
Level = Organization.Level
Post = Member.Post
Edu = Member.Education

# 水阜镇机关党支部: 28 members (seed 000's town-office branch). Names are invented.
SHUIFU_OFFICE = [
    # name, sex, education, in_service, post, category, is_mobile
    ("李建国", "M", Edu.BACHELOR, True, Post.SECRETARY, "full", False),
    ("王秀兰", "F", Edu.BACHELOR, True, Post.DEPUTY_SECRETARY, "full", False),
    ("张伟", "M", Edu.COLLEGE, True, Post.ORGANIZATION, "full", False),
    ("刘芳", "F", Edu.POSTGRADUATE, True, Post.DISCIPLINE, "full", False),
    ("陈志强", "M", Edu.BACHELOR, True, Post.PROPAGANDA, "full", False),
    ("杨丽", "F", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("赵磊", "M", Edu.COLLEGE, True, Post.NONE, "full", False),
    ("黄静", "F", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("周杰", "M", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("吴敏", "F", Edu.COLLEGE, True, Post.NONE, "full", False),
    ("徐军", "M", Edu.HIGH_SCHOOL, False, Post.NONE, "full", False),
    ("孙燕", "F", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("马超", "M", Edu.BACHELOR, True, Post.NONE, "full", True),
    ("朱红", "F", Edu.COLLEGE, True, Post.NONE, "full", False),
    ("胡斌", "M", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("郭婷", "F", Edu.POSTGRADUATE, True, Post.NONE, "probationary", False),
    ("何平", "M", Edu.COLLEGE, True, Post.NONE, "full", False),
    ("高洁", "F", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("林涛", "M", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("罗霞", "F", Edu.HIGH_SCHOOL, False, Post.NONE, "full", False),
    ("郑刚", "M", Edu.COLLEGE, True, Post.NONE, "full", False),
    ("梁雪", "F", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("谢勇", "M", Edu.BACHELOR, True, Post.NONE, "full", True),
    ("宋梅", "F", Edu.COLLEGE, True, Post.NONE, "full", False),
    ("唐明", "M", Edu.BACHELOR, True, Post.NONE, "probationary", False),
    ("韩冬", "M", Edu.HIGH_SCHOOL, False, Post.NONE, "full", False),
    ("冯丹", "F", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("曹阳", "M", Edu.BACHELOR, True, Post.NONE, "full", False),
]

# 安岳县青少年宫支部 (seed 002): 8 members, 7 in service, 1 retired, 2 women, 1/4/3 by education,
# a secretary, a discipline-inspection member and a propaganda member. Names are invented.
ANYUE_PALACE = [
    ("邓文华", "M", Edu.POSTGRADUATE, True, Post.SECRETARY, "full", False),
    ("蒋丽萍", "F", Edu.BACHELOR, True, Post.DISCIPLINE, "full", False),
    ("彭宇", "M", Edu.BACHELOR, True, Post.PROPAGANDA, "full", False),
    ("曾庆华", "M", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("袁小琴", "F", Edu.BACHELOR, True, Post.NONE, "full", False),
    ("董明", "M", Edu.COLLEGE, True, Post.NONE, "full", False),
    ("程刚", "M", Edu.COLLEGE, True, Post.NONE, "full", False),
    ("魏国华", "M", Edu.COLLEGE, False, Post.NONE, "full", False),
]

YANERPING = [
    ("王磊", "M", Edu.COLLEGE, True, Post.SECRETARY, "full", False),
    ("王永福", "M", Edu.HIGH_SCHOOL, True, Post.ORGANIZATION, "full", False),
    ("李桂花", "F", Edu.HIGH_SCHOOL, False, Post.NONE, "full", False),
    ("张有才", "M", Edu.HIGH_SCHOOL, True, Post.NONE, "full", True),
    ("王建军", "M", Edu.HIGH_SCHOOL, False, Post.NONE, "full", False),
]

SHAGANG_1 = [
    ("杨庆弟", "M", Edu.COLLEGE, True, Post.SECRETARY, "full", False),
    ("杨春生", "M", Edu.HIGH_SCHOOL, True, Post.NONE, "full", True),
    ("魏兰英", "F", Edu.HIGH_SCHOOL, False, Post.NONE, "full", False),
    ("杨国栋", "M", Edu.HIGH_SCHOOL, True, Post.NONE, "full", True),
]


@dataclass
class DemoContext:
    """What later apps' demo seeders build on."""

    orgs: dict[str, Organization] = field(default_factory=dict)
    members: dict[str, dict[str, Member]] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)


def _node(parent: Organization | None, name: str, level: str) -> Organization:
    if parent is None:
        existing = Organization.get_root_nodes().filter(name=name).first()
        return existing or Organization.add_root(name=name, level=level)
    parent.refresh_from_db()
    existing = parent.get_children().filter(name=name).first()
    return existing or parent.add_child(name=name, level=level)


def _user(username: str, *, staff: bool = False):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(DEMO_PASSWORD)
    user.is_staff = staff
    user.save()
    return user


def _members(branch: Organization, rows, phone_prefix: str) -> dict[str, Member]:
    result = {}
    for i, (name, sex, edu, in_service, post, category, mobile) in enumerate(rows):
        phone = f"{phone_prefix}{i:04d}"
        member, _ = Member.objects.update_or_create(
            branch=branch,
            name=name,
            phone=phone,
            defaults={
                "sex": sex,
                "education": edu,
                "in_service": in_service,
                "committee_post": post,
                "category": category,
                "is_mobile": mobile,
                "joined_on": dt.date(1990 + (i * 7) % 33, 1 + i % 12, 1),
                "is_active": True,
            },
        )
        result[name] = member
    return result


def seed() -> DemoContext:
    ctx = DemoContext()
    gaolan = _node(None, "中共皋兰县委", Level.COUNTY)
    shuifu = _node(gaolan, "中共水阜镇委员会", Level.TOWNSHIP)
    office = _node(shuifu, "水阜镇机关党支部", Level.BRANCH)
    shagang = _node(shuifu, "砂岗村党总支", Level.GENERAL_BRANCH)
    shagang1 = _node(shagang, "砂岗村第一党支部", Level.BRANCH)
    yanerping = _node(shuifu, "燕儿坪村党支部", Level.BRANCH)
    anyue = _node(None, "中共安岳县委", Level.COUNTY)
    edu_committee = _node(anyue, "中共安岳县教育工作委员会", Level.TOWNSHIP)
    palace = _node(edu_committee, "安岳县青少年宫支部", Level.BRANCH)
    ctx.orgs.update(
        gaolan=gaolan, shuifu=shuifu, office=office, shagang=shagang, shagang1=shagang1,
        yanerping=yanerping, anyue=anyue, anyue_edu=edu_committee, palace=palace,
    )

    ctx.members["office"] = _members(office, SHUIFU_OFFICE, "1389310")
    ctx.members["palace"] = _members(palace, ANYUE_PALACE, "1398320")
    ctx.members["yanerping"] = _members(yanerping, YANERPING, "1389311")
    ctx.members["shagang1"] = _members(shagang1, SHAGANG_1, "1389312")
    group1 = _node(office, "机关第一党小组", Level.GROUP)
    group2 = _node(office, "机关第二党小组", Level.GROUP)
    for i, member in enumerate(ctx.members["office"].values()):
        member.party_group = group1 if i % 2 == 0 else group2
        member.save(update_fields=["party_group"])

    # Accounts. Members other than the demo ones get no login.
    accounts = {
        "secretary": ctx.members["office"]["李建国"],
        "member": ctx.members["office"]["杨丽"],
        "anyue": ctx.members["palace"]["邓文华"],
    }
    for username, member in accounts.items():
        user = _user(username)
        Member.objects.filter(user=user).exclude(pk=member.pk).update(user=None)
        member.user = user
        member.save(update_fields=["user"])
        ctx.users[username] = user

    county = _user("county", staff=True)
    Officer.objects.update_or_create(
        user=county, defaults={"organization": gaolan, "name": "赵组织", "title": "皋兰县委组织部组织科科长"}
    )
    ctx.users["county"] = county

    sup_user = _user("supervisor")
    supervisor, _ = Supervisor.objects.update_or_create(
        user=sup_user, defaults={"name": "何奇哲", "title": "水阜镇党委书记(县派督导)", "organization": gaolan}
    )
    supervisor.branches.set([office, shagang1, yanerping])
    ctx.users["supervisor"] = sup_user
    return ctx
