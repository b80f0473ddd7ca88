"""Reads for the meetings app. Other apps use members_present, talk_coverage, self_reviews_missing and
opinions_summary; they are part of the contract between the apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchlife.dates import cn_date
from branchlife.permissions import branches_visible_to
from organizations.models import Member, Supervisor

from . import quality, talks
from .models import (
    AgendaItem,
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
    talk_awaiting_confirmation_q,
    talk_confirmer_q,
)

POST_ORDER = {post: i for i, post in enumerate(Member.COMMITTEE_POSTS)}


def _member_order(m: Member):
    return (POST_ORDER.get(m.committee_post, len(POST_ORDER)), m.name, m.pk)


# ---------------------------------------------------------------- meetings
def meeting_list(*, user, search: str = "", year: int | None = None, kind: str = "", status: str = "") -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(branch__in=branches_visible_to(user))
    if hasattr(user, "supervisor"):
        qs = Meeting.objects.filter(Q(branch__in=branches_visible_to(user)) | Q(supervisors__user=user)).distinct()
    if search:
        qs = qs.filter(Q(branch__name__icontains=search) | Q(theme__icontains=search) | Q(place__icontains=search))
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if status == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_at__isnull=False)
    return qs.select_related("branch").prefetch_related("supervisors").order_by("-year", "-held_on", "branch__path", "-id")


def meeting_members(*, meeting: Meeting) -> list[Member]:
    """The branch's members on the roll, secretary and committee first (the order of every table)."""
    return sorted(Member.objects.filter(branch_id=meeting.branch_id, is_active=True), key=_member_order)


def current_meeting(*, member: Member) -> Meeting | None:
    """The meeting a member is working on: the branch's latest one still open, else its latest one."""
    qs = Meeting.objects.filter(branch_id=member.branch_id).select_related("branch")
    return qs.filter(closed_at__isnull=True).order_by("-year", "-id").first() or qs.order_by("-year", "-id").first()


