"""Demo data for 会后整改: 水阜镇机关党支部's previous annual meeting (held a year before the season's
current one, see `meetings.demo`) has its problem list built from what was recorded there — each member's
self-review problems and the criticisms they received — and a ledger in which every problem has an item
whose title and measures answer it. Deadlines are offsets from the season's anchor, so whatever the day
there are items in every status, some overdue, and follow-up reviews (回头看).

Safe to run twice: items are keyed by (branch, responsible, title).
"""

from __future__ import annotations

from django.utils import timezone

from meetings.demo import COMMITTEE_PROBLEMS, CRITICISMS, PROBLEMS, SEASON_BRANCHES
from meetings.models import Attendance, Meeting
from organizations.demo import MEETING_IN_DAYS

from . import recurrence, services
from .models import Evidence, FollowUpReview, ItemHistory, ItemProgress, Problem, RectificationItem

# The item that answers each problem text: (title, measures).
ANSWERS = {text: (title, measures) for _aspect, text, title, measures in PROBLEMS + COMMITTEE_PROBLEMS}
ANSWERS.update({text: (title, measures) for text, title, measures in CRITICISMS})
# (deadline in days from the season's anchor, status, follow-up result): a member's n-th item takes the
# entry (3 × roster index + n) modulo the list, so 杨丽 (index 5) has an overdue item in progress.
PLAN = [
    (35, "in_progress", None), (-6, "in_progress", None), (60, "not_started", None), (20, "pending", None),
    (-20, "closed", "consolidated"), (-15, "closed", "rebound"), (25, "not_started", None), (45, "in_progress", None),
    (-10, "pending", None), (-30, "closed", None), (15, "in_progress", None), (40, "in_progress", None),
    (50, "not_started", None), (30, "in_progress", None),
]


def _meeting(ctx) -> Meeting:
    return Meeting.objects.get(branch=ctx.orgs["office"], year=ctx.season.last_year, kind=Meeting.Kind.ANNUAL)


def _item(ctx, meeting: Meeting, problem: Problem, responsible, plan: tuple) -> None:
    branch, secretary, season = ctx.orgs["office"], ctx.users["secretary"], ctx.season
    title, measures = ANSWERS[problem.text]
    if RectificationItem.objects.filter(branch=branch, responsible=responsible, title=title).exists():
        return
    days, status, follow_up = plan
    item = services.item_create(
        branch=branch, meeting=meeting, problems=[problem], title=title, goal=f"{title}，做到问题清零、群众满意",
        measures=measures, responsible=responsible, deadline=season.day(days),
        commitment="我承诺：立行立改、按期完成，接受党员群众监督。", actor=secretary,
    )
    actor = responsible.user or secretary
    if status == "not_started":
        return
    services.item_progress_post(item=item, actor=actor, note="已制定个人整改计划，正在按措施逐条落实。")
    if status == "in_progress":
        return
    services.item_submit(item=item, actor=actor, note="各项措施已完成，请书记核验。")
    if status == "pending":
        return
    services.rectification_item_close(item=item, actor=secretary, note="经核验，整改措施落实到位。")
    if follow_up:
        services.follow_up_record(
            # the day it is recorded: the close just stamped today, which may be after the anchor
            item=item, actor=secretary, reviewed_on=timezone.localdate(), result=follow_up,
            note="回头看抽查：整改成效保持良好。" if follow_up == FollowUpReview.Result.CONSOLIDATED else "整改措施未坚持落实，问题有反弹。",
        )


# Issue 20, "屡改屡在": the annual meeting two years before the season's, kept as its problem list and
# ledger only (no record). Three members found there, in other words, a problem they found again last
# year (meetings.demo.last_year_problems): (name, the earlier wording, the earlier item's title, its 回头看).
# 杨丽's closed item rebounded at 回头看 and was closed again — and the problem came back all the same,
# which her card and "my items" show.
EARLIER = [
    ("杨丽", "政治理论学习系统性不强，停留在读原文、抄笔记，联系本职工作思考少", "理论学习列入周计划", "rebound"),
    ("张伟", "接听群众来电态度生硬，缺乏耐心", "规范接听群众来电", "consolidated"),
    ("刘芳", "对年轻同志指导少，传帮带作用发挥不够", "结对帮带年轻同志", None),
]
EARLIER_HELD = MEETING_IN_DAYS - 2 * 364


