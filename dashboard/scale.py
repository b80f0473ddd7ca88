"""One full meeting season for a county built by organizations.scale.build_county, in bulk (seed_scale).

Every branch gets an annual meeting of the season in one of five stages, drawn at random:
  none 4% · planning 10% · preparing 16% · overdue 10% (date passed, not closed) · held 60%.
About 60% of the held meetings with a supervisor had one or two forums (座谈会) before the opinions
deadline, nearly always with the supervisor on them, with member and other participants; most of those
meetings' forum-channel opinions were gathered there, half of the answered ones on the spot.
A stage decides how far the work got: opinions and their answers, required talks (by the meeting's
rule set), self-reviews, the evaluation (not set up / voting open / closed / determined / published)
and the rectification items (every status, some overdue, follow-up reviews, a few rebounds).

The evaluations app's anonymity design is kept: ballots carry no voter and no time, marks do not point
to their ballot, each table is inserted in its own random order and closed evaluations are marked
sealed; participation (Voter) rows come in roster order and only say whether and how someone voted.
Final grades never exceed the quota (evaluations.policy.excellent_quota), as the determination service
requires. Rows are inserted with bulk_create in chunks of branches so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import random
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from evaluations.models import (
    Ballot,
    BallotMark,
    Candidate,
    CommitteeGrade,
    Evaluation,
    Grade,
    PaperEntry,
    Voter,
)
from evaluations.policy import Quota, excellent_quota
from meetings.models import (
    Attendance,
    Criticism,
    Forum,
    Meeting,
    MeetingComment,
    Opinion,
    OpinionClaim,
    SelfReview,
    SelfReviewProblem,
    Talk,
)
from organizations.models import Member, Organization, Supervisor
from organizations.scale import GIVEN, SURNAMES, build_county
from rectification.models import FollowUpReview, Problem, RectificationItem

STAGES = [("none", 4), ("planning", 10), ("preparing", 16), ("overdue", 10), ("held", 60)]
EVALUATION_STATES = [("none", 5), ("open", 10), ("closed", 10), ("determined", 40), ("published", 35)]
OPINION_TEXTS = [
    "希望支部多组织到先进村学习观摩。", "党员活动日有时流于形式，学习内容与中心工作结合不紧。",
    "村里道路照明不足，晚上出行不便，希望协调解决。", "希望党员干部多入户走访，听取群众意见。",
    "党务公开栏更新不及时。", "对困难党员的关心帮扶还不够经常。", "会议通知太晚，外出务工党员赶不回来。",
    "希望加强对流动党员的联系和管理。", "办事流程还比较繁琐，希望进一步简化。", "理论学习形式单一，希望多些交流研讨。",
]
FORUM_TOPICS = ["党员群众座谈会", "服务对象座谈会", "老党员座谈会", "村（社区）干部座谈会", "流动党员视频座谈会"]
PROBLEM_TEXTS = [
    "理论学习不够系统，学用结合不紧", "联系服务群众不够经常，入户走访少", "工作标准不高，存在应付思想",
    "执行组织生活制度不够严格", "对身边不良现象批评提醒不够", "发挥先锋模范作用不明显",
]
CHUNK = 150  # branches per batch of inserts
THIRTY_PERCENT = Quota.parse("30%")  # seed 000's quota


@functools.lru_cache(maxsize=256)
def _theme_of(text: str) -> str:
    """The keyword rule's theme (rectification.themes), once per distinct text: the texts come from short lists."""
    from rectification.themes import theme_of

    return theme_of(text)


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in table], weights=[w for _k, w in table])[0]


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@dataclass
class SeasonResult:
    meetings: int = 0
    forums: int = 0
    opinions: int = 0
    talks: int = 0
    self_reviews: int = 0
    evaluations: int = 0
    ballots: int = 0
    marks: int = 0
    items: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    history: object = None  # HistoryResult: the two years of problems before (issue 20)


