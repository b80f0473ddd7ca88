"""Demo meetings (safe to run again: rows are found by their natural keys and updated in place).

Every date of 水阜镇's meetings is an offset from the season's anchor (`ctx.season`, the day the season
was built; see `organizations.demo.Season`), so the story is the same on any day of the year:

- 水阜镇机关党支部's current annual meeting (year `season.year`, held 15 days after the anchor), part-way
  through phase 1: opinions still open (some claimed and answered, two gathered at forums, one with the
  demo supervisor 何奇哲 who answered on the spot), talks done and missing, self-reviews submitted /
  returned / drafts / missing; the demo `member` (杨丽) has to-dos.
- 水阜镇机关党支部's previous annual meeting, held a year earlier and fully recorded (attendance,
  criticisms and self-criticisms, every member's approved self-review, the supervisor's 点评), closed:
  its problem list is what the rectification demo works on, and 杨丽's earlier problems make her
  repeated one flagged this year.
- 安岳县青少年宫支部's 2020 annual meeting (seed 002), held 2021-03-15 and fully recorded: a record of the
  past that keeps its historical dates.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.demo import MEETING_IN_DAYS
from organizations.models import Supervisor

from . import services
from .models import (
    Attendance,
    ClaimedProblem,
    Commitment,
    Criticism,
    Forum,
    Meeting,
    MeetingComment,
    Opinion,
    OpinionClaim,
    SelfReview,
    SelfReviewProblem,
    StudySession,
    Talk,
)

D = dt.date
ASPECTS = Meeting._meta.get_field("review_aspects").default()
# The demo branches of 皋兰县 whose meetings follow the season (安岳's seed-002 meeting does not).
SEASON_BRANCHES = ("office", "shagang1", "shagang2", "yanerping")

def _aware(date: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, dt.time(hour, minute)))


def _meeting(branch, year: int, **fields) -> Meeting:
    supervisors = fields.pop("supervisors", [])
    recorders = fields.pop("recorders", [])
    meeting, _created = Meeting.objects.get_or_create(branch=branch, year=year, kind=Meeting.Kind.ANNUAL, defaults=fields)
    for key, value in fields.items():
        setattr(meeting, key, value)
    meeting.save()
    meeting.supervisors.set(supervisors)
    meeting.recorders.set(recorders)
    return meeting


def _study(meeting, held_on, topic, form, materials, attendees) -> StudySession:
    session, _created = StudySession.objects.update_or_create(
        meeting=meeting, held_on=held_on, topic=topic, defaults={"form": form, "materials": materials}
    )
    session.attendees.set(attendees)
    return session


def _forum(meeting, held_on, topic, *, place, members, others, supervisors=(), notes="") -> Forum:
    forum, _created = Forum.objects.update_or_create(
        meeting=meeting, held_on=held_on, topic=topic,
        defaults={"place": place, "member_participants": members, "other_participants": others, "notes": notes},
    )
    forum.supervisors.set(supervisors)
    return forum


def _opinion(meeting, text, *, channel, received_on, target=None, anonymous=True, author=None, author_label="",
             category="", claimants=(), status="open", answer="", answered_by=None, forum=None,
             on_the_spot=False) -> Opinion:
    opinion = Opinion.objects.filter(meeting=meeting, text=text).first()
    if opinion is None:
        opinion = services.opinions.opinion_submit(
            meeting=meeting, text=text, channel=channel, is_anonymous=anonymous, author_member=author,
            author_label=author_label, target_member=target, category=category, received_on=received_on,
            forum=forum,
        )
    answered_on = received_on if on_the_spot else received_on + dt.timedelta(days=3)
    Opinion.objects.filter(pk=opinion.pk).update(
        category=category, status=status, answer=answer, forum=forum,
        answered_on=answered_on if status != "open" else None,
        answered_by=answered_by if status != "open" else None,
    )
    for member in claimants:
        OpinionClaim.objects.get_or_create(
            opinion=opinion, member=member, defaults={"claimed_on": received_on + dt.timedelta(days=1)}
        )
    OpinionClaim.objects.filter(opinion=opinion).exclude(member__in=list(claimants)).delete()
    return opinion


def _talk(meeting, a, b, held_on, topics, summary="", other_kind="", other_name="") -> Talk:
    talk, _created = Talk.objects.update_or_create(
        meeting=meeting, member_a=a, member_b=b, other_kind=other_kind, held_on=held_on,
        defaults={"topics": topics, "summary": summary, "other_name": other_name},
    )
    return talk


def _review(meeting, member, status, problems, *, root_causes="", measures="", direction="", comment="",
            submitted_on: dt.date | None = None) -> SelfReview:
    kind = SelfReview.Kind.COMMITTEE if member is None else SelfReview.Kind.MEMBER
    review, _created = SelfReview.objects.get_or_create(meeting=meeting, member=member, kind=kind)
    review.status = status
    review.root_causes, review.measures, review.direction, review.secretary_comment = root_causes, measures, direction, comment
    review.submitted_at = _aware(submitted_on, 20) if submitted_on and status != "draft" else None
    review.reviewed_at = _aware(submitted_on + dt.timedelta(days=1), 10) if submitted_on and status in ("approved", "returned") else None
    review.save()
    existing = list(review.problems.order_by("position", "id"))
    for i, (aspect, text, measure) in enumerate(problems):
        row = existing[i] if i < len(existing) else SelfReviewProblem(review=review)
        row.position, row.aspect, row.text, row.measure = i, aspect, text, measure
        row.save()
    SelfReviewProblem.objects.filter(pk__in=[r.pk for r in existing[len(problems):]]).delete()
    return review


# ---------------------------------------------------------------- 水阜镇机关党支部
# Problems members find in their self-reviews: (aspect index, problem, the rectification item's title and
# measures). The rectification demo takes titles and measures from here, so each item matches its problem.
PROBLEMS = [
    (0, "理论学习不够深入，满足于读文件、记笔记，联系实际思考不多", "系统学习党的创新理论",
     "每周集中学习不少于2小时\n每月撰写1篇学习心得\n参加支部专题研讨并发言"),
    (2, "下村入户少，对群众反映的问题跟进不及时", "深入村社走访群众", "每月到联系村走访不少于4次\n建立走访台账，问题一周内反馈"),
    (1, "执行组织生活制度不够严格，有时以工作忙为由请假", "严格执行组织生活制度", "按时参加三会一课，不无故缺席\n因公请假提前向书记报告"),
    (3, "工作标准不高，材料报送多次出现差错", "提高材料报送质量", "建立报送台账，交叉校对\n每周一核对一次进度"),
    (3, "对党员教育管理抓得不严，流动党员联系不经常", "加强流动党员联系", "每月与流动党员视频联系一次\n建立流动党员微信群"),
    (2, "为民服务的主动性不强，办理群众诉求存在拖延现象", "加快群众诉求办理", "诉求件3个工作日内答复\n每周梳理未办结事项"),
    (3, "工作中求稳怕乱，遇到矛盾问题有畏难情绪", "主动担当攻坚克难", "主动认领1项难点工作并按月报告进展\n遇到矛盾问题当天向分管领导汇报"),
    (4, "对分管业务钻研不深，习惯按老办法办事", "提升业务能力", "参加县级业务培训2次\n梳理本岗位工作流程图并提出1条改进建议"),
    (5, "廉洁自律意识不够强，对身边小节问题警惕不够", "增强廉洁自律意识", "签订廉洁承诺书\n每半年对照检查1次"),
    (4, "抓落实的韧劲不足，有的工作布置多、督促少", "抓好工作落实", "重点工作建立清单，每周跟踪一次\n逾期事项当天说明原因"),
    (0, "学用结合不紧，学习体会停留在表面", "学以致用推动工作", "每季度结合分管工作写1篇调研体会\n在支部学习会上交流1次"),
    (5, "开会时经常看手机，会风会纪不够严", "改进会风学风", "开会期间手机静音\n会后撰写学习笔记"),
    (2, "对群众来电答复不够耐心，语气生硬", "规范群众来电答复", "制定来电答复规范\n每月抽查10个来电回访"),
    (4, "对年轻同志传帮带不够，工作交接不细致", "加强对年轻干部传帮带", "结对2名年轻干部，每月交流1次\n交接工作列清单、签字确认"),
]
# Criticisms received at last year's meeting: (criticism, item title, measures).
CRITICISMS = [
    ("批评与自我批评不够大胆，存在“老好人”思想", "敢于开展批评与自我批评", "组织生活会上至少对两名同志提出具体批评\n每季度与支委谈心1次"),
    ("下乡调研走马观花，没有真正沉下去", "下沉一线调研", "每季度形成1篇调研报告\n调研发现问题列入台账跟踪"),
    ("材料报送多次逾期，影响了全镇工作进度", "按时报送材料", "倒排报送时间表\n逾期当天说明原因"),
    ("对群众反映的问题回复拖沓，没有给人家一个准信", "限时回复群众诉求", "群众反映问题3个工作日内回复\n每月回访一次办理结果"),
    ("参加集体学习不够积极，发言准备不充分", "积极参加集体学习", "每次集体学习前准备发言提纲\n全年交流发言不少于2次"),
    ("分配的工作有时要催才动，主动性不够", "增强工作主动性", "每周一列出本周工作清单\n完成情况周五报告"),
]
COMMITTEE_PROBLEMS = [
    (3, "支部班子抓党员教育管理的办法不多，流动党员管理有空档", "建立流动党员联系台账", "建立流动党员联系台账\n每月通报一次联系情况"),
    (2, "班子成员下村调研次数偏少", "班子成员常态化下村调研", "班子成员每周至少下村一次\n每月通报下村情况"),
]
ROOT_CAUSES = [
    "宗旨意识有所淡化，自我要求有所放松。",
    "理论武装不够，学习的自觉性不强。",
    "担当精神不足，满足于完成任务。",
    "对群众的感情不够深，服务意识不强。",
]
DIRECTIONS = ["做一名合格党员。", "以更高标准做好本职工作。", "在岗位上亮身份、作表率。"]


def last_year_problems(i: int) -> list[tuple]:
    """The two problems member i (in roster order) found a year ago: no two members share the same pair."""
    first = (i + 9) % len(PROBLEMS)
    return [PROBLEMS[first], PROBLEMS[(first + 1 + 4 * (i // len(PROBLEMS))) % len(PROBLEMS)]]


def this_year_problems(i: int) -> list[tuple]:
    """This year's two: none repeats the member's own from last year (杨丽's draft adds the repeat)."""
    first = (i + 4) % len(PROBLEMS)
    return [PROBLEMS[first], PROBLEMS[(first + 3 + 4 * (i // len(PROBLEMS))) % len(PROBLEMS)]]


def criticisms_received(i: int, n: int) -> list[tuple[int, tuple]]:
    """(giver's roster index, criticism) for member i of n: one each, a second for every third member."""
    received = [((i + 3) % n, CRITICISMS[i % len(CRITICISMS)])]
    if i % 3 == 0:
        received.append(((i + 7) % n, CRITICISMS[(i + 4) % len(CRITICISMS)]))
    return received


def _review_rows(problems) -> list[tuple[str, str, str]]:
    return [(ASPECTS[aspect], text, measures.split("\n")[0]) for aspect, text, _title, measures in problems]


def _last_year(ctx, supervisor) -> Meeting:
    """The previous annual meeting, held a year before this one and recorded in full, then closed."""
    office, m, season = ctx.orgs["office"], ctx.members["office"], ctx.season
    held = MEETING_IN_DAYS - 364  # the same weekday a year earlier
    meeting = _meeting(
        office, season.last_year, held_on=season.day(held), starts_at=dt.time(9, 0), place="水阜镇政府三楼会议室",
        opinions_close_on=season.day(held - 11), talks_due_on=season.day(held - 7),
        self_reviews_due_on=season.day(held - 4), ballot_closes_at=season.at(held, 17),
        rectification_plans_due_on=season.day(held + 19), talk_rule_set=Meeting.TalkRuleSet.THREE,
        supervisors=[supervisor], recorders=[m["刘芳"]],
    )
    names = list(m)
    for i, name in enumerate(names):
        _review(meeting, m[name], "approved", _review_rows(last_year_problems(i)),
                root_causes=ROOT_CAUSES[i % len(ROOT_CAUSES)], measures="按问题清单逐项整改，明确完成时限。",
                direction=DIRECTIONS[i % len(DIRECTIONS)], submitted_on=season.day(held - 6 + i % 3))
    _review(meeting, None, "approved", _review_rows(COMMITTEE_PROBLEMS), root_causes="班子对基层党建工作重视不够。",
            measures="按问题清单逐项整改。", direction="建设过硬党支部。", submitted_on=season.day(held - 3))
    if meeting.closed_at is not None:
        return meeting
    # 三个必谈, all done: committee members pairwise, each member with a committee member and with the next.
    committee = [p for p in m.values() if p.is_committee]
    talked = [(a, b) for k, a in enumerate(committee) for b in committee[k + 1:]]
    ordinary = [p for p in m.values() if not p.is_committee]
    talked += [(committee[k % len(committee)], p) for k, p in enumerate(ordinary)]
    talked += [(p, ordinary[(k + 1) % len(ordinary)]) for k, p in enumerate(ordinary) if k % 2 == 0]
    for k, (a, b) in enumerate(talked):
        _talk(meeting, a, b, season.day(held - 20 + k % 12), "交流思想，相互提醒", "相互指出了不足。")
    services.record.agenda_ensure_default(meeting=meeting)
    away = {"马超": "在外地务工", "谢勇": "在外地务工"}
    for name, member in m.items():
        Attendance.objects.update_or_create(
            meeting=meeting, member=member,
            defaults={"status": "leave" if name in away else "present", "reason": away.get(name, "")},
        )
    meeting.supervisors_present.set([supervisor])
    for i, name in enumerate(names):
        if name not in away:
            own = last_year_problems(i)[0][1]
            _criticism(meeting, m[name], m[name], f"对照检查：{own}。", is_self=True)
        for giver, (text, _title, _measures) in criticisms_received(i, len(names)):
            while names[giver] in away or giver == i:  # only those present speak
                giver = (giver + 1) % len(names)
            _criticism(meeting, m[names[giver]], m[name], text)
    MeetingComment.objects.update_or_create(
        meeting=meeting, kind=MeetingComment.Kind.SUPERVISOR, supervisor=supervisor,
        defaults={"text": "相互批评点到了具体事，整改措施要能量化、可检查。"},
    )
    meeting.closing_statement = "对大家提出的批评意见全部认领，逐条制定整改措施，按期整改到位。"
    meeting.save(update_fields=["closing_statement"])
    services.record.meeting_record_close(meeting=meeting)  # its problem list: lifecycle.demo
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=season.at(held, 11, 30))
    meeting.refresh_from_db()
    return meeting


def _shuifu(ctx) -> tuple[Meeting, Meeting]:
    office = ctx.orgs["office"]
    m = ctx.members["office"]
    season = ctx.season
    day = season.day
    supervisor = Supervisor.objects.get(user=ctx.users["supervisor"])
    last_year = _last_year(ctx, supervisor)

    meeting = _meeting(
        office, season.year, held_on=season.meeting_day, starts_at=dt.time(9, 0), place="水阜镇政府三楼会议室",
        basis=f"中共皋兰县委组织部《关于召开{season.year}年度基层党组织组织生活会和开展民主评议党员工作的通知》",
        excellent_quota_numerator=3, excellent_quota_denominator=10, opinions_close_on=day(7), talks_due_on=day(4),
        self_reviews_due_on=day(8), ballot_closes_at=season.at(MEETING_IN_DAYS, 17),
        rectification_plans_due_on=day(MEETING_IN_DAYS + 15), talk_rule_set=Meeting.TalkRuleSet.THREE,
        claim_target_member=3, claim_target_committee=5, supervisors=[supervisor], recorders=[m["刘芳"]],
        closed_at=None, ready_at=None, ready_note="",
    )

    names = list(m)
    everyone = [m[n] for n in names]
    _study(meeting, day(-19), "学习党的最新理论成果和上级会议精神", "书记领读、交流发言", "《中国共产党支部工作条例（试行）》；会议公报",
           [p for p in everyone if p.name not in ("马超", "谢勇", "韩冬")])
    _study(meeting, day(-7), "对照党章党规找差距", "分组自由讨论", "《中国共产党章程》；《关于新形势下党内政治生活的若干准则》",
           [p for p in everyone if p.name not in ("马超", "谢勇", "罗霞", "徐军", "曹阳")])

    secretary, deputy, zhang, liu, chen = m["李建国"], m["王秀兰"], m["张伟"], m["刘芳"], m["陈志强"]
    yang = m["杨丽"]
    ops = [
        ("班子成员下村调研次数偏少，对村里的饮水工程进度掌握不够。", "visit", -16, None, "style", [secretary, deputy], "answered",
         "已安排班子成员每周轮流下村，饮水工程进度每周通报。"),
        ("党员活动日有时流于形式，学习内容与镇里工作结合不紧。", "forum", -15, None, "organization", [secretary, zhang], "resolved",
         "已调整主题党日安排，每次结合一项中心工作。"),
        ("办事大厅中午休息时没人值班，群众白跑一趟。", "box", -14, None, "service", [deputy], "open", ""),
        ("流动党员参加组织生活的渠道太少，希望多用微信群。", "wechat", -13, None, "organization", [zhang], "answered",
         "已建立流动党员微信群，每月线上学习一次。"),
        ("民政窗口办理低保审核时，对群众的解释不够耐心。", "public", -12, yang, "service", [], "open", ""),
        ("低保办理进度希望能在村务公开栏及时公示。", "public", -11, yang, "service", [], "open", ""),
        ("镇机关开会太多，有的会可以合并。", "member", -11, None, "style", [secretary, chen], "open", ""),
        ("宣传栏内容更新不及时，有的还是去年的。", "box", -10, chen, "work", [chen], "answered", "已全部更新，每月一换。"),
        ("纪检委员对干部上班期间玩手机的现象提醒不够。", "member", -9, liu, "integrity", [liu], "open", ""),
        ("希望支部多组织到先进村学习观摩。", "forum", -8, None, "", [], "open", ""),
        ("党费收缴公示不够及时。", "member", -8, zhang, "organization", [zhang], "resolved", "已按季度公示。"),
        ("有的干部对群众来电推诿，说不归自己管。", "public", -7, None, "", [], "open", ""),
        ("机关食堂浪费现象需要管一管。", "box", -6, None, "", [], "open", ""),
        ("年轻干部下村时对政策解读不够准确。", "visit", -5, m["赵磊"], "work", [m["赵磊"]], "open", ""),
        ("建议把群众反映问题的办理结果定期反馈。", "public", -2, None, "", [], "open", ""),
        ("支部书记对青年党员的思想关心不够。", "member", -1, secretary, "politics", [], "open", ""),
    ]
    # The forum-channel opinions above were heard at these two forums (座谈会).
    forums = {
        -15: _forum(
            meeting, day(-15), "机关党员座谈会：听取对支部班子的意见", place="水阜镇政府三楼会议室",
            members=22, others=0, supervisors=[supervisor],
            notes="督导何奇哲参加，对主题党日流于形式的意见当场作了答复，支部随后调整了安排。",
        ),
        -8: _forum(meeting, day(-8), "服务对象和村干部座谈会", place="水阜村村委会", members=6, others=11),
    }
    for i, (text, channel, offset, target, category, claimants, status, answer) in enumerate(ops):
        named = channel == "member" and i % 2 == 0
        _opinion(
            meeting, text, channel=channel, received_on=day(offset), target=target, anonymous=not named,
            author=m["孙燕"] if named else None, category=category, claimants=claimants, status=status, answer=answer,
            answered_by=claimants[0] if claimants and status != "open" else None,
            forum=forums.get(offset) if channel == "forum" else None, on_the_spot=channel == "forum",
        )

    # Talks: every committee pair but one, most members with a committee member, some members with each other.
    committee = [secretary, deputy, zhang, liu, chen]
    pairs = [(a, b) for i, a in enumerate(committee) for b in committee[i + 1:]]
    for i, (a, b) in enumerate(pairs[:-1]):
        _talk(meeting, a, b, day(-23 + i % 10), "交流班子建设和分管工作中的问题",
              "相互指出了工作中的不足，约定在会上开门见山地批评。")
    ordinary = [p for p in everyone if not p.is_committee]
    for i, p in enumerate(ordinary):
        if p.name in ("杨丽", "马超", "谢勇", "韩冬", "冯丹", "曹阳"):
            continue
        _talk(meeting, committee[i % len(committee)], p, day(-23 + i % 15), "听取对班子的意见，谈思想和工作",
              "谈了工作中的困难，提出了意见建议。")
    for a, b in [("赵磊", "黄静"), ("周杰", "吴敏"), ("孙燕", "朱红"), ("胡斌", "郭婷"), ("何平", "高洁"), ("林涛", "郑刚")]:
        _talk(meeting, m[a], m[b], day(-9), "相互提醒，交流思想", "互相指出了不足。")

    # Self-reviews: 14 submitted (9 approved), 2 returned, 4 drafts (杨丽 among them), the rest not started.
    approved = ["李建国", "王秀兰", "张伟", "刘芳", "陈志强", "周杰", "吴敏", "孙燕", "朱红"]
    submitted = ["胡斌", "郭婷", "何平", "高洁", "林涛"]
    returned = ["赵磊", "黄静"]
    drafts = ["杨丽", "郑刚", "梁雪", "宋梅"]
    for name in approved + submitted:
        i = names.index(name)
        _review(
            meeting, m[name], "approved" if name in approved else "submitted", _review_rows(this_year_problems(i)),
            root_causes=ROOT_CAUSES[(i + 1) % len(ROOT_CAUSES)], measures="对照问题清单逐项整改，一个月内完成。",
            direction=DIRECTIONS[(i + 1) % len(DIRECTIONS)], submitted_on=day(-10 + i % 8),
        )
    for name in returned:
        _review(
            meeting, m[name], "returned",
            [(ASPECTS[0], "学习不够深入", "进一步加强学习")],
            root_causes="放松了学习。", measures="尽量多学习。",
            comment="问题写得太笼统，请结合具体工作举例；措施要写明做什么、什么时候完成。", submitted_on=day(-5),
        )
    _review(
        meeting, yang, "draft",
        [(ASPECTS[0], "理论学习不够深入，满足于读文件、记笔记，联系实际思考不多", "尽量每天学习半小时"),
         (ASPECTS[2], "窗口服务中对群众解释政策不够耐心", "")],
        root_causes="对自己要求不严。", measures="争取在明年上半年改正。",
    )
    for name in drafts[1:]:
        _review(meeting, m[name], "draft", [(ASPECTS[3], this_year_problems(names.index(name))[0][1], "")])
    # Keep reviews of members not named above out (a second run must not leave extras behind).
    SelfReview.objects.filter(meeting=meeting, kind=SelfReview.Kind.MEMBER).exclude(
        member__name__in=approved + submitted + returned + drafts
    ).delete()
    _review(
        meeting, None, "draft",
        [(ASPECTS[3], "支部班子落实“三会一课”制度不够经常，有时以会代学", "每月固定主题党日，会前明确主题"),
         (ASPECTS[2], "班子回应群众关切不够及时，意见办理结果反馈少", "群众意见办理结果每月公开一次")],
        root_causes="班子对基层党建工作重视不够。", measures="按问题清单逐项整改。", direction="建设过硬党支部。",
    )
    return last_year, meeting


# ---------------------------------------------------------------- 安岳县青少年宫支部 (seed 002)
def _zuo_xiangju(ctx) -> Supervisor:
    """Seed 002's supervisor. She has an account with no usable password (not one of the demo logins)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username="zuoxiangju")
    if created or user.has_usable_password():
        user.set_unusable_password()
        user.save()
    supervisor, _created = Supervisor.objects.update_or_create(
        user=user, defaults={"name": "左香菊", "title": "共青团安岳县教育和体育局副书记", "organization": ctx.orgs["anyue_edu"]}
    )
    supervisor.branches.set([ctx.orgs["palace"]])
    return supervisor


def _palace(ctx) -> Meeting:
    palace = ctx.orgs["palace"]
    m = ctx.members["palace"]
    zuo = _zuo_xiangju(ctx)
    meeting = _meeting(
        palace, 2020, held_on=D(2021, 3, 15), starts_at=dt.time(9, 0), place="安岳县青少年宫底楼会议室",
        basis="中共安岳县委组织部《关于召开2020年度基层党组织组织生活会和开展民主评议党员的通知》（安组通〔2021〕4号）",
        excellent_quota_numerator=3, excellent_quota_denominator=10, opinions_close_on=D(2021, 3, 10), talks_due_on=D(2021, 3, 10),
        self_reviews_due_on=D(2021, 3, 12), ballot_closes_at=_aware(D(2021, 3, 15), 12),
        rectification_plans_due_on=D(2021, 3, 31), talk_rule_set=Meeting.TalkRuleSet.FOUR, supervisors=[zuo],
        ready_at=_aware(D(2021, 3, 13), 10), ready_note="",
    )
    everyone = list(m.values())
    _study(meeting, D(2021, 3, 5), "学习习近平新时代中国特色社会主义思想和党的十九大精神",
           "支部书记领读、分组自由讨论、相互学习交流", "《中国共产党支部工作条例（试行）》；《关于新形势下党内政治生活的若干准则》", everyone)

    deng, jiang, peng = m["邓文华"], m["蒋丽萍"], m["彭宇"]
    ops = [
        ("支部班子对党员教育管理抓得不够经常。", "talk", D(2021, 3, 3), None, "organization", [deng], "resolved", "已制定年度党员学习计划，每月集中学习一次。"),
        ("希望青少年宫周末课程能多安排公益场次。", "visit", D(2021, 3, 4), None, "service", [deng, peng], "answered", "周末公益课程已由每月 2 场增加到 4 场。"),
        ("党费收缴和使用情况公示不够及时。", "form", D(2021, 3, 5), jiang, "integrity", [jiang], "resolved", "已按季度在公示栏公开。"),
        ("宣传工作对青少年宫的特色活动宣传不够。", "form", D(2021, 3, 6), peng, "work", [peng], "answered", "已开设微信公众号专栏。"),
        ("退休党员参加组织生活不方便，希望提前通知。", "talk", D(2021, 3, 8), None, "organization", [deng, m["魏国华"]], "resolved", "已建立退休党员联系制度，活动提前三天电话通知。"),
    ]
    for text, channel, day, target, category, claimants, status, answer in ops:
        _opinion(meeting, text, channel=channel, received_on=day, target=target, category=category,
                 claimants=claimants, status=status, answer=answer, answered_by=claimants[0])

    # 四个必谈 (seed 002), all done in early March.
    _talk(meeting, deng, jiang, D(2021, 3, 1), "班子成员之间：交流班子建设存在的问题", "相互提出了意见。")
    _talk(meeting, deng, peng, D(2021, 3, 1), "班子成员之间：交流宣传工作", "相互提出了意见。")
    _talk(meeting, jiang, peng, D(2021, 3, 2), "班子成员之间：交流纪检和宣传工作", "相互提出了意见。")
    _talk(meeting, deng, None, D(2021, 3, 3), "分管领导与支部书记谈心", "分管领导指出了支部工作中的不足。",
          other_kind="leader", other_name="中共安岳县教育工作委员会分管领导")
    _talk(meeting, m["曾庆华"], m["袁小琴"], D(2021, 3, 4), "党员之间：相互提醒", "互相指出了不足。")
    _talk(meeting, m["董明"], m["程刚"], D(2021, 3, 5), "党员之间：相互提醒", "互相指出了不足。")
    _talk(meeting, m["程刚"], m["魏国华"], D(2021, 3, 6), "党员之间：看望退休党员，听取意见", "听取了退休党员的意见。")
    _talk(meeting, deng, None, D(2021, 3, 8), "支部书记与服务对象谈心：听取学员家长意见", "家长希望增加公益课程。",
          other_kind="recipient", other_name="青少年宫学员家长代表")

    problems = {
        "邓文华": [(ASPECTS[3], "抓支部班子自身建设用力不够，党建与业务工作结合不紧", "每季度专题研究一次党建工作")],
        "蒋丽萍": [(ASPECTS[5], "对党员日常监督提醒不够经常", "每月开展一次廉政提醒")],
        "彭宇": [(ASPECTS[4], "宣传工作创新不够，青少年宫特色宣传不足", "3 月底前开设公众号专栏")],
        "曾庆华": [(ASPECTS[0], "政治理论学习不够系统，学用结合不紧", "每周写一篇学习体会")],
        "袁小琴": [(ASPECTS[2], "为学员和家长服务的意识还需增强，回复咨询不及时", "家长咨询 24 小时内答复")],
        "董明": [(ASPECTS[3], "工作中存在等靠思想，主动作为不够", "每月主动认领一项重点工作")],
        "程刚": [(ASPECTS[4], "在岗位上发挥党员先锋模范作用不明显", "在教学岗位亮身份、作表率")],
        "魏国华": [(ASPECTS[1], "退休后参加组织生活不够经常", "每月至少参加一次支部活动")],
    }
    for name, rows in problems.items():
        _review(meeting, m[name], "approved", rows, root_causes="理想信念和宗旨意识有所淡化，自我要求有所放松。",
                measures="对照问题逐项整改，明确时限。", direction="做一名合格党员。", submitted_on=D(2021, 3, 11))
    _review(
        meeting, None, "approved",
        [(ASPECTS[1], "执行上级党组织决定有时不够及时", "上级部署 3 个工作日内研究落实"),
         (ASPECTS[3], "严格党的组织生活制度不够，“三会一课”有时流于形式", "每月固定主题党日，会前明确主题")],
        root_causes="支部班子对党建工作重视不够。", measures="按清单整改，做到“四明确一承诺”。", direction="建设过硬党支部。",
        submitted_on=D(2021, 3, 12),
    )
    return meeting


# Seed 002's "下一步工作打算", abridged.
PALACE_NEXT_STEPS = """1.抓好问题整改落实，转变作风提高素质。针对查摆出的问题和相互批评的意见，全面分析归类，制定整改落实方案，做到“四明确一承诺”，即明确整改落实的目标、措施、责任、时限，并及时向群众作出公开承诺。
2.强化服务基层意识，落实党建主体责任。以支部建设、党员管理、党费收缴等为重点，共同研究破解基层党建工作难题，真正把党建工作主体责任落到实处。
3.坚持制度管党管人，夯实党建基础工作。对党员履行职责情况每季考核打分和汇总通报，考核情况作为评选和推荐优秀党员的重要依据。"""


def _criticism(meeting, giver, receiver, text, *, is_self=False) -> Criticism:
    criticism, _created = Criticism.objects.get_or_create(
        meeting=meeting, giver=giver, receiver=receiver, is_self=is_self, text=text
    )
    return criticism


def _palace_record(ctx, meeting: Meeting) -> None:
    """Seed 002's meeting as it would have been recorded live: five items, everyone present, criticisms
    and self-criticisms, claims, commitments, the secretary's comments, 左香菊's 点评 and the closing."""
    m = ctx.members["palace"]
    services.record.agenda_ensure_default(meeting=meeting)
    for member in m.values():
        Attendance.objects.update_or_create(meeting=meeting, member=member, defaults={"status": "present", "reason": ""})
    meeting.supervisors_present.set(meeting.supervisors.all())
    deng, jiang, peng = m["邓文华"], m["蒋丽萍"], m["彭宇"]
    # 1. The secretary's self-review for the committee; members' opinions to the committee.
    _criticism(meeting, m["曾庆华"], None, "支部班子组织党员集中学习次数偏少，学习形式单一")
    _criticism(meeting, m["魏国华"], None, "对退休党员关心不够，组织活动时通知不及时")
    # 2. Committee members and members: self-criticism, criticism of each other.
    selfs = {
        "邓文华": "作为支部书记，抓党建与抓业务结合不紧，对支部班子自身建设用力不够。",
        "蒋丽萍": "履行纪检委员职责不够主动，对党员日常监督提醒不经常。",
        "彭宇": "宣传工作满足于完成任务，创新意识不强。",
        "曾庆华": "理论学习不够系统，学用结合不紧。",
        "袁小琴": "服务学员和家长的意识不够强。",
        "董明": "工作中有等靠思想，主动作为不够。",
        "程刚": "在教学岗位上亮身份、作表率不够。",
        "魏国华": "退休后参加组织生活不够经常。",
    }
    for name, text in selfs.items():
        _criticism(meeting, m[name], m[name], text, is_self=True)
    pairs = [
        (jiang, deng, "对青年教师的思想动态掌握不够，谈心谈话有时走过场"),
        (peng, deng, "工作安排布置多，跟踪督促少"),
        (deng, jiang, "开展廉政提醒的形式比较单一，针对性不强"),
        (deng, peng, "青少年宫特色活动的宣传报道不及时"),
        (m["袁小琴"], m["曾庆华"], "课程准备有时不够充分，学员反映讲解偏快"),
        (m["董明"], m["袁小琴"], "回复家长咨询有时拖到第二天"),
        (m["程刚"], m["董明"], "分配的工作有时要催才动"),
        (m["曾庆华"], m["程刚"], "参加集体教研活动不够积极"),
        (jiang, m["魏国华"], "退休后与支部联系少，组织生活参加不经常"),
    ]
    for giver, receiver, text in pairs:
        _criticism(meeting, giver, receiver, text)
    # Problems claimed on the spot and commitments.
    for member, text in (
        (deng, "抓支部班子自身建设用力不够"),
        (m["袁小琴"], "回复家长咨询不及时"),
        (None, "组织党员集中学习次数偏少，学习形式单一"),
    ):
        ClaimedProblem.objects.get_or_create(meeting=meeting, member=member, text=text)
    for member, text, due in (
        (deng, "每季度专题研究一次党建工作，带头讲一次党课", D(2021, 6, 30)),
        (m["袁小琴"], "家长咨询 24 小时内答复", D(2021, 4, 15)),
        (None, "每月固定一次集中学习，会前明确主题", D(2021, 12, 31)),
    ):
        Commitment.objects.get_or_create(meeting=meeting, member=member, text=text, defaults={"due_on": due})
    # 3. The secretary's comment on each member; 4. the supervisor's; 5. the closing statement.
    for member in m.values():
        MeetingComment.objects.update_or_create(
            meeting=meeting, kind=MeetingComment.Kind.SECRETARY, member=member,
            defaults={"text": f"{member.name}同志查摆问题实事求是，希望对照问题清单抓好整改。"},
        )
    for supervisor in meeting.supervisors.all():
        MeetingComment.objects.update_or_create(
            meeting=meeting, kind=MeetingComment.Kind.SUPERVISOR, supervisor=supervisor,
            defaults={"text": "会前准备充分，批评与自我批评开展得认真，既有红脸出汗，又有加油鼓劲；整改要做到“四明确一承诺”。"},
        )
    meeting.closing_statement = "对督导点评和党员提出的意见建议全部认领，逐条制定整改措施，明确时限，一定按期整改到位，接受全体党员和群众监督。"
    meeting.minutes = "会议自始至终贯穿认真和整风精神，既有红脸出汗的紧张严肃，又有加油鼓劲的宽松和谐。"
    meeting.next_steps = PALACE_NEXT_STEPS
    meeting.save(update_fields=["closing_statement", "minutes", "next_steps"])
    services.record.meeting_record_close(meeting=meeting)  # its problem list: lifecycle.demo
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=_aware(D(2021, 3, 15), 11, 30))


# ---------------------------------------------------------------- 砂岗村第二党支部
def _shagang2(ctx) -> Meeting:
    """Met yesterday and recorded; its members vote until three days from now (the evaluations demo)."""
    branch, m, season = ctx.orgs["shagang2"], ctx.members["shagang2"], ctx.season
    meeting = _meeting(
        branch, season.year, held_on=season.day(-1), starts_at=dt.time(9, 0), place="砂岗村党员活动室",
        opinions_close_on=season.day(-8), talks_due_on=season.day(-5), self_reviews_due_on=season.day(-3),
        ballot_closes_at=season.at(3, 17), rectification_plans_due_on=season.day(14),
        talk_rule_set=Meeting.TalkRuleSet.THREE,
    )
    if meeting.closed_at is not None:
        return meeting
    names = list(m)
    secretary, organizer = m[names[0]], m[names[1]]
    _talk(meeting, secretary, organizer, season.day(-9), "交流支部工作", "相互指出了不足。")
    for i, name in enumerate(names[2:]):
        _talk(meeting, (secretary, organizer)[i % 2], m[name], season.day(-8 + i), "听取意见，谈思想", "提出了意见建议。")
        _review(meeting, m[name], "approved", _review_rows([PROBLEMS[(i * 3) % len(PROBLEMS)]]),
                root_causes=ROOT_CAUSES[i % len(ROOT_CAUSES)], measures="按清单整改。", submitted_on=season.day(-5))
    for member in (secretary, organizer):
        _review(meeting, member, "approved", _review_rows([PROBLEMS[6]]), root_causes=ROOT_CAUSES[2],
                measures="按清单整改。", submitted_on=season.day(-4))
    away = names[4]  # a migrant member (流动党员), working elsewhere
    for name, member in m.items():
        Attendance.objects.update_or_create(
            meeting=meeting, member=member,
            defaults={"status": "leave" if name == away else "present", "reason": "外出务工" if name == away else ""},
        )
    _criticism(meeting, organizer, secretary, CRITICISMS[1][0])
    _criticism(meeting, secretary, m[names[3]], CRITICISMS[4][0])
    _criticism(meeting, m[names[2]], organizer, CRITICISMS[5][0])
    services.record.meeting_record_close(meeting=meeting)  # its problem list: lifecycle.demo
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=season.at(-1, 11, 30))
    return meeting


def season_anchor(ctx) -> dt.date | None:
    """The day the demo's current season was built on: its 水阜镇 meeting is held MEETING_IN_DAYS later."""
    meeting = (
        Meeting.objects.filter(branch=ctx.orgs["office"], kind=Meeting.Kind.ANNUAL, closed_at__isnull=True)
        .exclude(held_on__isnull=True).order_by("-year").first()
    )
    return meeting.held_on - dt.timedelta(days=MEETING_IN_DAYS) if meeting else None


def reset(ctx) -> None:
    """Remove the season's meetings (the later apps' `reset` ran first), so it is built anew around today."""
    Meeting.objects.filter(branch__in=[ctx.orgs[key] for key in SEASON_BRANCHES]).delete()


def seed(ctx) -> None:
    _shuifu(ctx)
    _shagang2(ctx)
    palace = _palace(ctx)
    _palace_record(ctx, palace)