def meeting_phase(*, meeting: Meeting, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if meeting.closed_at:
        return _("已召开")
    if meeting.held_on == today:
        return _("会议进行中")
    if meeting.held_on and meeting.held_on < today:
        # Its day has passed and nobody closed it: without any attendance it was not held at all (issue 24 item 10).
        return _("已过会期，未召开") if meeting_missed(meeting=meeting, today=today) else _("召开日期已过，尚未结束")
    if meeting.ready_at:
        return _("准备就绪")
    return _("会前准备")


def meeting_missed(*, meeting: Meeting, today: dt.date | None = None) -> bool:
    """已过会期，未召开: the meeting's day has passed, it is not closed and no attendance was recorded (a meeting
    that was held has its roll). Derived from what is stored, so the secretary, the timeline and the township's
    dashboard read the same state (the dashboard's folded copy: dashboard.scoring.meeting_flags)."""
    today = today or timezone.localdate()
    if meeting.closed_at is not None or meeting.held_on is None or meeting.held_on >= today:
        return False
    return not Attendance.objects.filter(meeting=meeting).exists()


# ---------------------------------------------------------------- talks
def talk_coverage(*, meeting: Meeting, members: list[Member] | None = None) -> talks.TalkCoverage:
    """Required talks (from the meeting's rule set), which are done and which are missing."""
    members = members if members is not None else meeting_members(meeting=meeting)
    talk_rows = list(Talk.objects.filter(meeting=meeting).select_related("member_a", "member_b"))
    return talks.coverage(rules=talks.rules_of(meeting), members=members, talks=talk_rows)


def talk_list(*, meeting: Meeting, search: str = "", member_id: int | None = None) -> QuerySet[Talk]:
    qs = Talk.objects.filter(meeting=meeting).select_related("member_a", "member_b")
    if search:
        qs = qs.filter(
            Q(member_a__name__icontains=search)
            | Q(member_b__name__icontains=search)
            | Q(other_name__icontains=search)
            | Q(topics__icontains=search)
        )
    if member_id:
        qs = qs.filter(Q(member_a_id=member_id) | Q(member_b_id=member_id))
    return qs.order_by("-held_on", "-id")


@dataclass
class CoverageMatrix:
    members: list[Member]
    rows: list[tuple[Member, list[str]]]  # cell: "" | "self" | "done" | "pending" | "missing" | "extra"
    outside: list[talks.TalkPair]


CELL_RANK = {"missing": 1, "pending": 2, "done": 3}


def coverage_matrix(*, meeting: Meeting, members: list[Member], coverage: talks.TalkCoverage, talk_rows) -> CoverageMatrix:
    """Members × members: required and done, required and waiting for the other side's confirmation,
    required and missing, or talked although not required (a disputed talk marks nothing)."""
    index = {m.pk: i for i, m in enumerate(members)}
    cells = [["" for _m in members] for _n in members]
    for i in range(len(members)):
        cells[i][i] = "self"
    for talk in talk_rows:
        if talk.member_b_id and talk.member_a_id in index and talk.member_b_id in index:
            i, j = index[talk.member_a_id], index[talk.member_b_id]
            if talk.counts:
                cells[i][j] = cells[j][i] = "extra"
            elif talk.awaiting_confirmation and cells[i][j] != "extra":
                cells[i][j] = cells[j][i] = "pending"
    required: dict[tuple[int, int], str] = {}
    for pair in coverage.required:
        if pair.b is None or pair.a is None or pair.a.pk not in index or pair.b.pk not in index:
            continue
        i, j = sorted((index[pair.a.pk], index[pair.b.pk]))
        state = pair.state
        if CELL_RANK[state] > CELL_RANK.get(required.get((i, j), ""), 0):
            required[(i, j)] = state
    for (i, j), state in required.items():
        cells[i][j] = cells[j][i] = state
    outside = [p for p in coverage.required if p.other_kind]
    return CoverageMatrix(members=members, rows=list(zip(members, cells, strict=True)), outside=outside)


def talk_rows_with_state(*, meeting: Meeting, talk_rows, user) -> list[Talk]:
    """The talk list's rows, each with `.state_label`: the confirmation state, where a disputed talk is
    named as such only to whom the rule meetings.view_talk_dispute allows (the two, the recorder and the
    secretary); others read "未计入". No query per row."""
    rows = list(talk_rows)
    for t in rows:
        t.meeting = meeting  # what the rule reads (the branch), already loaded
        state = t.confirmation_state
        if state == Talk.State.DISPUTED and not user.has_perm("meetings.view_talk_dispute", t):
            t.state_label, t.show_dispute = _("未计入"), False
        else:
            t.state_label, t.show_dispute = Talk.State(state).label, state == Talk.State.DISPUTED
    return rows


def talks_to_confirm(*, member: Member) -> QuerySet[Talk]:
    """Talks this member must still confirm or dispute, in the branch's open meetings, oldest first.

    For other apps (the notification rule of issue 16 item 5). Each row is a `Talk` with `meeting`,
    `member_a`, `member_b` loaded; useful fields: `held_on`, `topics`, `partner_name`, `recorded_by_id`
    (the user who recorded it: the other party), `confirmed_at` and `disputed_at` (both None here),
    `dispute_note`; `meeting.talks_due_on` for a deadline. The member confirms at
    POST meetings:talk_confirm (pk) or disputes at POST meetings:talk_dispute (pk, optional `note`), both
    offered on 我的待办 (meetings:my_home, anchor #todo-confirm-<meeting pk>).
    Who must confirm is Talk.confirmer_id (the SQL twin: models.talk_confirmer_q).
    """
    return (
        Talk.objects.filter(talk_confirmer_q(member.pk), meeting__closed_at__isnull=True, meeting__branch_id=member.branch_id)
        .filter(confirmed_at__isnull=True, disputed_at__isnull=True)
        .select_related("meeting__branch", "member_a", "member_b")
        .order_by("held_on", "pk")
    )


def talks_awaiting_confirmation() -> QuerySet[Talk]:
    """Every talk still waiting for its other side, in open meetings (for a scan over all members): group
    the rows by `talk.confirmer_id` (the member who must answer; the rows carry member_a and member_b, so
    reading it costs no query) and only act where that member is still in the meeting's branch
    (`confirmer.branch_id == talk.meeting.branch_id`), as talks_to_confirm() does."""
    return (
        Talk.objects.filter(talk_awaiting_confirmation_q(), meeting__closed_at__isnull=True)
        .select_related("meeting__branch", "member_a", "member_b")
        .order_by("meeting_id", "held_on", "pk")
    )


# ---------------------------------------------------------------- self-reviews
def self_review_rows(*, meeting: Meeting, members: list[Member] | None = None, status: str = "", search: str = ""):
    """One row per member on the roll: (member, review or None), filtered by status ("missing" = none yet)."""
    members = members if members is not None else meeting_members(meeting=meeting)
    reviews = {
        r.member_id: r
        for r in SelfReview.objects.filter(meeting=meeting, kind=SelfReview.Kind.MEMBER).annotate(n_problems=Count("problems"))
    }
    rows = [(m, reviews.get(m.pk)) for m in members]
    if search:
        rows = [(m, r) for m, r in rows if search in m.name]
    if status == "missing":
        rows = [(m, r) for m, r in rows if r is None or r.status not in SelfReview.DONE_STATUSES]
    elif status:
        rows = [(m, r) for m, r in rows if r is not None and r.status == status]
    return rows


@dataclass(frozen=True)
class ReviewNeighbours:
    previous: SelfReview | None
    next: SelfReview | None
    next_waiting: SelfReview | None  # the next one (after this, wrapping round) submitted and not yet decided


def self_review_neighbours(*, review: SelfReview) -> ReviewNeighbours:
    """The reviews before and after this one in the list's order (the roll's), so the secretary goes from one
    to the next without the list (issue 24 item 15); two queries."""
    rows = [(m, r) for m, r in self_review_rows(meeting=review.meeting) if r is not None]
    ids = [r.pk for _m, r in rows]
    if review.pk not in ids:
        return ReviewNeighbours(None, None, None)
    i = ids.index(review.pk)
    later = [r for _m, r in rows[i + 1:] + rows[:i]]
    return ReviewNeighbours(
        previous=rows[i - 1][1] if i > 0 else None,
        next=rows[i + 1][1] if i + 1 < len(rows) else None,
        next_waiting=next((r for r in later if r.status == SelfReview.Status.SUBMITTED), None),
    )


def self_reviews_missing(*, meeting: Meeting) -> list[Member]:
    """Members on the roll whose self-review is not submitted (none, draft, or returned for changes)."""
    done = SelfReview.objects.filter(
        meeting=meeting, member_id=OuterRef("pk"), status__in=SelfReview.DONE_STATUSES
    )
    qs = Member.objects.filter(branch_id=meeting.branch_id, is_active=True).exclude(Exists(done))
    return sorted(qs, key=_member_order)


def committee_review(*, meeting: Meeting) -> SelfReview | None:
    return SelfReview.objects.filter(meeting=meeting, kind=SelfReview.Kind.COMMITTEE).first()


def earlier_texts(*, member: Member, before_year: int) -> list[quality.Earlier]:
    """What this member found (and, from issue 5 on, received as criticism) in earlier years."""
    rows = SelfReviewProblem.objects.filter(
        review__member=member, review__meeting__year__lt=before_year
    ).values_list("review__meeting__year", "text")
    earlier = [quality.Earlier(year, text) for year, text in rows]
    earlier += earlier_criticisms(member=member, before_year=before_year)
    return earlier


def earlier_criticisms(*, member: Member, before_year: int) -> list[quality.Earlier]:
    rows = Criticism.objects.filter(receiver=member, meeting__year__lt=before_year).values_list("meeting__year", "text")
    return [quality.Earlier(year, text) for year, text in rows]


@dataclass
class ReviewHints:
    problems: dict[int, list[quality.Hint]] = field(default_factory=dict)  # by position
    measures: list[quality.Hint] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(h) for h in self.problems.values()) + len(self.measures)

    def as_dict(self) -> dict:
        return {
            "problems": {str(k): [h.as_dict() for h in v] for k, v in self.problems.items()},
            "measures": [h.as_dict() for h in self.measures],
            "count": self.count,
        }


def review_hints(*, meeting: Meeting, member: Member | None, problems: list[tuple[str, str]], measures: str) -> ReviewHints:
    """Hints for a self-review being written: `problems` is [(text, measure)] in order."""
    earlier = earlier_texts(member=member, before_year=meeting.year) if member else []
    hints = ReviewHints(measures=quality.measure_hints(measures))
    for i, (text, measure) in enumerate(problems):
        found = quality.problem_hints(text, earlier) + quality.measure_hints(measure)
        if found:
            hints.problems[i] = found
    return hints


def self_review_hints(*, review: SelfReview) -> ReviewHints:
    problems = [(p.text, p.measure) for p in review.problems.all()]
    return review_hints(meeting=review.meeting, member=review.member, problems=problems, measures=review.measures)


# ---------------------------------------------------------------- opinions
def opinion_list(
    *, meeting: Meeting, search: str = "", channel: str = "", status: str = "", category: str = "",
    target: str = "", claimed: str = "", include_merged: bool = False,
) -> QuerySet[Opinion]:
    qs = Opinion.objects.filter(meeting=meeting).select_related("target_member", "author_member", "merged_into")
    qs = qs.prefetch_related(Prefetch("claims", queryset=OpinionClaim.objects.select_related("member").order_by("member__name")))
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if search:
        qs = qs.filter(Q(text__icontains=search) | Q(answer__icontains=search) | Q(target_member__name__icontains=search))
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
    if category == "none":
        qs = qs.filter(category="")
    elif category:
        qs = qs.filter(category=category)
    if target == "committee":
        qs = qs.filter(target_kind=Opinion.Target.COMMITTEE)
    elif target:
        qs = qs.filter(target_member_id=target)
    if claimed == "no":
        qs = qs.filter(claims__isnull=True)
    elif claimed == "yes":
        qs = qs.filter(claims__isnull=False).distinct()
    elif claimed.isdigit():
        qs = qs.filter(claims__member_id=int(claimed))
    return qs.order_by("received_on", "sort_key")


