"""Demo organizations, members and accounts, drawn from the seeds (safe to run again: it updates in place)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

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

SHAGANG_2 = [
    ("杨永红", "M", Edu.COLLEGE, True, Post.SECRETARY, "full", False),
    ("魏玉兰", "F", Edu.HIGH_SCHOOL, True, Post.ORGANIZATION, "full", False),
    ("杨发祥", "M", Edu.HIGH_SCHOOL, False, Post.NONE, "full", False),
    ("张秀英", "F", Edu.HIGH_SCHOOL, True, Post.NONE, "full", False),
    ("杨建华", "M", Edu.HIGH_SCHOOL, True, Post.NONE, "full", True),
    ("魏小东", "M", Edu.COLLEGE, True, Post.NONE, "probationary", False),
]

SHAGANG_1 = [
    ("杨庆弟", "M", Edu.COLLEGE, True, Post.SECRETARY, "full", False),
    ("杨春生", "M", Edu.HIGH_SCHOOL, True, Post.NONE, "full", True),
    ("魏兰英", "F", Edu.HIGH_SCHOOL, False, Post.NONE, "full", False),
    ("杨国栋", "M", Edu.HIGH_SCHOOL, True, Post.NONE, "full", True),
]


# How long a season built on one day is kept by a later `seed_demo` before it is rebuilt around the new
# day: its opinions close a week after the day it was built, so the story holds for these days.
SEASON_KEPT_DAYS = 4
# The current meeting is held this many days after the day the season is built.
MEETING_IN_DAYS = 15


@dataclass(frozen=True)
class Season:
    """The demo's calendar. Every date of the demo's live story is an offset from `anchor`, the day the
    season was built (normally the day `seed_demo` runs), so that on any day of the year a newcomer finds
    the same story: 水阜镇机关党支部's annual meeting in preparation, another branch voting, one met three
    weeks ago and rectifying, one whose date passed unmet, and last year's meeting with rectification
    running. Only 安岳县青少年宫支部's seed-002 meeting keeps its historical dates (2021)."""

    anchor: dt.date

    @classmethod
    def around(cls, *, today: dt.date, kept: dt.date | None = None) -> Season:
        """The season built on `kept` while its story still holds on `today`, else a new one from today."""
        if kept is not None and kept <= today <= kept + dt.timedelta(days=SEASON_KEPT_DAYS):
            return cls(anchor=kept)
        return cls(anchor=today)

    def day(self, offset: int) -> dt.date:
        return self.anchor + dt.timedelta(days=offset)

    def at(self, offset: int, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day(offset), dt.time(hour, minute)))

    @property
    def meeting_day(self) -> dt.date:
        return self.day(MEETING_IN_DAYS)

    @property
    def year(self) -> int:
        """The 年度 the current annual meetings review: a meeting held in the first half of a year reviews
        the year before (seed 002's 2020 meeting was held in March 2021)."""
        held = self.meeting_day
        return held.year if held.month >= 7 else held.year - 1

    @property
    def last_year(self) -> int:
        return self.year - 1


def _today_season() -> Season:
    return Season(anchor=timezone.localdate())


@dataclass
class DemoContext:
    """What later apps' demo seeders build on."""

    orgs: dict[str, Organization] = field(default_factory=dict)
    members: dict[str, dict[str, Member]] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    season: Season = field(default_factory=_today_season)


def _node(parent: Organization | None, name: str, level: str) -> Organization:
    if parent is None:
        existing = Organization.get_root_nodes().filter(name=name).first()
        return existing or Organization.add_root(name=name, level=level)
    parent.refresh_from_db()
    existing = parent.get_children().filter(name=name).first()
    return existing or parent.add_child(name=name, level=level)


def _user(username: str):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(DEMO_PASSWORD)
    user.is_staff = False
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
    shagang2 = _node(shagang, "砂岗村第二党支部", Level.BRANCH)
    yanerping = _node(shuifu, "燕儿坪村党支部", Level.BRANCH)
    anyue = _node(None, "中共安岳县委", Level.COUNTY)
    edu_committee = _node(anyue, "中共安岳县教育工作委员会", Level.TOWNSHIP)
    palace = _node(edu_committee, "安岳县青少年宫支部", Level.BRANCH)
    ctx.orgs.update(
        gaolan=gaolan, shuifu=shuifu, office=office, shagang=shagang, shagang1=shagang1, shagang2=shagang2,
        yanerping=yanerping, anyue=anyue, anyue_edu=edu_committee, palace=palace,
    )

    ctx.members["office"] = _members(office, SHUIFU_OFFICE, "1389310")
    ctx.members["palace"] = _members(palace, ANYUE_PALACE, "1398320")
    ctx.members["yanerping"] = _members(yanerping, YANERPING, "1389311")
    ctx.members["shagang1"] = _members(shagang1, SHAGANG_1, "1389312")
    ctx.members["shagang2"] = _members(shagang2, SHAGANG_2, "1389313")
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

    county = _user("county")
    Officer.objects.update_or_create(
        user=county, defaults={"organization": gaolan, "name": "赵组织", "title": "皋兰县委组织部组织科科长"}
    )
    ctx.users["county"] = county

    sup_user = _user("supervisor")
    supervisor, _ = Supervisor.objects.update_or_create(
        user=sup_user, defaults={"name": "何奇哲", "title": "水阜镇党委书记（县派督导）", "organization": gaolan}
    )
    supervisor.branches.set([office, shagang1, shagang2, yanerping])
    ctx.users["supervisor"] = sup_user
    return ctx