def _earlier_meeting(ctx) -> Meeting:
    season = ctx.season
    meeting, _created = Meeting.objects.get_or_create(
        branch=ctx.orgs["office"], year=season.last_year - 1, kind=Meeting.Kind.ANNUAL,
        defaults={"held_on": season.day(EARLIER_HELD), "place": "水阜镇政府三楼会议室",
                  "closed_at": season.at(EARLIER_HELD, 11, 30)},
    )
    # A closed meeting was held: its roll is kept (everyone present), as for every held meeting of the demo.
    present = [Attendance(meeting=meeting, member=m) for m in ctx.members["office"].values()]
    Attendance.objects.bulk_create(present, ignore_conflicts=True)
    return meeting


def _earlier(ctx) -> None:
    """The earlier year's problems and items of EARLIER, backdated; then last year's list is linked again."""
    from django.db.models import QuerySet

    meeting, season = _earlier_meeting(ctx), ctx.season
    branch, secretary, members = ctx.orgs["office"], ctx.users["secretary"], ctx.members["office"]
    for name, text, title, follow_up in EARLIER:
        member = members[name]
        problem = Problem.objects.filter(meeting=meeting, member=member, text=text).first()
        problem = problem or services.problem_add(meeting=meeting, member=member, text=text, aspect="")
        if RectificationItem.objects.filter(branch=branch, responsible=member, title=title).exists():
            continue
        item = services.item_create(
            branch=branch, meeting=meeting, problems=[problem], title=title, goal=f"{title}，做到问题清零",
            measures="每周列出计划\n每月向支部报告一次", responsible=member, deadline=season.day(EARLIER_HELD + 60),
            commitment="我承诺：按期整改到位。", actor=secretary,
        )
        actor = member.user or secretary
        closed = season.day(EARLIER_HELD + 50)
        for round_ in (1, 2) if follow_up == "rebound" else (1,):
            services.item_progress_post(item=item, actor=actor, note="已按措施落实。")
            services.item_submit(item=item, actor=actor, note="请书记核验。")
            services.rectification_item_close(item=item, actor=secretary, note="经核验，整改到位。")
            if round_ == 2:
                closed = season.day(EARLIER_HELD + 150)
            RectificationItem.objects.filter(pk=item.pk).update(closed_at=season.at((closed - season.anchor).days, 10))
            item.refresh_from_db()
            if follow_up and round_ == 1:
                services.follow_up_record(
                    item=item, actor=secretary, reviewed_on=season.day(EARLIER_HELD + 120), result=follow_up,
                    note="回头看抽查：整改成效保持良好。" if follow_up == "consolidated" else "学习计划没有坚持，问题有反弹。",
                )
                item.refresh_from_db()
        # The log is append-only for the app; the demo dates its rows to when the story says they happened.
        QuerySet(model=ItemHistory).filter(item=item).update(at=season.at((closed - season.anchor).days, 10))
    recurrence.link_meeting(meeting=_meeting(ctx))


def seed(ctx) -> None:
    meeting = _meeting(ctx)
    members = ctx.members["office"]
    problems = Problem.objects.filter(meeting=meeting, merged_into__isnull=True).order_by("id")
    by_member: dict[int | None, list[Problem]] = {}
    for problem in problems:
        by_member.setdefault(problem.member_id, []).append(problem)
    for i, member in enumerate(members.values()):
        for n, problem in enumerate(by_member.get(member.pk, [])):
            _item(ctx, meeting, problem, member, PLAN[(3 * i + n) % len(PLAN)])
    for n, problem in enumerate(by_member.get(None, [])):
        _item(ctx, meeting, problem, members["李建国"], PLAN[(n + 7) % len(PLAN)])
    _earlier(ctx)


def reset(ctx) -> None:
    """Remove the season's ledger so that it is built anew. The history is append-only for the app (its
    manager refuses deletes); a demo season being rebuilt is the one place where it goes, with its items."""
    from django.db.models import QuerySet

    branches = [ctx.orgs[key] for key in SEASON_BRANCHES]
    items = RectificationItem.objects.filter(branch__in=branches)
    QuerySet(model=ItemHistory).filter(item__in=items).delete()
    FollowUpReview.objects.filter(item__in=items).delete()
    Evidence.objects.filter(progress__item__in=items).delete()
    ItemProgress.objects.filter(item__in=items).delete()
    items.delete()
    Problem.objects.filter(meeting__branch__in=branches).delete()