def opinions_summary(*, meeting: Meeting) -> dict:
    """Counts for dashboards and the report. Merged duplicates count once (as the opinion they joined).

    total, open, answered (answered but not resolved), resolved, answered_or_resolved (seed 001's
    "answered or resolved"), claimed (claimed by at least one member), anonymous, by_channel
    {value: n} with channel_labels {value: label}, by_channel_labelled [(label, n)].
    """
    qs = Opinion.objects.filter(meeting=meeting, merged_into__isnull=True)
    row = qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=Opinion.Status.OPEN)),
        answered=Count("pk", filter=Q(status=Opinion.Status.ANSWERED)),
        resolved=Count("pk", filter=Q(status=Opinion.Status.RESOLVED)),
        anonymous=Count("pk", filter=Q(is_anonymous=True)),
    )
    row["claimed"] = qs.filter(Exists(OpinionClaim.objects.filter(opinion=OuterRef("pk")))).count()
    by_channel = dict(qs.order_by().values_list("channel").annotate(n=Count("pk")))
    labels = dict(Opinion.Channel.choices)
    row["answered_or_resolved"] = row["answered"] + row["resolved"]
    row["by_channel"] = {value: by_channel.get(value, 0) for value in Opinion.Channel.values if by_channel.get(value)}
    row["channel_labels"] = {value: str(label) for value, label in labels.items()}
    row["by_channel_labelled"] = [(str(labels[v]), n) for v, n in row["by_channel"].items()]
    return row


@dataclass
class ClaimantRow:
    member: Member
    claimed: int
    target: int
    addressed: int

    @property
    def short(self) -> bool:
        return self.claimed < self.target


def opinion_stats(*, meeting: Meeting, members: list[Member] | None = None) -> dict:
    """Counts by channel, by target and by claimant (against the 3-per-member / 5-per-cadre targets)."""
    members = members if members is not None else meeting_members(meeting=meeting)
    live = Opinion.objects.filter(meeting=meeting, merged_into__isnull=True)
    summary = opinions_summary(meeting=meeting)
    by_target_rows = live.order_by().values_list("target_kind", "target_member").annotate(n=Count("pk"))
    names = {m.pk: m.name for m in members}
    by_target = []
    addressed: dict[int, int] = {}
    for kind, member_id, n in by_target_rows:
        if kind == Opinion.Target.COMMITTEE:
            by_target.append((_("支部班子"), n))
        else:
            addressed[member_id] = n
            by_target.append((names.get(member_id, _("（已不在册）")), n))
    by_target.sort(key=lambda r: -r[1])
    claims = dict(
        OpinionClaim.objects.filter(opinion__meeting=meeting, opinion__merged_into__isnull=True)
        .order_by().values_list("member").annotate(n=Count("pk"))
    )
    claimants = [
        ClaimantRow(
            member=m,
            claimed=claims.get(m.pk, 0),
            target=meeting.claim_target_committee if m.is_committee else meeting.claim_target_member,
            addressed=addressed.get(m.pk, 0),
        )
        for m in members
    ]
    by_category = [
        (dict(Opinion.Category.choices).get(c, _("未分类")), n)
        for c, n in live.order_by().values_list("category").annotate(n=Count("pk"))
    ]
    return {"summary": summary, "by_target": by_target, "claimants": claimants, "by_category": by_category}


def public_meeting(*, token: str) -> Meeting | None:
    return Meeting.objects.select_related("branch").filter(public_token=token).first()


def opinions_open(*, meeting: Meeting, today: dt.date | None = None) -> bool:
    """The public link and member submissions close after the opinions deadline (and at the meeting)."""
    today = today or timezone.localdate()
    if meeting.closed_at:
        return False
    if meeting.opinions_close_on:
        return today <= meeting.opinions_close_on
    return meeting.held_on is None or today < meeting.held_on


# ---------------------------------------------------------------- forums (座谈会)
def forum_opinion_done(prefix: str = "", forum_date: str = "forum__held_on") -> Q:
    """Seed 001's "当场答复或已经解决" for opinions gathered at a forum: resolved (whenever), or answered
    on the forum's day. prefix/forum_date adapt the condition to a query over Forum ("opinions__", "held_on")."""
    return Q(**{f"{prefix}status": Opinion.Status.RESOLVED}) | Q(
        **{f"{prefix}status": Opinion.Status.ANSWERED, f"{prefix}answered_on": F(forum_date)}
    )


def forum_supervisor_choices(*, meeting: Meeting, forum: Forum | None = None) -> QuerySet[Supervisor]:
    """Supervisors who may be on a forum of the meeting: named on the meeting or assigned to its branch,
    and those already on the forum (who may since have left it: editing the forum must not drop them)."""
    condition = Q(meetings=meeting) | Q(branches=meeting.branch_id)
    if forum is not None and forum.pk:
        condition |= Q(forums=forum)
    return Supervisor.objects.filter(condition).distinct().order_by("name", "pk")


def forum_list(
    *, meeting: Meeting, search: str = "", supervisor_id: int | None = None, without_supervisor: bool = False
) -> QuerySet[Forum]:
    """The meeting's forums, newest first, with their live opinions and those answered on the spot or resolved."""
    live = Q(opinions__merged_into__isnull=True)
    qs = Forum.objects.filter(meeting=meeting)
    if search:
        qs = qs.filter(Q(topic__icontains=search) | Q(place__icontains=search) | Q(notes__icontains=search))
    if without_supervisor:
        qs = qs.filter(supervisors__isnull=True)
    elif supervisor_id is not None:
        qs = qs.filter(pk__in=Forum.supervisors.through.objects.filter(supervisor_id=supervisor_id).values("forum_id"))
    return (
        qs.annotate(
            n_opinions=Count("opinions", filter=live),
            n_done=Count("opinions", filter=live & forum_opinion_done("opinions__", "held_on")),
        )
        .prefetch_related(Prefetch("supervisors", queryset=Supervisor.objects.order_by("name", "pk")))
        .order_by("-held_on", "-pk")
    )


def forum_opinions(*, forum: Forum) -> QuerySet[Opinion]:
    return (
        Opinion.objects.filter(forum=forum, merged_into__isnull=True)
        .select_related("target_member")
        .order_by("received_on", "sort_key")
    )


