"""Reads that span the phases: the timeline, the member's home and to-dos, the report (情况报告)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchlife.dates import cn_date
from evaluations.models import Evaluation
from evaluations.selectors import evaluation_summary, evaluations_to_vote
from meetings import talks
from meetings.models import (
    AgendaItem,
    ClaimedProblem,
    Commitment,
    Criticism,
    Meeting,
    Opinion,
    OpinionClaim,
    SelfReview,
    StudySession,
    Talk,
)
from meetings.selectors.forums import forum_totals
from meetings.selectors.opinions import opinion_stats, opinions_open, opinions_summary
from meetings.selectors.plan import current_meeting, meeting_members, meeting_missed
from meetings.selectors.record import AttendanceSummary, agenda, attendance_summary, members_present
from meetings.selectors.self_reviews import committee_review, self_review_hints, self_review_rows
from meetings.selectors.study import study_sessions
from meetings.selectors.talks import talk_coverage
from organizations.models import Member
from organizations.selectors import branch_facts
from rectification.models import RectificationItem
from rectification.selectors import my_items, with_overdue


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
    """民主评议 (evaluations) and 会后整改 (rectification)."""
    ballot_due = timezone.localtime(meeting.ballot_closes_at).date() if meeting.ballot_closes_at else None
    evaluation = Evaluation.objects.filter(meeting=meeting).first()
    evaluation_url = (
        reverse("evaluations:evaluation_detail", args=[evaluation.pk]) if evaluation
        else reverse("evaluations:evaluation_create", args=[meeting.pk])
    )
    result = evaluation_summary(meeting=meeting)
    if result:
        grades = "、".join(_("%(label)s %(n)s 名") % {"label": label, "n": n} for _v, label, n in result.get("grades", []) if n)
        evaluation_phase = Phase("evaluation", _("民主评议"), ballot_due, "done", _("评定结果：%(g)s") % {"g": grades}, evaluation_url)
    else:
        status = "in_progress" if evaluation else ("overdue" if ballot_due and ballot_due < today else "later")
        summary = _("截止 %(due)s") % {"due": ballot_due} if ballot_due else _("未设截止日期")
        evaluation_phase = Phase("evaluation", _("民主评议"), ballot_due, status, summary, evaluation_url)
    rect_url = reverse("rectification:meeting", args=[meeting.pk])
    due = meeting.rectification_plans_due_on
    rect_status = "in_progress" if meeting.closed_at else "later"
    rect_summary = _("整改方案截止 %(due)s") % {"due": due} if due else _("未设截止日期")
    return [evaluation_phase, Phase("rectification", _("会后整改"), due, rect_status, rect_summary, rect_url)]


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
    evaluation = Evaluation.objects.filter(meeting=meeting).only("in_room", "early_close_reason").first()
    if evaluation is None:
        return ""
    parts = [_("民主测评在会场扫码进行，到会党员（含远程参会）投票。")] if evaluation.in_room else []
    if evaluation.early_close_reason:
        parts.append(evaluation.early_close_reason + "。")
    return "".join(parts)


def meeting_report(*, meeting: Meeting) -> MeetingReport:
    """Everything seed 002's report says, drawn from what was recorded (enter once, report many)."""

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
        evaluation=evaluation_summary(meeting=meeting),
        evaluation_note=evaluation_record_note(meeting=meeting),
        next_steps=[line.strip() for line in meeting.next_steps.splitlines() if line.strip()],
    )
