"""Synthetic data for bench_cards.py: a county whose branches have 30 members each, every member with a
card like seed 000's (front: 7 problems found + 3 criticisms; back: 3 items of 2 measures = 6 rows)."""

from __future__ import annotations

import datetime as dt

FOUND = [
    ("学习", "理论学习不够系统深入，满足于读原文、记笔记，学用结合不紧密"),
    ("作风", "深入群众不够，到村社走访次数偏少，对群众急难愁盼问题掌握不全"),
    ("担当", "工作中求稳怕乱，遇到矛盾问题有畏难情绪，担当作为不够"),
    ("纪律", "执行组织生活制度不够严格，有时以工作忙为由请假"),
    ("业务", "对分管业务钻研不深，创新思路不多，习惯按老办法办事"),
    ("廉洁", "廉洁自律意识需进一步增强，对身边小节问题警惕不够"),
    ("服务", "为民服务的主动性不强，办理群众诉求存在拖延现象"),
    ("作风", "抓落实的韧劲不足，有的工作布置多、督促少、见效慢"),
]
CRITICISM = [
    "批评与自我批评不够大胆，存在“老好人”思想",
    "开会时经常看手机，学习效果打了折扣",
    "下乡调研走马观花，没有真正沉下去",
    "对年轻同志传帮带不够，工作交接不细致",
    "材料报送多次逾期，影响了全镇工作进度",
]
MEASURES = [
    "每周集中学习不少于2小时，每月撰写1篇心得",
    "每月到联系村走访不少于4次，问题一周内反馈",
    "按时参加三会一课，因公请假提前书面报告",
    "建立工作台账，倒排时间，每周一核对进度",
    "诉求件3个工作日内答复，每月回访1次",
    "结对2名年轻干部，每月交流1次",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def build(*, branches: int, members_per_branch: int, last_branch_members: int | None = None) -> dict:
    """Create the county; returns {"county": pk, "first_branch": pk, "first_meeting": pk, "cards": n}."""
    from meetings.models import Meeting
    from organizations.models import Member, Organization
    from rectification.models import Problem, RectificationItem

    county = Organization.add_root(name="基准测试县委", level=Organization.Level.COUNTY)
    town = county.add_child(name="基准测试镇党委", level=Organization.Level.TOWNSHIP)
    deadline = dt.date.today() + dt.timedelta(days=60)
    first_branch = first_meeting = None
    total = 0
    for b in range(branches):
        town.refresh_from_db()
        branch = town.add_child(name=f"基准测试第{b + 1}党支部", level=Organization.Level.BRANCH)
        n = last_branch_members if (last_branch_members is not None and b == branches - 1) else members_per_branch
        members = Member.objects.bulk_create(
            Member(
                branch=branch,
                name=SURNAMES[(b + i) % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7 + b) % len(GIVEN)],
                phone=f"139{b:04d}{i:04d}",
                sex="M" if i % 2 else "F",
                education="bachelor",
            )
            for i in range(n)
        )
        meeting = Meeting.objects.create(branch=branch, year=2026, kind="annual")
        problems = []
        for i, m in enumerate(members):
            for j in range(7):
                aspect, text = FOUND[(i + j) % len(FOUND)]
                problems.append(Problem(meeting=meeting, member=m, text=text, aspect=aspect, source_kind="self_review"))
            for j in range(3):
                problems.append(Problem(meeting=meeting, member=m, text=CRITICISM[(i + j) % len(CRITICISM)], source_kind="criticism"))
        Problem.objects.bulk_create(problems)
        items = []
        for i, m in enumerate(members):
            for j in range(3):
                items.append(
                    RectificationItem(
                        branch=branch,
                        meeting=meeting,
                        responsible=m,
                        title=FOUND[(i + j) % len(FOUND)][1][:14],
                        goal="做到问题清零、群众满意",
                        measures="\n".join(MEASURES[(i + j + k) % len(MEASURES)] for k in range(2)),
                        deadline=deadline + dt.timedelta(days=15 * j),
                        commitment="我承诺：立行立改、按期完成，接受党员群众监督。",
                    )
                )
        RectificationItem.objects.bulk_create(items)
        total += n
        if first_branch is None:
            first_branch, first_meeting = branch.pk, meeting.pk
    return {"county": county.pk, "first_branch": first_branch, "first_meeting": first_meeting, "cards": total}