def forum_totals(*, meeting: Meeting) -> dict:
    """Forums of the meeting, their participants, and the opinions gathered and answered there."""
    row = Forum.objects.filter(meeting=meeting).aggregate(
        forums=Count("pk"), members=Sum("member_participants"), others=Sum("other_participants")
    )
    ops = Opinion.objects.filter(forum__meeting=meeting, merged_into__isnull=True).aggregate(
        opinions=Count("pk"), done=Count("pk", filter=forum_opinion_done())
    )
    return {
        "forums": row["forums"], "members": row["members"] or 0, "others": row["others"] or 0,
        "opinions": ops["opinions"], "done": ops["done"],
    }


# ---------------------------------------------------------------- study sessions
def study_sessions(*, meeting: Meeting) -> list[StudySession]:
    return list(
        StudySession.objects.filter(meeting=meeting)
        .prefetch_related(Prefetch("attendees", queryset=Member.objects.order_by("name")))
        .order_by("held_on", "id")
    )


# ---------------------------------------------------------------- timeline
@dataclass
class Phase:
    key: str
    label: str
    due: dt.date | dt.datetime | None
    status: str  # done | in_progress | overdue | not_started | later
    summary: str
    url: str | None = None
    missing: list[str] = field(default_factory=list)
    missing_label: str = ""
    extra: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return {
            "done": _("已完成"),
            "in_progress": _("进行中"),
            "overdue": _("已逾期"),
            "not_started": _("未开始"),
            "later": _("尚未到期"),
        }[self.status]

    @property
    def badge(self) -> str:
        return {"done": "success", "in_progress": "warning", "overdue": "danger", "not_started": "secondary", "later": "light"}[
            self.status
        ]


def _status(*, complete: bool, started: bool, due, today: dt.date) -> str:
    if complete:
        return "done"
    due_date = due.date() if isinstance(due, dt.datetime) else due
    if due_date and due_date < today:
        return "overdue"
    return "in_progress" if started else "not_started"


def timeline(*, meeting: Meeting, today: dt.date | None = None) -> list[Phase]:
    """Every phase with its status and exactly what is missing, so the secretary knows what to chase."""
    today = today or timezone.localdate()
    members = meeting_members(meeting=meeting)
    total = len(members)
    phases: list[Phase] = []

    plan_missing = [
        label
        for label, value in (
            (_("召开日期"), meeting.held_on),
            (_("地点"), meeting.place),
            (_("督导"), meeting.supervisors.exists()),
        )
        if not value
    ]
    phases.append(
        Phase(
            "plan", _("会议安排"), None, "done" if not plan_missing else "in_progress",
            _("%(date)s %(place)s") % {"date": meeting.held_on or _("日期未定"), "place": meeting.place or _("地点未定")},
            reverse("meetings:meeting_edit", args=[meeting.pk]), plan_missing, _("尚未确定"),
        )
    )

    sessions = study_sessions(meeting=meeting)
    attended = {m.pk for s in sessions for m in s.attendees.all()}
    never = [m.name for m in members if m.pk not in attended]
    phases.append(
        Phase(
            "study", _("会前学习"), None,
            "done" if sessions and not never else ("in_progress" if sessions else "not_started"),
            _("%(n)s 次集中学习；%(a)s/%(t)s 名党员至少参加一次") % {"n": len(sessions), "a": total - len(never), "t": total},
            reverse("meetings:study_list", args=[meeting.pk]), never if sessions else [], _("未参加学习"),
        )
    )

    stats = opinion_stats(meeting=meeting, members=members)
    summary = stats["summary"]
    short = [f"{c.member.name}（{c.claimed}/{c.target}）" for c in stats["claimants"] if c.short]
    unsorted = Opinion.objects.filter(meeting=meeting, merged_into__isnull=True, category="").count()
    extra = []
    if unsorted:
        extra.append(_("%(n)s 条尚未分类") % {"n": unsorted})
    if summary["open"]:
        extra.append(_("%(n)s 条尚未答复") % {"n": summary["open"]})
    # The phase follows the public link's real state: collecting has started as soon as the link and members'
    # submissions accept opinions, even before the first one arrives (issue 24 item 11).
    collecting = opinions_open(meeting=meeting, today=today)
    if collecting:
        extra.append(
            _("正在收集意见（公开链接和党员提交均已开放，截止 %(due)s）") % {"due": cn_date(meeting.opinions_close_on)}
            if meeting.opinions_close_on else _("正在收集意见（公开链接和党员提交均已开放，会前截止）")
        )
    phases.append(
        Phase(
            "opinions", _("征求意见"), meeting.opinions_close_on,
            _status(complete=bool(summary["total"]) and not short and not unsorted,
                    started=bool(summary["total"]) or collecting, due=meeting.opinions_close_on, today=today),
            _("收集 %(total)s 条，已认领 %(claimed)s 条，已答复或解决 %(done)s 条")
            % {"total": summary["total"], "claimed": summary["claimed"], "done": summary["answered_or_resolved"]},
            reverse("meetings:opinion_list", args=[meeting.pk]), short, _("认领不足"), extra,
        )
    )

    cov = talk_coverage(meeting=meeting, members=members)
    done, required = cov.counts
    extra = []
    if cov.pending:
        extra.append(
            _("待对方确认：%(pairs)s") % {"pairs": "、".join(f"{p.a.name if p.a else ''} — {p.b.name if p.b else p.partner_label}" for p in cov.pending)}
        )
    phases.append(
        Phase(
            "talks", _("谈心谈话"), meeting.talks_due_on,
            _status(complete=cov.complete and required > 0, started=done > 0 or bool(cov.pending), due=meeting.talks_due_on, today=today),
            _("必谈 %(done)s/%(required)s 已完成（%(rules)s)")
            % {"done": done, "required": required, "rules": meeting.get_talk_rule_set_display()},
            reverse("meetings:talk_list", args=[meeting.pk]),
            [f"{p.a.name if p.a else ''} — {p.b.name if p.b else p.partner_label}（{p.rule_label}）" for p in cov.missing],
            _("未谈"), extra,
        )
    )

    rows = self_review_rows(meeting=meeting, members=members)
    submitted = [m for m, r in rows if r and r.status in SelfReview.DONE_STATUSES]
    missing = [m.name for m, r in rows if not r or r.status not in SelfReview.DONE_STATUSES]
    returned = [m.name for m, r in rows if r and r.status == SelfReview.Status.RETURNED]
    waiting = [m.name for m, r in rows if r and r.status == SelfReview.Status.SUBMITTED]
    committee = committee_review(meeting=meeting)
    extra = []
    if returned:
        extra.append(_("已退回修改：%(names)s") % {"names": "、".join(returned)})
    if waiting:
        extra.append(_("待书记审核：%(names)s") % {"names": "、".join(waiting)})
    committee_done = bool(committee and committee.status in SelfReview.DONE_STATUSES)
    if not committee_done:
        extra.append(_("支部班子对照检查材料尚未完成"))
    phases.append(
        Phase(
            "self_reviews", _("对照检查材料"), meeting.self_reviews_due_on,
            _status(complete=not missing and committee_done, started=bool(submitted) or any(r for _m, r in rows), due=meeting.self_reviews_due_on, today=today),
            _("对照检查材料 %(done)s/%(total)s 已提交") % {"done": len(submitted), "total": total},
            reverse("meetings:selfreview_list", args=[meeting.pk]), missing, _("未提交"), extra,
        )
    )

    phases.append(_meeting_phase(meeting=meeting, members=members, today=today))
    phases.extend(_later_phases(meeting=meeting, today=today))
    return phases