class _Buffers:
    """Rows waiting for bulk_create, flushed per chunk of branches; each list is shuffled first."""

    ORDER = [Candidate, Opinion, OpinionClaim, Talk, Attendance, Criticism, MeetingComment, Meeting.supervisors_present.through,
             SelfReview, SelfReviewProblem, Voter, Ballot, BallotMark, PaperEntry,
             Problem, RectificationItem, FollowUpReview]

    def __init__(self, rng: random.Random, *, copy: bool = False):
        self.rng = rng
        self.copy = copy and connection.vendor == "postgresql"
        self.rows: dict[type, list] = {m: [] for m in self.ORDER}
        self.item_problems: list[tuple[RectificationItem, Problem]] = []
        self.follow_ups: list[tuple[RectificationItem, FollowUpReview]] = []
        self.review_problems: list[tuple[SelfReview, SelfReviewProblem]] = []
        self.claims: list[OpinionClaim] = []

    def flush(self) -> None:
        for model in (Candidate, Opinion, OpinionClaim, Talk, Attendance, Criticism, MeetingComment,
                      Meeting.supervisors_present.through, Voter, Ballot, BallotMark, PaperEntry):
            rows = self.rows[model]
            if model in (Opinion, Ballot, BallotMark):
                self.rng.shuffle(rows)  # no insertion order that could follow who wrote or voted what
            if self.copy:
                copy_rows(model, rows)
            else:
                model.objects.bulk_create(rows, batch_size=5000)
            rows.clear()
        if self.copy and not self.review_problems:  # their ids are not needed
            copy_rows(SelfReview, self.rows[SelfReview])
        else:
            SelfReview.objects.bulk_create(self.rows[SelfReview], batch_size=5000)
        for review, problem in self.review_problems:
            problem.review_id = review.pk
        SelfReviewProblem.objects.bulk_create([p for _r, p in self.review_problems], batch_size=5000)
        Problem.objects.bulk_create(self.rows[Problem], batch_size=5000)
        RectificationItem.objects.bulk_create(self.rows[RectificationItem], batch_size=5000)
        through = RectificationItem.problems.through
        through.objects.bulk_create(
            [through(rectificationitem_id=i.pk, problem_id=p.pk) for i, p in self.item_problems], batch_size=5000
        )
        for item, review in self.follow_ups:
            review.item_id = item.pk
        FollowUpReview.objects.bulk_create([r for _i, r in self.follow_ups], batch_size=5000)
        for model in (SelfReview, SelfReviewProblem, Problem, RectificationItem, FollowUpReview):
            self.rows[model].clear()
        self.item_problems.clear()
        self.follow_ups.clear()
        self.review_problems.clear()


def copy_rows(model, objs: list) -> None:
    """Insert model instances through PostgreSQL's COPY (psycopg): what bulk_create does, without its
    per-value SQL compilation — for rows whose ids nobody reads back (a province's lean season)."""
    if not objs:
        return
    columns = [f for f in model._meta.concrete_fields if not (f.primary_key and f.get_internal_type().endswith("AutoField"))]
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in columns])


