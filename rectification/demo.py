"""Demo data for 会后整改: 水阜镇机关党支部's 2026 annual meeting gets problem lists for its members and
a ledger with items in every status (some overdue, some followed up), so the ledger and cards look real.

Safe to run twice: problems are only added for members who have none of that kind yet (the meetings demo
may already have built them from real criticisms and self-reviews), and items are keyed by
(branch, responsible, title).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from meetings.models import Meeting

from . import services
from .models import FollowUpReview, Problem, RectificationItem

FOUND = [
    ("学习", "理论学习不够系统深入,满足于读原文、记笔记,学用结合不紧密"),
    ("作风", "深入群众不够,到村社走访次数偏少,对群众急难愁盼问题掌握不全"),
    ("担当", "工作中求稳怕乱,遇到矛盾问题有畏难情绪,担当作为不够"),
    ("纪律", "执行组织生活制度不够严格,有时以工作忙为由请假"),
    ("业务", "对分管业务钻研不深,创新思路不多,习惯按老办法办事"),
    ("廉洁", "廉洁自律意识需进一步增强,对身边小节问题警惕不够"),
    ("服务", "为民服务的主动性不强,办理群众诉求存在拖延现象"),
    ("作风", "抓落实的韧劲不足,有的工作布置多、督促少、见效慢"),
]
CRITICISM = [
    "批评与自我批评不够大胆,存在“老好人”思想",
    "开会时经常看手机,学习效果打了折扣",
    "下乡调研走马观花,没有真正沉下去",
    "对年轻同志传帮带不够,工作交接不细致",
    "材料报送多次逾期,影响了全镇工作进度",
    "对群众来电答复不够耐心,语气生硬",
]
# (member, title, measures, days to deadline from today, target status, follow-up result or None)
ITEMS = [
    ("杨丽", "系统学习党的创新理论", "每周集中学习不少于2小时\n每月撰写1篇学习心得\n参加支部专题研讨并发言", 35, "in_progress", None),
    ("杨丽", "深入村社走访群众", "每月到联系村走访不少于4次\n建立走访台账,问题一周内反馈", -6, "in_progress", None),
    ("杨丽", "严格执行组织生活制度", "按时参加三会一课,不无故缺席\n因公请假提前向书记报告", 60, "not_started", None),
    ("李建国", "带头开展批评与自我批评", "每季度与每名支委谈心1次\n组织生活会前逐一征求意见", 20, "pending", None),
    ("王秀兰", "提高材料报送时效", "建立材料报送清单,倒排时间\n每周一核对一次进度", -20, "closed", "consolidated"),
    ("张伟", "加强对年轻干部传帮带", "结对2名年轻干部,每月交流1次\n交接工作列清单、签字确认", -15, "closed", "rebound"),
    ("刘芳", "规范群众来电答复", "制定来电答复规范\n每月抽查10个来电回访", -3, "not_started", None),
    ("陈志强", "下沉一线调研", "每季度形成1篇调研报告\n调研发现问题列入台账跟踪", 45, "in_progress", None),
    ("赵磊", "提升业务能力", "参加县级业务培训2次\n梳理本岗位工作流程图", -10, "pending", None),
    ("黄静", "增强廉洁自律意识", "观看警示教育片并写心得\n每半年自查1次", -30, "closed", None),
    ("周杰", "改进会风学风", "开会期间手机静音上交\n会后撰写学习笔记", 15, "in_progress", None),
    ("吴敏", "加快群众诉求办理", "诉求件3个工作日内答复\n每周梳理未办结事项", -2, "in_progress", None),
    ("孙燕", "主动服务流动党员", "每月与流动党员电话联系\n建立流动党员微信群", 50, "not_started", None),
    ("马超", "按时参加组织生活", "外出期间通过视频参加组织生活\n按月向支部汇报思想", 30, "in_progress", None),
]


def _meeting(ctx) -> Meeting:
    today = timezone.localdate()
    meeting, _ = Meeting.objects.get_or_create(
        branch=ctx.orgs["office"],
        year=2026,
        kind=Meeting.Kind.ANNUAL,
        defaults={"held_on": today - dt.timedelta(days=14), "place": "水阜镇政府三楼会议室"},
    )
    return meeting


def _problems(meeting: Meeting, members: dict) -> None:
    have = set(
        Problem.objects.filter(meeting=meeting, member__isnull=False).values_list("member_id", "source_kind")
    )
    found_kinds = {"self_review", "claimed", "opinion", "added"}
    entries = []
    for i, member in enumerate(members.values()):
        kinds = {k for m, k in have if m == member.pk}
        if not kinds & found_kinds:
            for j in range(3 + i % 3):
                aspect, text = FOUND[(i + j) % len(FOUND)]
                entries.append(services.ProblemEntry(member.pk, text, Problem.SourceKind.ADDED, None, aspect))
        if "criticism" not in kinds:
            for j in range(1 + i % 3):
                text = CRITICISM[(i * 2 + j) % len(CRITICISM)]
                # No source row in the meetings app: this is what the secretary typed from the minutes.
                entries.append(services.ProblemEntry(member.pk, text, Problem.SourceKind.CRITICISM, None, ""))
    services.problem_list_build(meeting=meeting, entries=entries)
    if not Problem.objects.filter(meeting=meeting, member__isnull=True).exists():
        services.problem_add(meeting=meeting, member=None, text="支部班子抓整改落实的督促检查机制不健全", aspect="班子")


MEASURES = {
    "学习": "制定个人学习计划,每周学习不少于2小时\n每季度在支部学习会上交流1次",
    "作风": "每月到联系村社走访不少于2次\n群众反映问题建立台账、限期答复",
    "担当": "主动认领1项难点工作并按月报告进展\n遇到矛盾问题当天向分管领导汇报",
    "纪律": "按时参加组织生活,全年无故缺席为零\n因事请假书面报告",
    "业务": "参加业务培训不少于2次\n梳理本岗位工作流程并提出1条改进建议",
    "廉洁": "签订廉洁承诺书\n每半年对照检查1次",
    "服务": "群众诉求3个工作日内答复\n每月回访1次办理结果",
}


def _plan_for_others(members: dict, meeting: Meeting) -> list[tuple]:
    """Every member without a hand-written item gets one from their first problem, so each card has a back."""
    named = {row[0] for row in ITEMS}
    rows = []
    for i, (name, member) in enumerate(members.items()):
        if name in named:
            continue
        first = Problem.objects.filter(meeting=meeting, member=member).exclude(aspect="").order_by("id").first()
        aspect = first.aspect if first else "学习"
        measures = MEASURES.get(aspect, MEASURES["学习"])
        rows.append((name, f"{aspect}方面问题整改", measures, 30 + (i % 6) * 10, "not_started" if i % 3 == 0 else "in_progress", None))
    return rows


def _user_of(ctx, member):
    return member.user or ctx.users["secretary"]


def seed(ctx) -> None:
    meeting = _meeting(ctx)
    members = ctx.members["office"]
    branch = ctx.orgs["office"]
    secretary = ctx.users["secretary"]
    _problems(meeting, members)
    today = timezone.localdate()
    taken: dict[int, int] = {}
    for name, title, measures, days, status, follow_up in ITEMS + _plan_for_others(members, meeting):
        member = members[name]
        # each of a member's items answers different problems of theirs: the 1st item the first two, …
        nth = taken.get(member.pk, 0)
        taken[member.pk] = nth + 1
        if RectificationItem.objects.filter(branch=branch, responsible=member, title=title).exists():
            continue
        own = Problem.objects.filter(meeting=meeting, member=member, merged_into__isnull=True).order_by("id")
        problems = list(own[nth * 2 : nth * 2 + 2]) or list(own[:1])
        item = services.item_create(
            branch=branch,
            meeting=meeting,
            problems=problems,
            title=title,
            goal=f"{title},做到问题清零、群众满意",
            measures=measures,
            responsible=member,
            deadline=today + dt.timedelta(days=days),
            commitment="我承诺:立行立改、按期完成,接受党员群众监督。",
            actor=secretary,
        )
        actor = _user_of(ctx, member)
        if status == "not_started":
            continue
        services.item_progress_post(item=item, actor=actor, note="已制定个人整改计划,正在按措施逐条落实。")
        if status == "in_progress":
            continue
        services.item_submit(item=item, actor=actor, note="各项措施已完成,请书记核验。")
        if status == "pending":
            continue
        services.rectification_item_close(item=item, actor=secretary, note="经核验,整改措施落实到位。")
        if follow_up:
            services.follow_up_record(
                item=item,
                actor=secretary,
                reviewed_on=today,
                result=follow_up,
                note="回头看抽查:整改成效保持良好。" if follow_up == FollowUpReview.Result.CONSOLIDATED else "交接清单未坚持使用。",
            )