def _meeting_phase(*, meeting: Meeting, members: list[Member], today: dt.date) -> Phase:
    present = members_present(meeting=meeting)
    if meeting.closed_at:
        status = "done"
    elif meeting.held_on and meeting.held_on < today:
        status = "overdue"
    elif present is not None:
        status = "in_progress"
    else:
        status = "later"
    summary = _("%(date)s 召开") % {"date": meeting.held_on} if meeting.held_on else _("日期未定")
    if status == "overdue" and present is None:
        summary = _("已过会期，未召开（原定 %(date)s）：请召开并记录，或修改召开日期") % {"date": meeting.held_on}
    if present is not None:
        summary += _("；到会 %(p)s/%(t)s 人") % {"p": len(present), "t": len(members)}
    if meeting.ready_at:
        summary += _("；会前准备已确认就绪")
    return Phase("meeting", _("召开会议"), meeting.held_on, status, summary, reverse("meetings:meeting_detail", args=[meeting.pk]))


def _later_phases(*, meeting: Meeting, today: dt.date) -> list[Phase]:
    """民主评议 and 会后整改 belong to other apps: link to them when they are there."""
    from django.apps import apps

    ballot_due = timezone.localtime(meeting.ballot_closes_at).date() if meeting.ballot_closes_at else None
    evaluation_url = None
    Evaluation = apps.get_model("evaluations", "Evaluation") if apps.is_installed("evaluations") else None
    evaluation = None
    try:
        evaluation = Evaluation.objects.filter(meeting=meeting).first() if Evaluation else None
        evaluation_url = (
            reverse("evaluations:evaluation_detail", args=[evaluation.pk]) if evaluation
            else reverse("evaluations:evaluation_create", args=[meeting.pk])
        )
    except Exception:  # the other app's model or page may not exist (yet)
        evaluation_url = None
    result = _evaluation_summary(meeting)
    if result:
        grades = "、".join(_("%(label)s %(n)s 名") % {"label": label, "n": n} for _v, label, n in result.get("grades", []) if n)
        evaluation_phase = Phase("evaluation", _("民主评议"), ballot_due, "done", _("评定结果：%(g)s") % {"g": grades}, evaluation_url)
    else:
        status = "in_progress" if evaluation else ("overdue" if ballot_due and ballot_due < today else "later")
        summary = _("截止 %(due)s") % {"due": ballot_due} if ballot_due else _("未设截止日期")
        evaluation_phase = Phase("evaluation", _("民主评议"), ballot_due, status, summary, evaluation_url)
    try:
        rect_url = reverse("rectification:meeting", args=[meeting.pk])
    except Exception:
        rect_url = None
    due = meeting.rectification_plans_due_on
    rect_status = "in_progress" if meeting.closed_at else "later"
    rect_summary = _("整改方案截止 %(due)s") % {"due": due} if due else _("未设截止日期")
    return [evaluation_phase, Phase("rectification", _("会后整改"), due, rect_status, rect_summary, rect_url)]


# ---------------------------------------------------------------- the member's home
@dataclass
class MyTodos:
    """One meeting's to-dos for one member: a group of 我的待办 (for the secretary, with the review queue)."""

    meeting: Meeting | None
    member: Member
    to_claim: list[Opinion] = field(default_factory=list)
    to_claim_count: int = 0
    claimed: int = 0
    claim_target: int = 0
    to_answer: list[Opinion] = field(default_factory=list)
    talks_missing: list[talks.TalkPair] = field(default_factory=list)
    talks_pending: list[talks.TalkPair] = field(default_factory=list)  # waiting for the other side to confirm
    talks_done: list[talks.TalkPair] = field(default_factory=list)
    # Issue 16 item 5: talks the member must confirm (or dispute), and talks they recorded that the other
    # side disputed (to correct or delete). Any talk, required or not.
    talks_to_confirm: list[Talk] = field(default_factory=list)
    talks_disputed: list[Talk] = field(default_factory=list)
    review: SelfReview | None = None
    review_hints: int = 0
    secretary_queue: int = 0
    meeting_missed: bool = False  # the secretary's: 已过会期，未召开 (issue 24 item 10)
    can_submit_opinion: bool = False

    @property
    def review_todo(self) -> bool:
        return self.meeting is not None and (self.review is None or self.review.status in SelfReview.EDITABLE_STATUSES)

    @property
    def claims_short(self) -> bool:
        return self.claimed < self.claim_target

    @property
    def count(self) -> int:
        return (
            self.to_claim_count
            + len(self.to_answer)
            + len(self.talks_missing)
            + len(self.talks_to_confirm)
            + len(self.talks_disputed)
            + (1 if self.review_todo else 0)
            + (1 if self.claims_short else 0)
            + self.secretary_queue
            + (1 if self.meeting_missed else 0)
        )

    @property
    def is_done(self) -> bool:
        """Nothing left for this member in this meeting (the page shows it as one line)."""
        return self.count == 0

    @property
    def due(self) -> dt.date | None:
        """The nearest deadline among what is still outstanding: the self-review's (also for the reviews
        waiting for the secretary), the talks' (also for talks to confirm and disputed talks to correct),
        the opinions' (claims; answers are due by the meeting);
        the meeting's day where a phase has no deadline of its own. Past dates are overdue."""
        m = self.meeting
        if m is None:
            return None
        dates = []
        if self.review_todo or self.secretary_queue:
            dates.append(m.self_reviews_due_on or m.held_on)
        if self.talks_missing or self.talks_to_confirm or self.talks_disputed:
            dates.append(m.talks_due_on or m.held_on)
        if self.to_claim_count or self.claims_short:
            dates.append(m.opinions_close_on or m.held_on)
        if self.to_answer or self.meeting_missed:
            dates.append(m.held_on)
        return min((d for d in dates if d), default=None)

    @property
    def is_overdue(self) -> bool:
        due = self.due
        return due is not None and due < timezone.localdate()


