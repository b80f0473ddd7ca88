"""Demo data of the branch's year between meetings (issue 18 item 6): fifteen months of 三会一课 and 主题党日
in the demo township's branches, each with its own diligence so that some skip their 支委会 and the
quarterly ranking moves; the township's work tip for this month; the office branch's party groups'
duty lists (activities.duties_demo).

`seed(ctx)` rebuilds the activities it made (recorded_by empty) and keeps any a demo user recorded.
`year_of_activities` is also what seed_scale and the ranking benchmark insert, in bulk."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from organizations.models import Member, Organization

from .duties_demo import seed_duties
from .models import Activity, ActivityAttendance, Kind, WorkTip
from .rhythm import add_months

# (kind, day of the month, topics). Quarterly kinds are held in the quarter's middle month.
MONTHLY = [
    (Kind.COMMITTEE, 5, ["研究部署本月重点工作", "讨论发展党员工作", "研究冬季征兵和防火工作", "研究困难党员帮扶名单"]),
    (Kind.THEME_DAY, 10, ["党员义务耕种", "清理河道和四边三化", "慰问老党员和困难户", "义务清扫老年活动中心"]),
    (Kind.GROUP, 15, ["学习党章和党内法规", "传达支部工作安排", "交流学习体会"]),
]
QUARTERLY = [
    (Kind.ASSEMBLY, 20, ["传达上级会议精神，通报季度工作", "讨论通过年度工作计划", "民主评议党员准备工作"]),
    (Kind.LECTURE, 25, ["学习贯彻党的二十大精神专题党课", "书记讲党课：发挥党员先锋模范作用", "党史学习教育专题党课"]),
]
SERVICES = {
    "党员义务耕种": "义务耕种 31 亩",
    "清理河道和四边三化": "清理河道 2 公里，清运垃圾 3 车",
    "慰问老党员和困难户": "走访慰问老党员、困难户 12 户",
    "义务清扫老年活动中心": "清扫 4 个自然村老年活动中心",
}
LEAVE_REASONS = ["在外务工", "身体原因", "外出学习", "家中有事"]


def year_of_activities(
    *, branch_id: int, groups: list[int], start: dt.date, end: dt.date, diligence: float, rng: random.Random,
    place: str = "",
) -> list[Activity]:
    """The records a branch keeping its rhythm with `diligence` (0–1) would have from `start` to `end`
    (whole months; nothing after `end`): each due meeting is held with that probability."""
    out = []
    month = start.replace(day=1)
    while month <= end:
        planned = [(k, d, t, None) for k, d, t in MONTHLY if k != Kind.GROUP]
        planned += [(Kind.GROUP, 15 + i, MONTHLY[2][2], g) for i, g in enumerate(groups)]
        if month.month % 3 == 2:
            planned += [(k, d, t, None) for k, d, t in QUARTERLY]
        for kind, day, topics, group in planned:
            held_on = month.replace(day=day)
            if held_on > end or rng.random() > diligence:
                continue
            topic = rng.choice(topics)
            out.append(Activity(
                branch_id=branch_id, kind=kind, party_group_id=group, held_on=held_on, topic=topic, place=place,
                service=SERVICES.get(topic, "") if kind == Kind.THEME_DAY else "",
                others_count=rng.choice([0, 0, 5, 12]) if kind == Kind.THEME_DAY else 0,
            ))
        month = add_months(month, 1)
    return out


def _rolls(activities: Iterable[Activity], members: list[Member], rng: random.Random) -> list[ActivityAttendance]:
    rows = []
    for a in activities:
        roll = [m for m in members if a.kind != Kind.GROUP or m.party_group_id == a.party_group_id]
        for m in roll:
            away = rng.random() < 0.12
            status = rng.choice([ActivityAttendance.Status.LEAVE, ActivityAttendance.Status.ABSENT]) if away else (
                ActivityAttendance.Status.LATE if rng.random() < 0.03 else ActivityAttendance.Status.PRESENT)
            rows.append(ActivityAttendance(activity=a, member=m, status=status, reason=rng.choice(LEAVE_REASONS) if away else ""))
    return rows


# The demo township's branches and how well each keeps the rhythm, per quarter back from this one (the last
# value repeats): the office keeps nearly all; 燕儿坪 skips its 支委会 now and then; 砂岗村第一 slipped and is
# catching up; 砂岗村第二 was good and slipped — so the quarterly ranking moves.
DILIGENCE = {
    "office": [0.95, 0.9, 0.95],
    "yanerping": [0.75, 0.8, 0.7],
    "shagang1": [0.85, 0.5, 0.45],
    "shagang2": [0.55, 0.85, 0.9],
}
PLACES = {"office": "水阜镇政府三楼会议室", "yanerping": "燕儿坪村党员活动室", "shagang1": "砂岗村党群服务中心", "shagang2": "砂岗村党群服务中心"}


def seed(ctx) -> None:
    today = ctx.season.anchor
    rng = random.Random(18)
    start = add_months(today.replace(day=1), -14)
    for key, diligence in DILIGENCE.items():
        branch = ctx.orgs[key]
        Activity.objects.filter(branch=branch, recorded_by__isnull=True).delete()
        groups = list(Organization.objects.filter(path__startswith=branch.path, depth=branch.depth + 1, level=Organization.Level.GROUP)
                      .order_by("path").values_list("pk", flat=True))
        members = list(Member.objects.filter(branch=branch, is_active=True).order_by("id"))
        made = []
        # quarter by quarter back from today, each with its own diligence
        quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        q_end, i = today, 0
        while q_end >= start:
            q_start = max(quarter_start, start)
            d = diligence[min(i, len(diligence) - 1)]
            made += year_of_activities(branch_id=branch.pk, groups=groups, start=q_start, end=q_end, diligence=d, rng=rng, place=PLACES[key])
            q_end, quarter_start, i = quarter_start - dt.timedelta(days=1), add_months(quarter_start, -3), i + 1
        made = Activity.objects.bulk_create(made, batch_size=2000)
        ActivityAttendance.objects.bulk_create(_rolls(made, members, rng), batch_size=5000)
    WorkTip.objects.update_or_create(
        organization=ctx.orgs["shuifu"], month=today.replace(day=1),
        defaults={"text": TIP},
    )
    seed_duties(branch=ctx.orgs["office"], today=today)


def reset(ctx) -> None:
    """Nothing to undo before a new season: seed() rebuilds the demo's own records around the new day."""


TIP = """1. 各支部召开支委会，研究年度组织生活会和民主评议党员准备工作。
2. 主题党日：结合冬季防火开展安全巡查，走访慰问老党员、困难党员。
3. 党小组长组织本组党员开展河道养护和卫生保洁，做好记录。
4. 月底前在系统中记录本月三会一课开展情况。"""
