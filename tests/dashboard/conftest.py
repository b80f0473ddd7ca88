"""Small known data for the dashboard: a county with two townships and three branches.

    测试县委 ─┬─ 第一镇 ─┬─ b1 (6 members: 书记, 2 支委, 3 党员; meeting held and closed, everything recorded,
              │          │       a forum of its supervisor 督导甲 25 days ago)
              │          └─ b2 (4 members: 书记, 3 党员; meeting in ten days, no supervisor, nothing done)
              └─ 第二镇 ─── b3 (5 members; no meeting this year)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from evaluations.models import Candidate, Evaluation, Voter
from meetings.models import (
    Attendance,
    Forum,
    Meeting,
    MeetingComment,
    Opinion,
    OpinionClaim,
    SelfReview,
    Talk,
)
from organizations.models import Member, Officer, Organization, Supervisor
from rectification.models import FollowUpReview, RectificationItem
from tests.clock import starting_at_now
from tests.organizations.factories import MemberFactory, UserFactory

YEAR = 2026


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class Known:
    county: Organization
    towns: list[Organization]
    b1: Organization
    b2: Organization
    b3: Organization
    m1: dict[str, Member] = field(default_factory=dict)
    meeting1: Meeting | None = None
    meeting2: Meeting | None = None
    officer_user: object = None
    supervisor: Supervisor | None = None
    forum1: Forum | None = None


def members(branch, spec: list[tuple[str, str]]) -> dict[str, Member]:
    return {name: MemberFactory(branch=branch, name=name, committee_post=post) for name, post in spec}


def build_known() -> Known:
    county = Organization.add_root(name="测试县委", level=Organization.Level.COUNTY)
    t1 = county.add_child(name="第一镇", level=Organization.Level.TOWNSHIP)
    county.refresh_from_db()
    t2 = county.add_child(name="第二镇", level=Organization.Level.TOWNSHIP)
    b1 = t1.add_child(name="一支部", level=Organization.Level.BRANCH)
    t1.refresh_from_db()
    b2 = t1.add_child(name="二支部", level=Organization.Level.BRANCH)
    b3 = t2.add_child(name="三支部", level=Organization.Level.BRANCH)
    k = Known(county=county, towns=[t1, t2], b1=b1, b2=b2, b3=b3)
    k.m1 = members(b1, [("书记甲", "secretary"), ("支委乙", "organization"), ("支委丙", "discipline"),
                        ("党员一", ""), ("党员二", ""), ("党员三", "")])
    members(b2, [("书记丁", "secretary"), ("党员四", ""), ("党员五", ""), ("党员六", "")])
    members(b3, [(f"党员{n}", "secretary" if n == 7 else "") for n in range(7, 12)])
    MemberFactory(branch=b1, name="已转出", is_active=False)  # never counted

    user = UserFactory(username="officer")
    Officer.objects.create(user=user, organization=county, name="干部")
    k.officer_user = user
    k.supervisor = Supervisor.objects.create(user=UserFactory(username="dudao"), name="督导甲")

    m = k.m1
    k.meeting1 = Meeting.objects.create(
        branch=b1, year=YEAR, held_on=days(-10), closed_at=at(days(-10)), place="会议室",
        opinions_close_on=days(-20), talks_due_on=days(-15), self_reviews_due_on=days(-12),
        rectification_plans_due_on=days(-3), excellent_quota_numerator=3, excellent_quota_denominator=10,
    )
    k.meeting1.supervisors.add(k.supervisor)
    k.meeting1.supervisors_present.add(k.supervisor)
    MeetingComment.objects.create(meeting=k.meeting1, kind="supervisor", supervisor=k.supervisor, text="点评：准备充分。")
    # Opinions: 4 live (1 open, 1 answered, 2 resolved; one of them claimed) + 1 merged duplicate. The two
    # forum ones were gathered at a forum (座谈会) of 督导甲 with 5 members and 3 others; one answered there.
    k.forum1 = Forum.objects.create(meeting=k.meeting1, held_on=days(-25), topic="党员群众座谈会", member_participants=5,
                                    other_participants=3)
    k.forum1.supervisors.add(k.supervisor)
    ops = [
        Opinion.objects.create(meeting=k.meeting1, received_on=days(-25), channel=channel, text=f"意见建议第{i}条", status=status,
                               forum=k.forum1 if channel == "forum" else None,
                               answered_on=days(-25) if channel == "forum" and status != "open" else None)
        for i, (channel, status) in enumerate(
            [("forum", "open"), ("forum", "answered"), ("box", "resolved"), ("form", "resolved")]
        )
    ]
    Opinion.objects.create(meeting=k.meeting1, received_on=days(-25), channel="box", text="重复的意见建议", merged_into=ops[0])
    OpinionClaim.objects.create(opinion=ops[2], member=m["书记甲"], claimed_on=days(-24))
    # Talks (三个必谈): one committee pair of three, one ordinary member with a committee member (of
    # three), two ordinary members with each other (of three); a talk with the inactive member is ignored.
    talk = dict(meeting=k.meeting1, held_on=days(-16), topics="谈心")
    Talk.objects.create(member_a=m["书记甲"], member_b=m["支委乙"], **talk)
    Talk.objects.create(member_a=m["党员一"], member_b=m["支委乙"], **talk)
    Talk.objects.create(member_a=m["党员一"], member_b=m["党员二"], **talk)
    Talk.objects.create(member_a=m["党员三"], member_b=Member.objects.get(name="已转出"), **talk)
    # Self-reviews: 4 done (3 approved, 1 submitted), 1 returned, 1 draft; the committee's approved.
    for name, status in [("书记甲", "approved"), ("支委乙", "approved"), ("支委丙", "approved"), ("党员一", "submitted"),
                         ("党员二", "returned"), ("党员三", "draft")]:
        SelfReview.objects.create(meeting=k.meeting1, member=m[name], status=status)
    SelfReview.objects.create(meeting=k.meeting1, kind="committee", member=None, status="approved")
    # Attendance: 5 of 6 present (83%, above the 80% required).
    for name in m:
        Attendance.objects.create(meeting=k.meeting1, member=m[name], status="leave" if name == "党员三" else "present",
                                  reason="病假" if name == "党员三" else "")
    # Evaluation determined: 1 优秀 (30% of 6 = 1), 4 合格, 1 基本合格; 5 of 6 voted.
    evaluation = Evaluation.objects.create(
        meeting=k.meeting1, excellent_quota=k.meeting1.excellent_quota, opens_at=at(days(-10), 9),
        closes_at=at(days(-10), 17), sealed_at=timezone.now(), determined_at=timezone.now(),
    )
    grades = ["excellent", "qualified", "qualified", "qualified", "qualified", "basic"]
    for member, grade in zip(m.values(), grades, strict=True):
        Candidate.objects.create(evaluation=evaluation, member=member, final_grade=grade)
        Voter.objects.create(evaluation=evaluation, member=member, channel="" if member.name == "党员三" else "online")
    # Items: closed on time (then rebound at 回头看), closed late, in progress and overdue, pending.
    item = dict(branch=b1, meeting=k.meeting1, goal="目标", measures="措施", commitment="承诺")
    on_time = RectificationItem.objects.create(title="按期销号", responsible=m["书记甲"], deadline=days(-2),
                                               status="closed", closed_at=at(days(-4)), **item)
    FollowUpReview.objects.create(item=on_time, reviewed_on=days(-1), result="rebound")
    RectificationItem.objects.create(title="逾期销号", responsible=m["支委乙"], deadline=days(-6), status="closed",
                                     closed_at=at(days(-3)), **item)
    RectificationItem.objects.create(title="逾期未完成", responsible=m["党员一"], deadline=days(-1), status="in_progress", **item)
    RectificationItem.objects.create(title="待核验", responsible=m["党员二"], deadline=days(20), status="pending", **item)

    k.meeting2 = Meeting.objects.create(
        branch=b2, year=YEAR, held_on=days(10), opinions_close_on=days(3), talks_due_on=days(5), self_reviews_due_on=days(8),
    )
    Meeting.objects.create(branch=b3, year=YEAR - 1, held_on=days(-400))  # last year's: not this season
    return k


@pytest.fixture
def known(db) -> Known:
    return build_known()


@pytest.fixture(autouse=True)
def _own_clock(request):
    """Every test here starts at tests.clock.NOW, not at the real date and hour (see starting_at_now)."""
    yield from starting_at_now(request)