def urgency(todos: MyTodos) -> tuple:
    """Sort key of 我的待办's groups, most urgent first: groups with something outstanding before finished
    ones; among them the nearest deadline first (so overdue ones lead, the longest overdue first), undated
    ones last; then the meeting held first."""
    due, held = todos.due, todos.meeting.held_on
    return (todos.is_done, due is None, due or dt.date.max, held is None, held or dt.date.max, todos.meeting.pk)


def my_todos(*, member: Member, meeting: Meeting | None = None, members: list[Member] | None = None) -> MyTodos:
    """One meeting's to-dos (the branch's current meeting when none is given). `members`: the branch's roll,
    when the caller already has it (the talk rules need it)."""
    meeting = meeting or current_meeting(member=member)
    todos = MyTodos(meeting=meeting, member=member)
    if meeting is None:
        return todos
    addressed = Q(target_member=member)
    if member.is_committee:
        addressed |= Q(target_kind=Opinion.Target.COMMITTEE)
    to_claim = (
        Opinion.objects.filter(meeting=meeting, merged_into__isnull=True)
        .filter(addressed)
        .exclude(claims__member=member)
        .order_by("received_on", "sort_key")
    )
    todos.to_claim_count = to_claim.count()
    todos.to_claim = list(to_claim[:5])
    todos.claimed = OpinionClaim.objects.filter(
        opinion__meeting=meeting, opinion__merged_into__isnull=True, member=member
    ).count()
    todos.claim_target = meeting.claim_target_committee if member.is_committee else meeting.claim_target_member
    todos.to_answer = list(
        Opinion.objects.filter(meeting=meeting, claims__member=member, status=Opinion.Status.OPEN, merged_into__isnull=True)
        .order_by("received_on", "sort_key")[:10]
    )
    cov = talk_coverage(meeting=meeting, members=members)
    # Pairs where the member is either side, including ones where they are only the suggested partner.
    mine = [p for p in cov.required if member.pk in (p.a.pk if p.a else None, p.b.pk if p.b else None)]
    todos.talks_missing = [p for p in mine if p.state == "missing"]
    todos.talks_pending = [p for p in mine if p.pending]
    todos.talks_done = [p for p in mine if p.done]
    # From the rows already loaded for the coverage: no query (the same rule as talks_to_confirm()).
    todos.talks_to_confirm = [t for t in cov.talks if t.awaiting_confirmation and t.confirmer_id == member.pk]
    todos.talks_disputed = [
        t for t in cov.talks
        if t.confirmation_state == Talk.State.DISPUTED and member.user_id and t.recorded_by_id == member.user_id
    ]
    todos.review = (
        SelfReview.objects.filter(meeting=meeting, member=member).annotate(n_problems=Count("problems")).first()
    )
    if todos.review is not None and todos.review.is_editable:
        todos.review.meeting, todos.review.member = meeting, member  # the hints read both: no query for them
        todos.review_hints = self_review_hints(review=todos.review).count
    if member.is_secretary:
        todos.secretary_queue = SelfReview.objects.filter(meeting=meeting, status=SelfReview.Status.SUBMITTED).count()
        todos.meeting_missed = meeting_missed(meeting=meeting)
    todos.can_submit_opinion = opinions_open(meeting=meeting)
    return todos


@dataclass
class MyHome:
    """我的待办: what spans meetings (ballots to cast, own rectification items) once, then one group per
    open meeting of the member's branch, most urgent first."""

    member: Member
    groups: list[MyTodos] = field(default_factory=list)
    # From the evaluations and rectification apps, through their selectors.
    to_vote: list = field(default_factory=list)
    open_items: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.to_vote) + len(self.open_items) + sum(g.count for g in self.groups)


def my_home(*, member: Member) -> MyHome:
    """Queries: 4 whatever the number of meetings (ballots to cast, own rectification items (+1 for their
    problems when there are some), the branch's open meetings, its roll), then 6 per open meeting (opinions
    to claim: how many and the first five; own claims; claimed and not yet answered; talks; own review),
    1 more for the secretary (the review queue) and 3 more while the member's own review is being written
    (the quality hints). None of it grows with the members or the opinions (tests/meetings/test_my_home.py)."""
    from evaluations.selectors import evaluations_to_vote
    from rectification.models import RectificationItem
    from rectification.selectors import my_items, with_overdue

    home = MyHome(member=member)
    home.to_vote = evaluations_to_vote(member=member)
    home.open_items = list(
        with_overdue(my_items(member=member).exclude(status=RectificationItem.Status.CLOSED)).order_by("deadline")[:10]
    )
    meetings = list(Meeting.objects.filter(branch_id=member.branch_id, closed_at__isnull=True).select_related("branch"))
    if meetings:
        members = meeting_members(meeting=meetings[0])  # one roll: every meeting here is the member's branch's
        groups = [my_todos(member=member, meeting=m, members=members) for m in meetings]
        home.groups = sorted(groups, key=urgency)
    return home


# ---------------------------------------------------------------- the meeting room follows the meeting's date
def record_closed_reason(*, meeting: Meeting, today: dt.date | None = None) -> str:
    """Why the room's records (attendance, the live record, supervisors present, comments, check-in and the
    in-room evaluation) cannot be written today; "" when they can. They open on the meeting's day, so a
    meeting not yet held can never report who attended it. A meeting that moved earlier moves its date."""
    today = today or timezone.localdate()
    if meeting.closed_at is not None:
        return _("会议已结束，记录不能再修改。")
    if meeting.held_on is None:
        return _("请先填写会议召开日期：会议当天起才能签到、登记出席和记录会议。")
    if today < meeting.held_on:
        return _("会议定于%(d)s召开，当天起才能签到、登记出席、记录会议和扫码测评。会议如提前召开，请先修改召开日期（会重新发出会议通知）。") % {
            "d": cn_date(meeting.held_on)
        }
    return ""


# ---------------------------------------------------------------- attendance (issue 5), part of the contract
def members_present(*, meeting: Meeting) -> list[Member] | None:
    """Members marked present at the meeting; None while attendance has not been recorded."""
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("member"))
    if not rows:
        return None
    return sorted((r.member for r in rows if r.status in Attendance.ATTENDED), key=_member_order)


# ---------------------------------------------------------------- issue 5: attendance and the record
@dataclass
class AttendanceSummary:
    total: int
    present: int  # attended: in the room, late or by video (Attendance.ATTENDED)
    absent: int
    leave: int
    unrecorded: int
    required_percent: int
    rows: list[tuple[Member, Attendance | None]]
    supervisors_present: list
    remote: int = 0
    late: int = 0

    @property
    def recorded(self) -> bool:
        return self.unrecorded < self.total

    @property
    def percent(self) -> int:
        return self.present * 100 // self.total if self.total else 0

    @property
    def below_required(self) -> bool:
        # Integers only: present / total < required % ⇔ present × 100 < required × total.
        return self.recorded and self.present * 100 < self.required_percent * self.total


