"""Demo data for the dashboards: two of 水阜镇's village branches at two different points of the season
(`ctx.season`: its year, dates as offsets from its anchor), so that `county` sees at a glance which
branches are behind and why.

- 燕儿坪村党支部: met three weeks ago with its supervisor, who also held a forum (座谈会) with members and
  villagers before it; evaluated; rectification under way, one item late.
- 砂岗村第一党支部: its meeting date has passed but it has not met; no supervisor; talks and self-reviews
  incomplete; an opinion unanswered.

Safe to run again: a meeting that already has talks is left as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.utils import timezone

from activities.rhythm import Quarter
from dashboard.quarter_ranking import ranking_publish
from evaluations.models import Ballot, BallotMark, Candidate, Evaluation, Voter
from meetings.models import Attendance, Criticism, Forum, Meeting, MeetingComment, Opinion, SelfReview, Talk
from organizations.models import Supervisor
from rectification.models import RectificationItem


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _yanerping(ctx, supervisor: Supervisor, today: dt.date) -> None:
    branch, m, year = ctx.orgs["yanerping"], ctx.members["yanerping"], ctx.season.year
    held = today - dt.timedelta(days=21)
    meeting, _created = Meeting.objects.get_or_create(
        branch=branch, year=year, kind=Meeting.Kind.ANNUAL,
        defaults={
            "held_on": held, "place": "燕儿坪村党员活动室", "opinions_close_on": held - dt.timedelta(days=10),
            "talks_due_on": held - dt.timedelta(days=5), "self_reviews_due_on": held - dt.timedelta(days=3),
            "rectification_plans_due_on": held + dt.timedelta(days=14), "closed_at": _aware(held, 12),
        },
    )
    if meeting.talks.exists():
        return
    meeting.supervisors.add(supervisor)
    meeting.supervisors_present.add(supervisor)
    MeetingComment.objects.get_or_create(
        meeting=meeting, kind=MeetingComment.Kind.SUPERVISOR, supervisor=supervisor,
        defaults={"text": "查摆问题比较具体；对外出务工党员的联系还要再加强。"},
    )
    secretary, organizer = m["王磊"], m["王永福"]
    others = [m["李桂花"], m["张有才"], m["王建军"]]
    gathered = held - dt.timedelta(days=12)
    forum = Forum.objects.create(meeting=meeting, held_on=gathered, topic="党员群众座谈会", place="燕儿坪村党员活动室",
                                 member_participants=4, other_participants=9)
    forum.supervisors.add(supervisor)
    # The forum's two opinions: one resolved afterwards, one answered on the spot (answered on the forum's day).
    for text, channel, status, answered_on in [
        ("村道路灯坏了好几盏，晚上出行不方便。", Opinion.Channel.FORUM, Opinion.Status.RESOLVED, held - dt.timedelta(days=2)),
        ("希望党员多到困难户家里走一走。", Opinion.Channel.FORUM, Opinion.Status.ANSWERED, gathered),
        ("外出务工党员参加组织生活不方便，能否开视频会。", Opinion.Channel.WECHAT, Opinion.Status.RESOLVED,
         held - dt.timedelta(days=2)),
    ]:
        Opinion.objects.create(meeting=meeting, received_on=gathered, channel=channel, text=text, status=status,
                               answer="已研究落实。", answered_on=answered_on,
                               forum=forum if channel == Opinion.Channel.FORUM else None)
    talk = {"meeting": meeting, "held_on": held - dt.timedelta(days=7), "topics": "交流思想，相互提醒"}
    Talk.objects.create(member_a=secretary, member_b=organizer, **talk)
    for i, other in enumerate(others):
        Talk.objects.create(member_a=other, member_b=(secretary, organizer)[i % 2], **talk)
        Talk.objects.create(member_a=other, member_b=others[(i + 1) % len(others)], **talk)
    now = timezone.now()
    for member in [secretary, organizer, *others]:
        SelfReview.objects.create(meeting=meeting, member=member, status=SelfReview.Status.APPROVED, submitted_at=now,
                                  reviewed_at=now, measures="年底前逐项整改。")
        away = member.name == "张有才"
        Attendance.objects.create(meeting=meeting, member=member,
                                  status=Attendance.Status.LEAVE if away else Attendance.Status.PRESENT,
                                  reason="外出务工" if away else "")
    SelfReview.objects.create(meeting=meeting, kind=SelfReview.Kind.COMMITTEE, status=SelfReview.Status.APPROVED,
                              submitted_at=now, reviewed_at=now)
    for giver, receiver, text in [
        (organizer, secretary, "对外出务工党员联系不经常，有的半年没通过电话"),
        (secretary, organizer, "村道路灯坏了多次反映，修得不及时"),
        (m["李桂花"], secretary, "到困难户家里走访少"),
    ]:
        Criticism.objects.create(meeting=meeting, giver=giver, receiver=receiver, text=text)
    _evaluation(meeting, [secretary, organizer, *others], held)
    item = {"branch": branch, "meeting": meeting, "goal": "问题整改到位", "measures": "制定计划\n按月推进",
            "commitment": "按期完成，接受群众监督。"}
    RectificationItem.objects.create(title="修复村道路灯", responsible=secretary, deadline=held + dt.timedelta(days=10),
                                     status=RectificationItem.Status.CLOSED, closed_at=_aware(held + dt.timedelta(days=8), 16), **item)
    RectificationItem.objects.create(title="建立外出党员视频联系制度", responsible=organizer,
                                     deadline=today - dt.timedelta(days=2), status=RectificationItem.Status.IN_PROGRESS, **item)
    RectificationItem.objects.create(title="走访困难户", responsible=m["张有才"], deadline=today + dt.timedelta(days=30), **item)


def _evaluation(meeting: Meeting, members, held: dt.date) -> None:
    """Determined: candidates are the members in service; 4 of 5 voted online. Ballots carry no voter and
    no time, and marks do not point to their ballot (the evaluations app's design)."""
    evaluation = Evaluation.objects.create(
        meeting=meeting, excellent_quota=meeting.excellent_quota, opens_at=_aware(held, 9),
        closes_at=_aware(held, 17), sealed_at=timezone.now(), determined_at=timezone.now(),
    )
    candidates = [Candidate.objects.create(evaluation=evaluation, member=x, suggested_grade="qualified",
                                           final_grade="qualified", appraisal="能够履行党员义务。")
                  for x in members if x.in_service]
    voted = [x for x in members if x.name != "张有才"]
    for x in members:
        Voter.objects.create(evaluation=evaluation, member=x, channel=Voter.Channel.ONLINE if x in voted else "")
    Ballot.objects.bulk_create([
        Ballot(evaluation=evaluation, committee_grade="good", receipt_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest())
        for _x in voted
    ])
    BallotMark.objects.bulk_create([BallotMark(evaluation=evaluation, candidate=c, grade="qualified")
                                    for _x in voted for c in candidates])


def _shagang(ctx, today: dt.date) -> None:
    branch, m, year = ctx.orgs["shagang1"], ctx.members["shagang1"], ctx.season.year
    held = today - dt.timedelta(days=3)
    meeting, _created = Meeting.objects.get_or_create(
        branch=branch, year=year, kind=Meeting.Kind.ANNUAL,
        defaults={
            "held_on": held, "place": "砂岗村村委会", "opinions_close_on": held - dt.timedelta(days=10),
            "talks_due_on": held - dt.timedelta(days=5), "self_reviews_due_on": held - dt.timedelta(days=2),
        },
    )
    if meeting.talks.exists():
        return
    Opinion.objects.create(meeting=meeting, received_on=held - dt.timedelta(days=12), channel=Opinion.Channel.BOX,
                           text="村务公开栏很久没有更新了。", is_anonymous=True)
    Talk.objects.create(meeting=meeting, member_a=m["杨庆弟"], member_b=m["魏兰英"], held_on=held - dt.timedelta(days=6),
                        topics="交流思想")
    now = timezone.now()
    for name in ("杨庆弟", "魏兰英"):
        SelfReview.objects.create(meeting=meeting, member=m[name], status=SelfReview.Status.SUBMITTED, submitted_at=now)


def seed(ctx) -> None:
    today = ctx.season.anchor
    supervisor = Supervisor.objects.get(user=ctx.users["supervisor"])
    _yanerping(ctx, supervisor, today)
    _shagang(ctx, today)
    # The township published last quarter's ranking of its branches (issue 18): members see where they stand.
    last = Quarter.of(today).previous
    ranking_publish(node=ctx.orgs["shuifu"], year=last.year, quarter=last.quarter, user=ctx.users["county"], today=today)


def reset(ctx) -> None:
    """Nothing of its own: the meetings, evaluations and rectification demos remove these branches' season."""
