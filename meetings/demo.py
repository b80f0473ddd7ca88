"""Demo meetings (safe to run again: rows are found by their natural keys and updated in place).

- 水阜镇机关党支部 2026 annual meeting, part-way through phase 1 around 2026-11-25: some opinions
  claimed and answered, some talks done and some missing, self-reviews submitted / returned / drafts /
  missing; the demo `member` (杨丽) has to-dos.
- 水阜镇机关党支部 2025 annual meeting: a few members' earlier self-reviews, so that repeated problems
  are flagged in 2026.
- 安岳县青少年宫支部 2020 annual meeting (seed 002), held 2021-03-15 and fully recorded (issue 5).

The 2026 meeting's forum-channel opinions were gathered at two forums (座谈会), one held with the demo
supervisor 何奇哲, who answered one opinion on the spot.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

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
        opinion = services.opinion_submit(
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
def _shuifu(ctx) -> tuple[Meeting, Meeting]:
    office = ctx.orgs["office"]
    m = ctx.members["office"]
    supervisor = Supervisor.objects.get(user=ctx.users["supervisor"])

    last_year = _meeting(
        office, 2025, held_on=D(2025, 12, 12), starts_at=dt.time(9, 0), place="水阜镇政府三楼会议室",
        opinions_close_on=D(2025, 12, 1), talks_due_on=D(2025, 12, 5), self_reviews_due_on=D(2025, 12, 8),
        ballot_closes_at=_aware(D(2025, 12, 12), 17), rectification_plans_due_on=D(2025, 12, 31),
        talk_rule_set=Meeting.TalkRuleSet.THREE, supervisors=[supervisor],
    )
    for name, problems in {
        "杨丽": [
            (ASPECTS[0], "理论学习不够深入,满足于读文件、记笔记,联系实际思考不多", "每月读一本理论书籍"),
            (ASPECTS[2], "下村入户少,对群众反映的低保办理进度跟进不及时", "每周到联系村走访一次"),
        ],
        "赵磊": [(ASPECTS[3], "工作标准不高,材料报送多次出现差错", "建立报送台账,交叉校对")],
        "张伟": [(ASPECTS[1], "对党员教育管理抓得不严,流动党员联系不经常", "每月与流动党员视频联系一次")],
    }.items():
        _review(last_year, m[name], "approved", problems, root_causes="宗旨意识有所淡化。", measures="按清单逐项整改。",
                direction="做一名合格党员。", submitted_on=D(2025, 12, 6))

    meeting = _meeting(
        office, 2026, held_on=D(2026, 12, 10), starts_at=dt.time(9, 0), place="水阜镇政府三楼会议室",
        basis="中共皋兰县委组织部《关于召开2026年度基层党组织组织生活会和开展民主评议党员工作的通知》",
        excellent_quota_percent=Decimal("30"), opinions_close_on=D(2026, 11, 28), talks_due_on=D(2026, 11, 20),
        self_reviews_due_on=D(2026, 12, 3), ballot_closes_at=_aware(D(2026, 12, 10), 17),
        rectification_plans_due_on=D(2026, 12, 25), talk_rule_set=Meeting.TalkRuleSet.THREE,
        claim_target_member=3, claim_target_committee=5, supervisors=[supervisor], recorders=[m["刘芳"]],
        closed_at=None, ready_at=None, ready_note="",
    )

    names = list(m)
    everyone = [m[n] for n in names]
    _study(meeting, D(2026, 11, 6), "学习党的二十届四中全会精神", "书记领读、交流发言", "《中国共产党支部工作条例(试行)》;全会公报",
           [p for p in everyone if p.name not in ("马超", "谢勇", "韩冬")])
    _study(meeting, D(2026, 11, 18), "对照党章党规找差距", "分组自由讨论", "《中国共产党章程》;《关于新形势下党内政治生活的若干准则》",
           [p for p in everyone if p.name not in ("马超", "谢勇", "罗霞", "徐军", "曹阳")])

    secretary, deputy, zhang, liu, chen = m["李建国"], m["王秀兰"], m["张伟"], m["刘芳"], m["陈志强"]
    yang = m["杨丽"]
    ops = [
        ("班子成员下村调研次数偏少,对村里的饮水工程进度掌握不够。", "visit", D(2026, 11, 9), None, "style", [secretary, deputy], "answered",
         "已安排班子成员每周轮流下村,饮水工程进度每周通报。"),
        ("党员活动日有时流于形式,学习内容与镇里工作结合不紧。", "forum", D(2026, 11, 10), None, "organization", [secretary, zhang], "resolved",
         "已调整主题党日安排,每次结合一项中心工作。"),
        ("办事大厅中午休息时没人值班,群众白跑一趟。", "box", D(2026, 11, 11), None, "service", [deputy], "open", ""),
        ("流动党员参加组织生活的渠道太少,希望多用微信群。", "wechat", D(2026, 11, 12), None, "organization", [zhang], "answered",
         "已建立流动党员微信群,每月线上学习一次。"),
        ("民政窗口办理低保审核时,对群众的解释不够耐心。", "public", D(2026, 11, 13), yang, "service", [], "open", ""),
        ("低保办理进度希望能在村务公开栏及时公示。", "public", D(2026, 11, 14), yang, "service", [], "open", ""),
        ("镇机关开会太多,有的会可以合并。", "member", D(2026, 11, 14), None, "style", [secretary, chen], "open", ""),
        ("宣传栏内容更新不及时,有的还是去年的。", "box", D(2026, 11, 15), chen, "work", [chen], "answered", "已全部更新,每月一换。"),
        ("纪检委员对干部上班期间玩手机的现象提醒不够。", "member", D(2026, 11, 16), liu, "integrity", [liu], "open", ""),
        ("希望支部多组织到先进村学习观摩。", "forum", D(2026, 11, 17), None, "", [], "open", ""),
        ("党费收缴公示不够及时。", "member", D(2026, 11, 17), zhang, "organization", [zhang], "resolved", "已按季度公示。"),
        ("有的干部对群众来电推诿,说不归自己管。", "public", D(2026, 11, 18), None, "", [], "open", ""),
        ("机关食堂浪费现象需要管一管。", "box", D(2026, 11, 19), None, "", [], "open", ""),
        ("年轻干部下村时对政策解读不够准确。", "visit", D(2026, 11, 20), m["赵磊"], "work", [m["赵磊"]], "open", ""),
        ("建议把群众反映问题的办理结果定期反馈。", "public", D(2026, 11, 23), None, "", [], "open", ""),
        ("支部书记对青年党员的思想关心不够。", "member", D(2026, 11, 24), secretary, "politics", [], "open", ""),
    ]
    # The forum-channel opinions above were heard at these two forums (座谈会).
    forums = {
        D(2026, 11, 10): _forum(
            meeting, D(2026, 11, 10), "机关党员座谈会:听取对支部班子的意见", place="水阜镇政府三楼会议室",
            members=22, others=0, supervisors=[supervisor],
            notes="督导何奇哲参加,对主题党日流于形式的意见当场作了答复,支部随后调整了安排。",
        ),
        D(2026, 11, 17): _forum(
            meeting, D(2026, 11, 17), "服务对象和村干部座谈会", place="水阜村村委会", members=6, others=11,
        ),
    }
    for i, (text, channel, day, target, category, claimants, status, answer) in enumerate(ops):
        named = channel == "member" and i % 2 == 0
        _opinion(
            meeting, text, channel=channel, received_on=day, target=target, anonymous=not named,
            author=m["孙燕"] if named else None, category=category, claimants=claimants, status=status, answer=answer,
            answered_by=claimants[0] if claimants and status != "open" else None,
            forum=forums.get(day) if channel == "forum" else None, on_the_spot=channel == "forum",
        )

    # Talks: every committee pair but one, most members with a committee member, some members with each other.
    committee = [secretary, deputy, zhang, liu, chen]
    day = D(2026, 11, 2)
    pairs = [(a, b) for i, a in enumerate(committee) for b in committee[i + 1:]]
    for i, (a, b) in enumerate(pairs[:-1]):
        _talk(meeting, a, b, day + dt.timedelta(days=i % 10), "交流班子建设和分管工作中的问题",
              "相互指出了工作中的不足,约定在会上开门见山地批评。")
    ordinary = [p for p in everyone if not p.is_committee]
    for i, p in enumerate(ordinary):
        if p.name in ("杨丽", "马超", "谢勇", "韩冬", "冯丹", "曹阳"):
            continue
        _talk(meeting, committee[i % len(committee)], p, day + dt.timedelta(days=i % 15), "听取对班子的意见,谈思想和工作",
              "谈了工作中的困难,提出了意见建议。")
    for a, b in [("赵磊", "黄静"), ("周杰", "吴敏"), ("孙燕", "朱红"), ("胡斌", "郭婷"), ("何平", "高洁"), ("林涛", "郑刚")]:
        _talk(meeting, m[a], m[b], D(2026, 11, 16), "相互提醒,交流思想", "互相指出了不足。")

    # Self-reviews: 14 submitted (9 approved), 2 returned, 4 drafts (杨丽 among them), the rest not started.
    approved = ["李建国", "王秀兰", "张伟", "刘芳", "陈志强", "周杰", "吴敏", "孙燕", "朱红"]
    submitted = ["胡斌", "郭婷", "何平", "高洁", "林涛"]
    returned = ["赵磊", "黄静"]
    drafts = ["杨丽", "郑刚", "梁雪", "宋梅"]
    for i, name in enumerate(approved + submitted):
        _review(
            meeting, m[name], "approved" if name in approved else "submitted",
            [(ASPECTS[i % 6], f"{name}同志查摆:对分管工作中群众反映的问题跟踪不够,回访不及时", "建立问题台账,每件事 7 日内回访"),
             (ASPECTS[(i + 3) % 6], "批评与自我批评放不开,怕得罪人", "会上至少对两名同志提出具体批评意见")],
            root_causes="宗旨意识有所淡化,自我要求有所放松。", measures="对照问题清单逐项整改,12 月底前完成。",
            direction="以更高标准做好本职工作。", submitted_on=D(2026, 11, 15 + i % 8),
        )
    for name in returned:
        _review(
            meeting, m[name], "returned",
            [(ASPECTS[0], "学习不够深入", "进一步加强学习")],
            root_causes="放松了学习。", measures="尽量多学习。",
            comment="问题写得太笼统,请结合具体工作举例;措施要写明做什么、什么时候完成。", submitted_on=D(2026, 11, 20),
        )
    _review(
        meeting, yang, "draft",
        [(ASPECTS[0], "理论学习不够深入,满足于读文件、记笔记,联系实际思考不多", "尽量每天学习半小时"),
         (ASPECTS[2], "窗口服务中对群众解释政策不够耐心", "")],
        root_causes="对自己要求不严。", measures="争取在明年上半年改正。",
    )
    for name in drafts[1:]:
        _review(meeting, m[name], "draft", [(ASPECTS[3], "工作主动性不够", "")])
    # Keep reviews of members not named above out (a second run must not leave extras behind).
    SelfReview.objects.filter(meeting=meeting, kind=SelfReview.Kind.MEMBER).exclude(
        member__name__in=approved + submitted + returned + drafts
    ).delete()
    _review(
        meeting, None, "draft",
        [(ASPECTS[3], "支部班子抓党员教育管理的办法不多,流动党员管理有空档", "12 月底前建立流动党员联系台账"),
         (ASPECTS[2], "班子成员下村调研次数偏少", "班子成员每周至少下村一次,每月通报")],
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
        basis="中共安岳县委组织部《关于召开2020年度基层党组织组织生活会和开展民主评议党员的通知》(安组通〔2021〕4号)",
        excellent_quota_percent=Decimal("30"), opinions_close_on=D(2021, 3, 10), talks_due_on=D(2021, 3, 10),
        self_reviews_due_on=D(2021, 3, 12), ballot_closes_at=_aware(D(2021, 3, 15), 12),
        rectification_plans_due_on=D(2021, 3, 31), talk_rule_set=Meeting.TalkRuleSet.FOUR, supervisors=[zuo],
        ready_at=_aware(D(2021, 3, 13), 10), ready_note="",
    )
    everyone = list(m.values())
    _study(meeting, D(2021, 3, 5), "学习习近平新时代中国特色社会主义思想和党的十九大精神",
           "支部书记领读、分组自由讨论、相互学习交流", "《中国共产党支部工作条例(试行)》;《关于新形势下党内政治生活的若干准则》", everyone)

    deng, jiang, peng = m["邓文华"], m["蒋丽萍"], m["彭宇"]
    ops = [
        ("支部班子对党员教育管理抓得不够经常。", "talk", D(2021, 3, 3), None, "organization", [deng], "resolved", "已制定年度党员学习计划,每月集中学习一次。"),
        ("希望青少年宫周末课程能多安排公益场次。", "visit", D(2021, 3, 4), None, "service", [deng, peng], "answered", "周末公益课程已由每月 2 场增加到 4 场。"),
        ("党费收缴和使用情况公示不够及时。", "form", D(2021, 3, 5), jiang, "integrity", [jiang], "resolved", "已按季度在公示栏公开。"),
        ("宣传工作对青少年宫的特色活动宣传不够。", "form", D(2021, 3, 6), peng, "work", [peng], "answered", "已开设微信公众号专栏。"),
        ("退休党员参加组织生活不方便,希望提前通知。", "talk", D(2021, 3, 8), None, "organization", [deng, m["魏国华"]], "resolved", "已建立退休党员联系制度,活动提前三天电话通知。"),
    ]
    for text, channel, day, target, category, claimants, status, answer in ops:
        _opinion(meeting, text, channel=channel, received_on=day, target=target, category=category,
                 claimants=claimants, status=status, answer=answer, answered_by=claimants[0])

    # 四个必谈 (seed 002), all done in early March.
    _talk(meeting, deng, jiang, D(2021, 3, 1), "班子成员之间:交流班子建设存在的问题", "相互提出了意见。")
    _talk(meeting, deng, peng, D(2021, 3, 1), "班子成员之间:交流宣传工作", "相互提出了意见。")
    _talk(meeting, jiang, peng, D(2021, 3, 2), "班子成员之间:交流纪检和宣传工作", "相互提出了意见。")
    _talk(meeting, deng, None, D(2021, 3, 3), "分管领导与支部书记谈心", "分管领导指出了支部工作中的不足。",
          other_kind="leader", other_name="中共安岳县教育工作委员会分管领导")
    _talk(meeting, m["曾庆华"], m["袁小琴"], D(2021, 3, 4), "党员之间:相互提醒", "互相指出了不足。")
    _talk(meeting, m["董明"], m["程刚"], D(2021, 3, 5), "党员之间:相互提醒", "互相指出了不足。")
    _talk(meeting, m["程刚"], m["魏国华"], D(2021, 3, 6), "党员之间:看望退休党员,听取意见", "听取了退休党员的意见。")
    _talk(meeting, deng, None, D(2021, 3, 8), "支部书记与服务对象谈心:听取学员家长意见", "家长希望增加公益课程。",
          other_kind="recipient", other_name="青少年宫学员家长代表")

    problems = {
        "邓文华": [(ASPECTS[3], "抓支部班子自身建设用力不够,党建与业务工作结合不紧", "每季度专题研究一次党建工作")],
        "蒋丽萍": [(ASPECTS[5], "对党员日常监督提醒不够经常", "每月开展一次廉政提醒")],
        "彭宇": [(ASPECTS[4], "宣传工作创新不够,青少年宫特色宣传不足", "3 月底前开设公众号专栏")],
        "曾庆华": [(ASPECTS[0], "政治理论学习不够系统,学用结合不紧", "每周写一篇学习体会")],
        "袁小琴": [(ASPECTS[2], "为学员和家长服务的意识还需增强,回复咨询不及时", "家长咨询 24 小时内答复")],
        "董明": [(ASPECTS[3], "工作中存在等靠思想,主动作为不够", "每月主动认领一项重点工作")],
        "程刚": [(ASPECTS[4], "在岗位上发挥党员先锋模范作用不明显", "在教学岗位亮身份、作表率")],
        "魏国华": [(ASPECTS[1], "退休后参加组织生活不够经常", "每月至少参加一次支部活动")],
    }
    for name, rows in problems.items():
        _review(meeting, m[name], "approved", rows, root_causes="理想信念和宗旨意识有所淡化,自我要求有所放松。",
                measures="对照问题逐项整改,明确时限。", direction="做一名合格党员。", submitted_on=D(2021, 3, 11))
    _review(
        meeting, None, "approved",
        [(ASPECTS[1], "执行上级党组织决定有时不够及时", "上级部署 3 个工作日内研究落实"),
         (ASPECTS[3], "严格党的组织生活制度不够,“三会一课”有时流于形式", "每月固定主题党日,会前明确主题")],
        root_causes="支部班子对党建工作重视不够。", measures="按清单整改,做到“四明确一承诺”。", direction="建设过硬党支部。",
        submitted_on=D(2021, 3, 12),
    )
    return meeting


# Seed 002's "下一步工作打算", abridged.
PALACE_NEXT_STEPS = """1.抓好问题整改落实,转变作风提高素质。针对查摆出的问题和相互批评的意见,全面分析归类,制定整改落实方案,做到“四明确一承诺”,即明确整改落实的目标、措施、责任、时限,并及时向群众作出公开承诺。
2.强化服务基层意识,落实党建主体责任。以支部建设、党员管理、党费收缴等为重点,共同研究破解基层党建工作难题,真正把党建工作主体责任落到实处。
3.坚持制度管党管人,夯实党建基础工作。对党员履行职责情况每季考核打分和汇总通报,考核情况作为评选和推荐优秀党员的重要依据。"""


def _criticism(meeting, giver, receiver, text, *, is_self=False) -> Criticism:
    criticism, _created = Criticism.objects.get_or_create(
        meeting=meeting, giver=giver, receiver=receiver, is_self=is_self, text=text
    )
    return criticism


def _palace_record(ctx, meeting: Meeting) -> None:
    """Seed 002's meeting as it would have been recorded live: five items, everyone present, criticisms
    and self-criticisms, claims, commitments, the secretary's comments, 左香菊's 点评 and the closing."""
    m = ctx.members["palace"]
    services.agenda_ensure_default(meeting=meeting)
    for member in m.values():
        Attendance.objects.update_or_create(meeting=meeting, member=member, defaults={"status": "present", "reason": ""})
    meeting.supervisors_present.set(meeting.supervisors.all())
    deng, jiang, peng = m["邓文华"], m["蒋丽萍"], m["彭宇"]
    # 1. The secretary's self-review for the committee; members' opinions to the committee.
    _criticism(meeting, m["曾庆华"], None, "支部班子组织党员集中学习次数偏少,学习形式单一")
    _criticism(meeting, m["魏国华"], None, "对退休党员关心不够,组织活动时通知不及时")
    # 2. Committee members and members: self-criticism, criticism of each other.
    selfs = {
        "邓文华": "作为支部书记,抓党建与抓业务结合不紧,对支部班子自身建设用力不够。",
        "蒋丽萍": "履行纪检委员职责不够主动,对党员日常监督提醒不经常。",
        "彭宇": "宣传工作满足于完成任务,创新意识不强。",
        "曾庆华": "理论学习不够系统,学用结合不紧。",
        "袁小琴": "服务学员和家长的意识不够强。",
        "董明": "工作中有等靠思想,主动作为不够。",
        "程刚": "在教学岗位上亮身份、作表率不够。",
        "魏国华": "退休后参加组织生活不够经常。",
    }
    for name, text in selfs.items():
        _criticism(meeting, m[name], m[name], text, is_self=True)
    pairs = [
        (jiang, deng, "对青年教师的思想动态掌握不够,谈心谈话有时走过场"),
        (peng, deng, "工作安排布置多,跟踪督促少"),
        (deng, jiang, "开展廉政提醒的形式比较单一,针对性不强"),
        (deng, peng, "青少年宫特色活动的宣传报道不及时"),
        (m["袁小琴"], m["曾庆华"], "课程准备有时不够充分,学员反映讲解偏快"),
        (m["董明"], m["袁小琴"], "回复家长咨询有时拖到第二天"),
        (m["程刚"], m["董明"], "分配的工作有时要催才动"),
        (m["曾庆华"], m["程刚"], "参加集体教研活动不够积极"),
        (jiang, m["魏国华"], "退休后与支部联系少,组织生活参加不经常"),
    ]
    for giver, receiver, text in pairs:
        _criticism(meeting, giver, receiver, text)
    # Problems claimed on the spot and commitments.
    for member, text in (
        (deng, "抓支部班子自身建设用力不够"),
        (m["袁小琴"], "回复家长咨询不及时"),
        (None, "组织党员集中学习次数偏少,学习形式单一"),
    ):
        ClaimedProblem.objects.get_or_create(meeting=meeting, member=member, text=text)
    for member, text, due in (
        (deng, "每季度专题研究一次党建工作,带头讲一次党课", D(2021, 6, 30)),
        (m["袁小琴"], "家长咨询 24 小时内答复", D(2021, 4, 15)),
        (None, "每月固定一次集中学习,会前明确主题", D(2021, 12, 31)),
    ):
        Commitment.objects.get_or_create(meeting=meeting, member=member, text=text, defaults={"due_on": due})
    # 3. The secretary's comment on each member; 4. the supervisor's; 5. the closing statement.
    for member in m.values():
        MeetingComment.objects.update_or_create(
            meeting=meeting, kind=MeetingComment.Kind.SECRETARY, member=member,
            defaults={"text": f"{member.name}同志查摆问题实事求是,希望对照问题清单抓好整改。"},
        )
    for supervisor in meeting.supervisors.all():
        MeetingComment.objects.update_or_create(
            meeting=meeting, kind=MeetingComment.Kind.SUPERVISOR, supervisor=supervisor,
            defaults={"text": "会前准备充分,批评与自我批评开展得认真,既有红脸出汗,又有加油鼓劲;整改要做到“四明确一承诺”。"},
        )
    meeting.closing_statement = "对督导点评和党员提出的意见建议全部认领,逐条制定整改措施,明确时限,一定按期整改到位,接受全体党员和群众监督。"
    meeting.minutes = "会议自始至终贯穿认真和整风精神,既有红脸出汗的紧张严肃,又有加油鼓劲的宽松和谐。"
    meeting.next_steps = PALACE_NEXT_STEPS
    meeting.save(update_fields=["closing_statement", "minutes", "next_steps"])
    services.meeting_close(meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=_aware(D(2021, 3, 15), 11, 30))


def seed(ctx) -> None:
    last_year, _current = _shuifu(ctx)
    # Held long ago; kept for the repeated-problem check only (its own problem list is not rebuilt here).
    Meeting.objects.filter(pk=last_year.pk, closed_at__isnull=True).update(closed_at=_aware(D(2025, 12, 12), 12))
    palace = _palace(ctx)
    _palace_record(ctx, palace)