def attendance_summary(*, meeting: Meeting, members: list[Member] | None = None) -> AttendanceSummary:
    members = members if members is not None else meeting_members(meeting=meeting)
    by_member = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    rows = [(m, by_member.get(m.pk)) for m in members]
    count = {s: sum(1 for _m, a in rows if a and a.status == s) for s in Attendance.Status.values}
    return AttendanceSummary(
        total=len(members),
        present=sum(count[s] for s in Attendance.ATTENDED),
        absent=count["absent"],
        leave=count["leave"],
        remote=count["remote"],
        late=count["late"],
        unrecorded=sum(1 for _m, a in rows if a is None),
        required_percent=meeting.branch.required_attendance_percent,
        rows=rows,
        supervisors_present=list(meeting.supervisors_present.all()),
    )


def agenda(*, meeting: Meeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))


def criticism_hints(*, meeting: Meeting, text: str, receiver: Member | None) -> list[quality.Hint]:
    """Seed 003: criticism must be specific, not an old problem recycled every year."""
    earlier = earlier_texts(member=receiver, before_year=meeting.year) if receiver else []
    return quality.problem_hints(text, earlier) + quality.measure_hints(text)


@dataclass
class SpeakerRecord:
    member: Member
    attendance: Attendance | None = None
    self_criticism: Criticism | None = None
    received: list[Criticism] = field(default_factory=list)
    given: list[Criticism] = field(default_factory=list)
    claims: list[ClaimedProblem] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    comment: MeetingComment | None = None
    hints: dict[int, list[quality.Hint]] = field(default_factory=dict)  # by criticism id


@dataclass
class MeetingRecord:
    opinions: list[Opinion] = field(default_factory=list)
    reviews: list[SelfReview] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)
    attendance: AttendanceSummary | None = None
    speakers: list[SpeakerRecord] = field(default_factory=list)
    to_committee: list[Criticism] = field(default_factory=list)
    committee_claims: list[ClaimedProblem] = field(default_factory=list)
    committee_commitments: list[Commitment] = field(default_factory=list)
    supervisor_comments: list[MeetingComment] = field(default_factory=list)
    no_criticism: list[Member] = field(default_factory=list)
    see_all: bool = False

    @property
    def criticism_count(self) -> int:
        return len(self.to_committee) + sum(len(s.received) for s in self.speakers)

    @property
    def hint_count(self) -> int:
        return sum(len(h) for s in self.speakers for h in s.hints.values())


def speaker_records(*, meeting: Meeting, members: list[Member], with_hints: bool = False) -> tuple[list[SpeakerRecord], MeetingRecord]:
    """Everything recorded at the meeting, grouped by member, in a fixed number of queries."""
    by_id = {m.pk: SpeakerRecord(member=m) for m in members}
    rec = MeetingRecord()
    for a in Attendance.objects.filter(meeting=meeting):
        if a.member_id in by_id:
            by_id[a.member_id].attendance = a
    for c in Criticism.objects.filter(meeting=meeting).select_related("giver", "receiver").order_by("created_at", "id"):
        if c.is_self:
            if c.giver_id in by_id:
                by_id[c.giver_id].self_criticism = c
            continue
        if c.receiver_id is None:
            rec.to_committee.append(c)
        elif c.receiver_id in by_id:
            by_id[c.receiver_id].received.append(c)
        if c.giver_id in by_id:
            by_id[c.giver_id].given.append(c)
    for c in ClaimedProblem.objects.filter(meeting=meeting).select_related("member").order_by("created_at", "id"):
        (by_id[c.member_id].claims if c.member_id in by_id else rec.committee_claims).append(c)
    for c in Commitment.objects.filter(meeting=meeting).select_related("member").order_by("created_at", "id"):
        (by_id[c.member_id].commitments if c.member_id in by_id else rec.committee_commitments).append(c)
    for c in MeetingComment.objects.filter(meeting=meeting).select_related("supervisor"):
        if c.kind == MeetingComment.Kind.SECRETARY and c.member_id in by_id:
            by_id[c.member_id].comment = c
        elif c.kind == MeetingComment.Kind.SUPERVISOR:
            rec.supervisor_comments.append(c)
    speakers = list(by_id.values())
    if with_hints:
        earlier = _earlier_by_member(meeting=meeting, member_ids=list(by_id))
        for s in speakers:
            for c in s.received:
                found = quality.problem_hints(c.text, earlier.get(s.member.pk, [])) + quality.measure_hints(c.text)
                if found:
                    s.hints[c.pk] = found
    return speakers, rec


def _earlier_by_member(*, meeting: Meeting, member_ids: list[int]) -> dict[int, list[quality.Earlier]]:
    """Earlier years' self-review problems and criticisms received, for many members in two queries."""
    earlier: dict[int, list[quality.Earlier]] = {}
    rows = SelfReviewProblem.objects.filter(
        review__member_id__in=member_ids, review__meeting__year__lt=meeting.year
    ).values_list("review__member_id", "review__meeting__year", "text")
    for member_id, year, text in rows:
        earlier.setdefault(member_id, []).append(quality.Earlier(year, text))
    rows = Criticism.objects.filter(
        receiver_id__in=member_ids, meeting__year__lt=meeting.year, is_self=False
    ).values_list("receiver_id", "meeting__year", "text")
    for member_id, year, text in rows:
        earlier.setdefault(member_id, []).append(quality.Earlier(year, text))
    return earlier


def meeting_record(*, meeting: Meeting, user, see_all: bool) -> MeetingRecord:
    """What the meeting page shows: everything for the secretary, recorders, committee, officers and
    supervisors; for a member, what concerns them (their own material and record, the committee's,
    opinions to them or the committee, or claimed by them)."""
    from branchlife.permissions import actor_of

    me = actor_of(user).member
    members = meeting_members(meeting=meeting)
    speakers, rec = speaker_records(meeting=meeting, members=members, with_hints=see_all)
    opinions = opinion_list(meeting=meeting)
    done = Q(status__in=SelfReview.DONE_STATUSES)
    reviews = SelfReview.objects.filter(meeting=meeting).select_related("member").prefetch_related(
        Prefetch("problems", queryset=SelfReviewProblem.objects.order_by("position", "id"))
    )
    if see_all:
        reviews = reviews.filter(done | Q(member=me) if me else done)
        attendance = attendance_summary(meeting=meeting, members=members)
        if attendance.recorded:
            present = {m.pk for m, a in attendance.rows if a and a.status in Attendance.ATTENDED}
            rec.no_criticism = [s.member for s in speakers if s.member.pk in present and not s.received]
        rec.attendance = attendance
    else:
        opinions = opinions.filter(
            Q(target_kind=Opinion.Target.COMMITTEE) | Q(target_member=me) | Q(claims__member=me)
        ).distinct() if me else opinions.none()
        reviews = reviews.filter(Q(member=me) | (Q(kind=SelfReview.Kind.COMMITTEE) & done)) if me else reviews.none()
        speakers = [s for s in speakers if me and s.member.pk == me.pk]
        for s in speakers:
            s.given = []  # what they said about others stays in the full record
    rec.reviews = sorted(reviews, key=lambda r: (r.kind != SelfReview.Kind.COMMITTEE, _member_order(r.member) if r.member else ()))
    rec.opinions = list(opinions)
    rec.agenda = agenda(meeting=meeting)
    rec.speakers = speakers
    rec.see_all = see_all
    return rec