def _supervisors(rng: random.Random, county: Organization, branch_ids: list[int], prefix: str) -> list[Supervisor]:
    """About one 督导 per four branches, each assigned a run of neighbouring branches."""
    User = get_user_model()
    count = max(2, len(branch_ids) // 4)
    password = make_password("branchlife-demo")
    users = User.objects.bulk_create(
        [User(username=f"{prefix}-dd{i:04d}", password=password) for i in range(1, count + 1)], batch_size=2000
    )
    users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("username"))
    supervisors = Supervisor.objects.bulk_create(
        [
            Supervisor(user=u, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                       title="县派督导", organization=county)
            for u in users
        ],
        batch_size=2000,
    )
    through = Supervisor.branches.through
    links = [
        through(supervisor_id=supervisors[i * count // len(branch_ids)].pk, organization_id=bid)
        for i, bid in enumerate(branch_ids)
    ]
    through.objects.bulk_create(links, batch_size=5000)
    return supervisors


def build_season(*, county: Organization, branch_ids: list[int], year: int, seed: int = 2026,
                 today: dt.date | None = None, officer_user=None, lean: bool = False) -> SeasonResult:
    """The season's rows for `branch_ids`. `lean` (a province: 30,000 branches in minutes) keeps every row
    the dashboard counts — meetings, supervisors, opinions and claims, talks, self-reviews, attendance,
    supervisors present, evaluations with their roster, final grades and participation, rectification
    items and 回头看 — and leaves out what it does not: forums, criticisms, comments, the problems behind
    self-reviews and items, and the ballots and their marks (anonymous, never read by the dashboard)."""
    rng = random.Random(seed)
    # Forums draw from their own stream, so that adding them left the rest of a seed's season unchanged.
    forum_rng = random.Random(f"forums-{seed}")
    today = today or timezone.localdate()
    result = SeasonResult()
    supervisors = _supervisors(rng, county, branch_ids, prefix=f"s{county.pk}")
    sup_of = {}
    for sid, bid in Supervisor.branches.through.objects.filter(organization_id__in=branch_ids).values_list(
        "supervisor_id", "organization_id"
    ):
        sup_of[bid] = sid
    members_of: dict[int, list[tuple[int, str, bool]]] = {}
    for mid, bid, post, in_service in (
        Member.objects.filter(branch_id__in=branch_ids, is_active=True).order_by("branch_id", "id")
        .values_list("id", "branch_id", "committee_post", "in_service")
    ):
        members_of.setdefault(bid, []).append((mid, post, in_service))
    entry_user = officer_user or get_user_model().objects.filter(pk=supervisors[0].user_id).first()

    with transaction.atomic():
        for start in range(0, len(branch_ids), CHUNK):
            chunk = branch_ids[start : start + CHUNK]
            plans = {bid: _pick(rng, STAGES) for bid in chunk}
            meetings = _meetings(rng, plans, year, today)
            Meeting.objects.bulk_create(list(meetings.values()), batch_size=2000)
            through = Meeting.supervisors.through
            named = [through(meeting_id=m.pk, supervisor_id=sup_of[bid]) for bid, m in meetings.items()
                     if bid in sup_of and (plans[bid] != "planning" or rng.random() < 0.5)]
            through.objects.bulk_create(named, batch_size=5000)
            forums_of = {} if lean else _forums(
                forum_rng, meetings, plans, {t.meeting_id: t.supervisor_id for t in named}, members_of, today
            )
            result.forums += sum(len(f) for f in forums_of.values())
            buffers = _Buffers(rng, copy=lean)
            evaluations: dict[int, tuple[Evaluation, str]] = {}
            for bid, meeting in meetings.items():
                members = members_of.get(bid, [])
                stage = plans[bid]
                result.opinions += _opinions(rng, buffers, meeting, members, stage, today, forums_of.get(meeting.pk, []),
                                             forum_rng)
                result.talks += _talks(rng, buffers, meeting, members, stage)
                result.self_reviews += _reviews(rng, buffers, meeting, members, stage, today)
                if stage == "held":
                    _meeting_record(rng, buffers, meeting, members, sup_of.get(bid), lean=lean)
                    state = _pick(rng, EVALUATION_STATES)
                    if state != "none":
                        evaluations[bid] = (_evaluation(meeting, state, today), state)
            Evaluation.objects.bulk_create([e for e, _s in evaluations.values()], batch_size=2000)
            for bid, (evaluation, state) in evaluations.items():
                if lean:
                    _roster(rng, buffers, evaluation, state, members_of.get(bid, []))
                    b = m = 0
                else:
                    b, m = _ballots(rng, buffers, evaluation, state, members_of.get(bid, []), entry_user)
                result.ballots += b
                result.marks += m
                result.evaluations += 1
            for bid, meeting in meetings.items():
                if plans[bid] == "held":
                    result.items += _items(rng, buffers, meeting, members_of.get(bid, []), today)
            if lean:
                buffers.review_problems.clear()
                buffers.rows[Problem].clear()
                buffers.item_problems.clear()
            buffers.flush()
            result.meetings += len(meetings)
            for stage in plans.values():
                result.counts[stage] = result.counts.get(stage, 0) + 1
    return result


def _meetings(rng: random.Random, plans: dict[int, str], year: int, today: dt.date) -> dict[int, Meeting]:
    out = {}
    for bid, stage in plans.items():
        if stage == "none":
            continue
        if stage == "planning":
            held = today + dt.timedelta(days=rng.randint(20, 40)) if rng.random() < 0.7 else None
        elif stage == "preparing":
            held = today + dt.timedelta(days=rng.randint(2, 15))
        elif stage == "overdue":
            held = today - dt.timedelta(days=rng.randint(3, 12))
        else:
            held = today - dt.timedelta(days=rng.randint(10, 70))
        base = held or today + dt.timedelta(days=30)
        out[bid] = Meeting(
            branch_id=bid, kind=Meeting.Kind.ANNUAL, year=year, held_on=held,
            starts_at=dt.time(9, 0) if held else None, place="党员活动室" if held else "",
            excellent_quota=None if rng.random() < 0.03 else THIRTY_PERCENT,
            opinions_close_on=base - dt.timedelta(days=10), talks_due_on=base - dt.timedelta(days=6),
            self_reviews_due_on=base - dt.timedelta(days=3), ballot_closes_at=_aware(base, 17),
            rectification_plans_due_on=base + dt.timedelta(days=14),
            talk_rule_set=Meeting.TalkRuleSet.FOUR if rng.random() < 0.2 else Meeting.TalkRuleSet.THREE,
            closed_at=_aware(held, 12) if stage == "held" else None,
            ready_at=_aware(held - dt.timedelta(days=1), 10) if stage in ("held", "overdue") else None,
        )
    return out


def _progress(rng: random.Random, stage: str) -> float:
    """How much of the preparation a branch in this stage has done."""
    if stage == "held":  # most branches that met had finished preparing; some had not
        return rng.uniform(0.97, 1.0) if rng.random() < 0.85 else rng.uniform(0.75, 0.95)
    return {"planning": rng.uniform(0.0, 0.3), "preparing": rng.uniform(0.3, 0.95), "overdue": rng.uniform(0.5, 0.95)}[stage]


def _forums(rng, meetings: dict[int, Meeting], plans: dict[int, str], named: dict[int, int], members_of,
            today: dt.date) -> dict[int, list[Forum]]:
    """座谈会 of the held meetings that have a supervisor (about 60% of them), inserted at once; by meeting id."""
    forums: list[Forum] = []
    for bid, meeting in meetings.items():
        if plans[bid] != "held" or meeting.pk not in named or rng.random() >= 0.6:
            continue
        size = len(members_of.get(bid, []))
        for _i in range(1 if rng.random() < 0.7 else 2):
            day = min(today, meeting.opinions_close_on or today) - dt.timedelta(days=rng.randint(0, 20))
            forums.append(Forum(
                meeting=meeting, held_on=day, topic=rng.choice(FORUM_TOPICS), place="党员活动室",
                member_participants=max(1, round(size * rng.uniform(0.5, 0.95))), other_participants=rng.randint(0, 15),
            ))
    Forum.objects.bulk_create(forums, batch_size=2000)
    through = Forum.supervisors.through
    through.objects.bulk_create(
        [through(forum_id=f.pk, supervisor_id=named[f.meeting_id]) for f in forums if rng.random() < 0.9],
        batch_size=5000,
    )
    out: dict[int, list[Forum]] = {}
    for f in forums:
        out.setdefault(f.meeting_id, []).append(f)
    return out


def _opinions(rng, buffers: _Buffers, meeting: Meeting, members, stage: str, today: dt.date,
              forums: list[Forum], forum_rng: random.Random) -> int:
    n = rng.randint(0, 3) if stage == "planning" else rng.randint(3, 14)
    done_share = {"planning": 0.0, "preparing": 0.3, "overdue": 0.6, "held": 1.0}[stage] * _progress(rng, stage)
    channels = [c for c, _l in Opinion.Channel.choices]
    for _i in range(n):
        channel = rng.choice(channels)
        anonymous = channel in ("public", "box") or rng.random() < 0.2
        author = None if anonymous or not members else rng.choice(members)[0]
        if forums and forum_rng.random() < 0.3:
            channel = Opinion.Channel.FORUM
        status = Opinion.Status.OPEN
        if rng.random() < done_share:
            status = rng.choice([Opinion.Status.ANSWERED, Opinion.Status.RESOLVED])
        received = min(today, (meeting.opinions_close_on or today)) - dt.timedelta(days=rng.randint(0, 20))
        answered_on = received + dt.timedelta(days=3)
        forum = forum_rng.choice(forums) if channel == Opinion.Channel.FORUM and forums else None
        if forum is not None:
            received = forum.held_on
            answered_on = received if forum_rng.random() < 0.5 else received + dt.timedelta(days=3)
        target_member = rng.choice(members)[0] if members and rng.random() < 0.3 else None
        opinion = Opinion(
            id=uuid.uuid4(), meeting=meeting, received_on=received, channel=channel, text=rng.choice(OPINION_TEXTS),
            is_anonymous=anonymous, author_member_id=author,
            target_kind=Opinion.Target.MEMBER if target_member else Opinion.Target.COMMITTEE,
            target_member_id=target_member, category=rng.choice(Opinion.Category.values), status=status,
            answer="已研究并落实。" if status != Opinion.Status.OPEN else "",
            answered_on=answered_on if status != Opinion.Status.OPEN else None, forum=forum,
        )
        buffers.rows[Opinion].append(opinion)
        if members and rng.random() < 0.7:
            claimant = target_member or next((m for m, post, _s in members if post == "secretary"), members[0][0])
            buffers.rows[OpinionClaim].append(OpinionClaim(opinion_id=opinion.id, member_id=claimant, claimed_on=received))
    return n


def _talks(rng, buffers: _Buffers, meeting: Meeting, members, stage: str) -> int:
    """The required talks of the meeting's rule set, each done with the stage's probability."""
    share = _progress(rng, stage)
    committee = [m for m, post, _s in members if post]
    ordinary = [m for m, post, _s in members if not post]
    secretary = next((m for m, post, _s in members if post == "secretary"), None)
    held = meeting.talks_due_on or dt.date(meeting.year, 11, 1)
    pairs: list[tuple[int, int | None, str]] = []
    for i, a in enumerate(committee):
        for b in committee[i + 1:]:
            pairs.append((a, b, ""))
    if meeting.talk_rule_set == Meeting.TalkRuleSet.THREE and committee:
        pairs += [(a, committee[i % len(committee)], "") for i, a in enumerate(ordinary)]
    if len(ordinary) > 1:
        pairs += [(a, ordinary[(i + 1) % len(ordinary)], "") for i, a in enumerate(ordinary)]
    if meeting.talk_rule_set == Meeting.TalkRuleSet.FOUR and secretary:
        pairs += [(secretary, None, "leader"), (secretary, None, "recipient")]
    n = 0
    for a, b, other in pairs:
        if rng.random() >= share:
            continue
        buffers.rows[Talk].append(
            Talk(meeting=meeting, member_a_id=a, member_b_id=b, other_kind=other,
                 other_name="分管领导" if other == "leader" else ("服务对象代表" if other else ""),
                 held_on=held - dt.timedelta(days=rng.randint(0, 20)), topics="交流思想，相互提醒")
        )
        n += 1
    return n


def _reviews(rng, buffers: _Buffers, meeting: Meeting, members, stage: str, today: dt.date) -> int:
    share = _progress(rng, stage)
    now = timezone.now()
    n = 0
    for mid, _post, _s in members:
        roll = rng.random()
        if roll < share:
            status = SelfReview.Status.APPROVED if stage == "held" or rng.random() < 0.5 else SelfReview.Status.SUBMITTED
        elif roll < share + 0.05:
            status = SelfReview.Status.RETURNED
        elif roll < share + 0.1:
            status = SelfReview.Status.DRAFT
        else:
            continue
        review = SelfReview(
            meeting=meeting, kind=SelfReview.Kind.MEMBER, member_id=mid, status=status,
            root_causes="理想信念有所松懈。", measures="每月对照检查一次，年底前完成。", direction="做一名合格党员。",
            submitted_at=now if status != SelfReview.Status.DRAFT else None,
            reviewed_at=now if status in (SelfReview.Status.APPROVED, SelfReview.Status.RETURNED) else None,
        )
        buffers.rows[SelfReview].append(review)
        buffers.review_problems.append((review, SelfReviewProblem(aspect="", text=rng.choice(PROBLEM_TEXTS), measure="按月整改")))
        n += 1
    if stage in ("held", "overdue") or rng.random() < share:
        buffers.rows[SelfReview].append(
            SelfReview(meeting=meeting, kind=SelfReview.Kind.COMMITTEE, member=None, status=SelfReview.Status.APPROVED,
                       submitted_at=now, reviewed_at=now)
        )
    return n


def _meeting_record(rng, buffers: _Buffers, meeting: Meeting, members, supervisor_id: int | None, *,
                    lean: bool = False) -> None:
    """Attendance, the supervisor's presence and comment (点评), criticism and self-criticism."""
    present = []
    for mid, _post, in_service in members:
        if rng.random() < (0.93 if in_service else 0.75):
            buffers.rows[Attendance].append(Attendance(meeting=meeting, member_id=mid))
            present.append(mid)
        else:
            status = rng.choice([Attendance.Status.LEAVE, Attendance.Status.ABSENT])
            buffers.rows[Attendance].append(
                Attendance(meeting=meeting, member_id=mid, status=status, reason=rng.choice(["外出务工", "因病", "公务"]))
            )
    if supervisor_id and rng.random() < 0.85:
        buffers.rows[Meeting.supervisors_present.through].append(
            Meeting.supervisors_present.through(meeting_id=meeting.pk, supervisor_id=supervisor_id)
        )
        buffers.rows[MeetingComment].append(
            MeetingComment(meeting=meeting, kind=MeetingComment.Kind.SUPERVISOR, supervisor_id=supervisor_id,
                           text="会前准备充分，批评开门见山；整改措施要再具体一些。")
        )
    if lean:
        buffers.rows[MeetingComment].clear()
        return
    for mid in present:
        buffers.rows[Criticism].append(Criticism(meeting=meeting, giver_id=mid, receiver_id=mid, is_self=True,
                                                 text=rng.choice(PROBLEM_TEXTS)))
        others = [m for m in present if m != mid]
        if others:
            buffers.rows[Criticism].append(Criticism(meeting=meeting, giver_id=rng.choice(others), receiver_id=mid,
                                                     text=rng.choice(PROBLEM_TEXTS)))


def _evaluation(meeting: Meeting, state: str, today: dt.date) -> Evaluation:
    opens = _aware(meeting.held_on, 9)
    closes = _aware(today + dt.timedelta(days=2), 17) if state == "open" else _aware(meeting.held_on, 17)
    now = timezone.now()
    return Evaluation(
        meeting=meeting, excellent_quota=meeting.excellent_quota, opens_at=opens, closes_at=closes,
        sealed_at=now if state != "open" else None,
        determined_at=now if state in ("determined", "published") else None,
        published_at=now if state == "published" else None,
        publication_ends_on=today + dt.timedelta(days=7) if state == "published" else None,
    )


def _ballots(rng, buffers: _Buffers, evaluation: Evaluation, state: str, members, entry_user) -> tuple[int, int]:
    """Roster, participation, ballots and marks consistent with each other; final grades within quota."""
    candidates = [m for m, _post, in_service in members if in_service]
    cand_objs = Candidate.objects.bulk_create([Candidate(evaluation=evaluation, member_id=m) for m in candidates])
    quota = excellent_quota(quota=evaluation.excellent_quota, candidates=len(candidates))
    cap = quota if quota is not None else len(candidates)
    # Who the branch sees as 优秀 / 基本合格 / 不合格: what the votes lean to and the final grades follow.
    order = list(cand_objs)
    rng.shuffle(order)
    leaning: dict[int, str] = {}
    n_excellent = min(cap, max(0, round(len(order) * rng.uniform(0.15, 0.3))))
    for i, c in enumerate(order):
        if i < n_excellent:
            leaning[c.pk] = Grade.EXCELLENT
        elif rng.random() < 0.04:
            leaning[c.pk] = Grade.BASIC
        elif rng.random() < 0.005:
            leaning[c.pk] = Grade.UNQUALIFIED
        else:
            leaning[c.pk] = Grade.QUALIFIED
    turnout = rng.uniform(0.85, 1.0) if state != "open" else rng.uniform(0.2, 0.7)
    online = paper = 0
    for mid, _post, _s in members:
        channel = ""
        if rng.random() < turnout:
            channel = Voter.Channel.PAPER if rng.random() < 0.3 else Voter.Channel.ONLINE
            online += channel == Voter.Channel.ONLINE
            paper += channel == Voter.Channel.PAPER
        buffers.rows[Voter].append(Voter(evaluation=evaluation, member_id=mid, channel=channel))
    ballots = online + paper
    marks = 0
    for k in range(ballots):
        is_online = k < online
        grades = {c.pk: (leaning[c.pk] if rng.random() < 0.8 else Grade.QUALIFIED) for c in cand_objs}
        chosen = [cid for cid, g in grades.items() if g == Grade.EXCELLENT]
        for cid in chosen[cap:]:  # a ballot over the quota would be refused (online) or invalid (paper)
            grades[cid] = Grade.QUALIFIED
        buffers.rows[Ballot].append(
            Ballot(id=uuid.uuid4(), evaluation=evaluation, committee_grade=rng.choice(CommitteeGrade.values[:3]),
                   receipt_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest() if is_online else "")
        )
        for cid, grade in grades.items():
            buffers.rows[BallotMark].append(BallotMark(id=uuid.uuid4(), evaluation=evaluation, candidate_id=cid, grade=grade))
            marks += 1
    if paper and entry_user is not None:
        buffers.rows[PaperEntry].append(
            PaperEntry(evaluation=evaluation, entered_by=entry_user, kind=PaperEntry.Kind.TOTALS, ballots=paper,
                       content={"note": "规模测试数据"})
        )
    if state in ("determined", "published"):
        for c in cand_objs:
            c.suggested_grade = c.final_grade = leaning[c.pk]
            c.appraisal = "能够发挥党员先锋模范作用。"
        Candidate.objects.bulk_update(cand_objs, ["suggested_grade", "final_grade", "appraisal"], batch_size=2000)
    return ballots, marks


def _roster(rng, buffers: _Buffers, evaluation: Evaluation, state: str, members) -> None:
    """A lean season's evaluation: the roster with final grades within the quota (when determined) and
    the participation record; no ballots."""
    candidates = [m for m, _post, in_service in members if in_service]
    quota = excellent_quota(quota=evaluation.excellent_quota, candidates=len(candidates))
    cap = quota if quota is not None else len(candidates)
    determined = state in ("determined", "published")
    excellent = min(cap, max(0, round(len(candidates) * rng.uniform(0.15, 0.3))))
    for i, mid in enumerate(candidates):
        grade = ""
        if determined:
            grade = Grade.EXCELLENT if i < excellent else Grade.BASIC if rng.random() < 0.04 else Grade.QUALIFIED
        buffers.rows[Candidate].append(Candidate(evaluation=evaluation, member_id=mid, suggested_grade=grade, final_grade=grade))
    turnout = rng.uniform(0.85, 1.0) if state != "open" else rng.uniform(0.2, 0.7)
    for mid, _post, _s in members:
        channel = ""
        if rng.random() < turnout:
            channel = Voter.Channel.PAPER if rng.random() < 0.3 else Voter.Channel.ONLINE
        buffers.rows[Voter].append(Voter(evaluation=evaluation, member_id=mid, channel=channel))


def _items(rng, buffers: _Buffers, meeting: Meeting, members, today: dt.date) -> int:
    """Rectification items of a held meeting: every status, some overdue, some closed late, 回头看."""
    if not members:
        return 0
    age = (today - meeting.held_on).days
    n = max(1, len(members) // 3 + rng.randint(-2, 3))
    for _i in range(n):
        mid = rng.choice(members)[0]
        text = rng.choice(PROBLEM_TEXTS)
        problem = Problem(meeting=meeting, member_id=mid, text=text, theme=_theme_of(text), source_kind=rng.choice(
            [Problem.SourceKind.SELF_REVIEW, Problem.SourceKind.CRITICISM, Problem.SourceKind.OPINION]))
        deadline = meeting.held_on + dt.timedelta(days=rng.randint(20, 90))
        roll = rng.random() * min(1.0, age / 60 + 0.2)
        status = (
            RectificationItem.Status.CLOSED if roll > 0.45 else RectificationItem.Status.PENDING if roll > 0.35
            else RectificationItem.Status.IN_PROGRESS if roll > 0.1 else RectificationItem.Status.NOT_STARTED
        )
        closed_at = None
        if status == RectificationItem.Status.CLOSED:
            latest = min(today, deadline + dt.timedelta(days=10))
            first = meeting.held_on + dt.timedelta(days=5)
            closed_day = first + dt.timedelta(days=rng.randint(0, max(0, (latest - first).days)))
            closed_at = _aware(min(closed_day, today), 16)
        item = RectificationItem(
            branch_id=meeting.branch_id, meeting=meeting, title=text[:30], goal="问题得到解决，群众满意。",
            measures="制定计划\n按月推进\n接受监督", responsible_id=mid, deadline=deadline,
            commitment="按期完成，接受党员群众监督。", status=status, closed_at=closed_at,
        )
        buffers.rows[Problem].append(problem)
        buffers.rows[RectificationItem].append(item)
        buffers.item_problems.append((item, problem))
        if closed_at and rng.random() < 0.4:
            result = FollowUpReview.Result.REBOUND if rng.random() < 0.1 else FollowUpReview.Result.CONSOLIDATED
            buffers.follow_ups.append(
                (item, FollowUpReview(reviewed_on=min(today, closed_at.date() + dt.timedelta(days=15)), result=result,
                                      note="回头看"))
            )
    return n


# ---------------------------------------------------------------- three years of problems (issue 20 item 5)
# Each kind of problem in the words members really vary it with (reworded, never copied from year to year):
# the first of each is a PROBLEM_TEXTS line of the season above, the others say the same thing differently.
REWORDINGS: list[list[str]] = [
    [PROBLEM_TEXTS[0], "政治理论学习系统性不强，停留在读原文、记笔记", "学习浅尝辄止，学用脱节",
     "理论武装不够深入，学习心得联系实际工作少"],
    [PROBLEM_TEXTS[1], "下村入户次数少，对群众所思所盼了解不多", "密切联系群众不够，很少到群众家中拉家常",
     "走访群众走马观花，对群众反映的问题跟进不及时"],
    [PROBLEM_TEXTS[2], "工作满足于过得去、差不多，精益求精不够", "对工作要求不严，有应付了事的现象",
     "干工作只求完成，不求标准"],
    [PROBLEM_TEXTS[3], "参加三会一课不够经常，以工作忙为由请假", "组织生活出勤率不高，有时缺席主题党日",
     "对支部活动重视不够，请假较多"],
    [PROBLEM_TEXTS[4], "批评与自我批评辣味不足，存在好人主义", "碍于情面，对同志的问题提意见不痛不痒",
     "相互批评怕伤和气，点问题不具体"],
    [PROBLEM_TEXTS[5], "党员身份意识不强，在群众中表率作用发挥不够", "亮身份、作表率不主动，和普通群众没有区别",
     "在急难险重任务面前先锋模范作用体现不充分"],
]
KIND_OF_TEXT = {text: k for k, texts in enumerate(REWORDINGS) for text in texts}
CAME_BACK = 0.35  # the share of a year's problems the same member had the year before (in other words)


@dataclass
class HistoryResult:
    meetings: int = 0
    problems: int = 0
    items: int = 0
    linked: int = 0  # problems of the three years that came back from an earlier one


def _reword(rng: random.Random, kind: int, avoid: str) -> str:
    return rng.choice([t for t in REWORDINGS[kind] if t != avoid])


def build_problem_history(*, branch_ids: list[int], year: int, seed: int = 2026,
                          today: dt.date | None = None) -> HistoryResult:
    """The two annual meetings before `year`'s for every branch that held one this year, closed, with
    problem lists and items (mostly closed, some 回头看, a few rebounds): each of this year's problems
    came back from last year with probability CAME_BACK (reworded), and so on one year further back, so
    that some are three years running; then every problem of the three years is linked
    (rectification.recurrence.link, the matcher itself — the words differ, the kind is the same)."""
    from rectification.recurrence import Row, link

    rng = random.Random(f"history-{seed}")
    today = today or timezone.localdate()
    result = HistoryResult()
    current = list(
        Problem.objects.filter(meeting__branch_id__in=branch_ids, meeting__year=year, member__isnull=False)
        .values_list("id", "member_id", "meeting__branch_id", "text")
    )
    members_of: dict[int, list[int]] = {}
    for mid, bid in Member.objects.filter(branch_id__in=branch_ids, is_active=True).values_list("id", "branch_id"):
        members_of.setdefault(bid, []).append(mid)
    held_branches = sorted({bid for _p, _m, bid, _t in current})
    with transaction.atomic():
        # year -> [(member, branch, text)], built backwards from this year's problems
        wanted: dict[int, list[tuple[int, int, str]]] = {year - 1: [], year - 2: []}
        for _pk, mid, bid, text in current:
            kind = KIND_OF_TEXT.get(text)
            before, later = year - 1, text
            while kind is not None and before >= year - 2 and rng.random() < CAME_BACK:
                later = _reword(rng, kind, later)
                wanted[before].append((mid, bid, later))
                before -= 1
        for y in (year - 1, year - 2):  # and problems that did not come back
            for bid in held_branches:
                for mid in rng.sample(members_of.get(bid, []), k=min(len(members_of.get(bid, [])), 3)):
                    if rng.random() < 0.5:
                        wanted[y].append((mid, bid, rng.choice(rng.choice(REWORDINGS))))
        for y in (year - 2, year - 1):
            held_on = today - dt.timedelta(days=365 * (year - y))
            meetings = {
                bid: Meeting(branch_id=bid, year=y, kind=Meeting.Kind.ANNUAL, held_on=held_on, place="党员活动室",
                             closed_at=_aware(held_on, 12))
                for bid in held_branches
            }
            Meeting.objects.bulk_create(list(meetings.values()), batch_size=2000)
            result.meetings += len(meetings)
            buffers = _Buffers(rng)
            for mid, bid, text in wanted[y]:
                meeting = meetings[bid]
                problem = Problem(meeting=meeting, member_id=mid, text=text, theme=_theme_of(text),
                                  source_kind=Problem.SourceKind.SELF_REVIEW)
                closed = rng.random() < 0.85
                closed_at = _aware(held_on + dt.timedelta(days=rng.randint(20, 80)), 16) if closed else None
                item = RectificationItem(
                    branch_id=bid, meeting=meeting, title=text[:30], goal="问题得到解决，群众满意。",
                    measures="制定计划\n按月推进\n接受监督", responsible_id=mid,
                    deadline=held_on + dt.timedelta(days=90), commitment="按期完成，接受党员群众监督。",
                    status=RectificationItem.Status.CLOSED if closed else RectificationItem.Status.IN_PROGRESS,
                    closed_at=closed_at,
                )
                buffers.rows[Problem].append(problem)
                buffers.rows[RectificationItem].append(item)
                buffers.item_problems.append((item, problem))
                if closed and rng.random() < 0.5:
                    rebound = rng.random() < 0.15
                    buffers.follow_ups.append((item, FollowUpReview(
                        reviewed_on=closed_at.date() + dt.timedelta(days=60), note="回头看",
                        result=FollowUpReview.Result.REBOUND if rebound else FollowUpReview.Result.CONSOLIDATED,
                    )))
                result.problems += 1
                result.items += 1
            buffers.flush()
        # Link the three years in order, so that streaks add up (what problem_list_build does for one list).
        rows = list(
            Problem.objects.filter(meeting__branch_id__in=branch_ids, meeting__year__gte=year - 2,
                                   meeting__year__lte=year, member__isnull=False, merged_into__isnull=True)
            .values_list("id", "member_id", "meeting__branch_id", "meeting__year", "text")
        )
        done: list[Row] = []
        changed: list[Problem] = []
        for y in (year - 2, year - 1, year):
            of_year = [Row(pk, mid, bid, y, text) for pk, mid, bid, yy, text in rows if yy == y]
            links = link(of_year, done)
            for r in of_year:
                recurs_of_id, streak = links[r.id]
                done.append(Row(r.id, r.member_id, r.branch_id, y, r.text, streak))
                if recurs_of_id:
                    changed.append(Problem(pk=r.id, recurs_of_id=recurs_of_id, streak=streak))
        Problem.objects.bulk_update(changed, ["recurs_of", "streak"], batch_size=5000)
        result.linked = len(changed)
    return result


def build(*, name: str, branches: int, members: int, year: int, seed: int = 2026,
          officer_username: str | None = None) -> tuple[object, SeasonResult]:
    """The county (organizations.scale) and its season, for the seed_scale command and the tests."""
    with transaction.atomic():
        county = build_county(name=name, branches=branches, members=members, seed=seed, officer_username=officer_username)
        officer_user = None
        if officer_username:
            officer_user = get_user_model().objects.get(username=officer_username)
        season = build_season(county=county.county, branch_ids=county.branch_ids, year=year, seed=seed,
                              officer_user=officer_user)
        season.history = build_problem_history(branch_ids=county.branch_ids, year=year, seed=seed)
    return county, season