# ---------------------------------------------------------------- issue 5: the report (情况报告, seed 002)
WEEKDAYS = (
    gettext_lazy("星期一"), gettext_lazy("星期二"), gettext_lazy("星期三"), gettext_lazy("星期四"),
    gettext_lazy("星期五"), gettext_lazy("星期六"), gettext_lazy("星期日"),
)


@dataclass
class MeetingReport:
    meeting: Meeting
    facts: object
    committee_posts: list[tuple[str, int]]
    weekday: str
    time_of_day: str
    supervisors: list
    supervisors_present: list
    sessions: list[StudySession]
    opinions: dict
    forums: dict
    coverage: talks.TalkCoverage
    rule_labels: list[str]
    reviews_done: int
    reviews_total: int
    committee_review: SelfReview | None
    aspects: list[str]
    agenda: list[AgendaItem]
    attendance: AttendanceSummary
    criticisms: int
    self_criticisms: int
    criticisms_to_committee: int
    claims: int
    commitments: int
    evaluation: dict | None
    next_steps: list[str]
    evaluation_note: str = ""

    @property
    def meeting_title(self) -> str:
        """"2020年度组织生活会" / "2021年度专题组织生活会（主题）", as seed 002 words it (Meeting.title)."""
        return self.meeting.title

    @property
    def committee_review_text(self) -> str:
        """The committee's own 对照检查材料 in a sentence: a bare status read "支部班子对照检查材料草稿"."""
        review = self.committee_review
        if review is None:
            return ""
        return {
            SelfReview.Status.DRAFT: _("支部班子对照检查材料正在撰写"),
            SelfReview.Status.SUBMITTED: _("支部班子对照检查材料已提交，待审核"),
            SelfReview.Status.RETURNED: _("支部班子对照检查材料已退回修改"),
            SelfReview.Status.APPROVED: _("支部班子对照检查材料已审核通过"),
        }[review.status]

    @property
    def supervisors_text(self) -> str:
        return _people(self.supervisors)

    @property
    def supervisors_present_text(self) -> str:
        return _people(self.supervisors_present)

    @property
    def rule_labels_text(self) -> str:
        return _("、").join(self.rule_labels)

    @property
    def grade_counts(self) -> list[tuple[str, int]]:
        """Final grades with at least one member, for "评为“优秀”党员2名、“合格”党员6名"."""
        if not self.evaluation:
            return []
        return [(str(label), n) for _value, label, n in self.evaluation.get("grades", []) if n]


def _people(supervisors) -> str:
    """"共青团安岳县教育和体育局副书记左香菊" (title then name, as seed 002 writes it), joined by "、"."""
    return _("、").join(_("%(title)s%(name)s") % {"title": s.title, "name": s.name} for s in supervisors)


def _time_of_day(t) -> str:
    if t is None:
        return ""
    label = _("上午") if t.hour < 12 else _("下午")
    hour = t.hour if t.hour <= 12 else t.hour - 12
    return _("%(period)s%(hour)s:%(minute)s") % {"period": label.strip(), "hour": hour, "minute": f"{t.minute:02d}"}


def evaluation_record_note(*, meeting: Meeting) -> str:
    """How the vote was taken, for the record: 扫码测评 in the room, and an early close with its reason."""
    from evaluations.models import Evaluation

    evaluation = Evaluation.objects.filter(meeting=meeting).only("in_room", "early_close_reason").first()
    if evaluation is None:
        return ""
    parts = [_("民主测评在会场扫码进行，到会党员（含远程参会）投票。")] if evaluation.in_room else []
    if evaluation.early_close_reason:
        parts.append(evaluation.early_close_reason + "。")
    return "".join(parts)


def _evaluation_summary(meeting: Meeting) -> dict | None:
    try:
        from evaluations.selectors import evaluation_summary
    except (ImportError, AttributeError):
        return None
    try:
        return evaluation_summary(meeting=meeting)
    except AttributeError:
        return None


def meeting_report(*, meeting: Meeting) -> MeetingReport:
    """Everything seed 002's report says, drawn from what was recorded (enter once, report many)."""
    from organizations.selectors import branch_facts

    facts = branch_facts(branch=meeting.branch)
    posts: dict[str, int] = {}
    for m in facts.committee:
        label = str(m.get_committee_post_display())
        posts[label] = posts.get(label, 0) + 1
    members = meeting_members(meeting=meeting)
    rows = self_review_rows(meeting=meeting, members=members)
    counts = Criticism.objects.filter(meeting=meeting).aggregate(
        total=Count("pk", filter=Q(is_self=False)),
        own=Count("pk", filter=Q(is_self=True)),
        to_committee=Count("pk", filter=Q(is_self=False, receiver__isnull=True)),
    )
    return MeetingReport(
        meeting=meeting,
        facts=facts,
        committee_posts=list(posts.items()),
        weekday=str(WEEKDAYS[meeting.held_on.weekday()]) if meeting.held_on else "",
        time_of_day=_time_of_day(meeting.starts_at),
        supervisors=list(meeting.supervisors.all()),
        supervisors_present=list(meeting.supervisors_present.all()),
        sessions=study_sessions(meeting=meeting),
        opinions=opinions_summary(meeting=meeting),
        forums=forum_totals(meeting=meeting),
        coverage=talk_coverage(meeting=meeting, members=members),
        rule_labels=[str(talks.RULES[r]) for r in talks.rules_of(meeting)],
        reviews_done=sum(1 for _m, r in rows if r and r.status in SelfReview.DONE_STATUSES),
        reviews_total=len(rows),
        committee_review=committee_review(meeting=meeting),
        aspects=list(meeting.review_aspects),
        agenda=agenda(meeting=meeting),
        attendance=attendance_summary(meeting=meeting, members=members),
        criticisms=counts["total"],
        self_criticisms=counts["own"],
        criticisms_to_committee=counts["to_committee"],
        claims=ClaimedProblem.objects.filter(meeting=meeting).count(),
        commitments=Commitment.objects.filter(meeting=meeting).count(),
        evaluation=_evaluation_summary(meeting),
        evaluation_note=evaluation_record_note(meeting=meeting),
        next_steps=[line.strip() for line in meeting.next_steps.splitlines() if line.strip()],
    )
