"""The per-branch indicators of a season, the composite score and the reasons a branch is behind.

Pure: `dashboard.selectors` fills `BranchRow`s from grouped queries; everything here is arithmetic on
those counts, so it is tested on small known numbers without a database.

The composite score (0–100) ranks the WORK done, never app activity: no clicks, log-ins, visits or time
online enter it (the 2023 rules against "指尖上的形式主义" forbid ranking by app activity).

  Procedure progress, 60 points
    会议安排   10  召开日期已定 5 + 已安排督导 5
    征求意见   10  收集到意见 5 + 已答复或解决的比例 × 5
    谈心谈话   10  必谈完成比例 × 10(按会议的必谈规则计算)
    对照检查   10  已提交(或审核通过)的党员比例 × 10
    召开会议   10  会议已召开并完成记录(会议结束)
    民主评议   10  组织评定已完成 10;评定后优秀超出比例的扣 5
  Rectification quality, 40 points
    销号率     20  已销号事项 / 全部事项 × 20
    按期质量   20  按期销号且回头看未反弹的事项 / 全部事项 × 20

A branch with no meeting in the season scores 0; a branch without rectification items yet gets 0 of
the 40 (every branch is compared at the same point of the same season, so this is fair between them).
All arithmetic is Decimal, rounded half-up to one decimal at the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from evaluations.models import Grade
from evaluations.policy import Quota, excellent_quota
from meetings import talks as talk_rules

# The four grades, in the evaluations app's order; their labels are Grade(g).label.
GRADES = tuple(Grade.values)
GRADE_LABELS = tuple(Grade.labels)
ITEM_STATUSES = ("not_started", "in_progress", "pending", "closed")

# Why a branch is behind. Each flag has a list page ("the 12 branches whose self-reviews are late").
FLAGS: dict[str, str] = {
    "no_meeting": _("未安排本年度组织生活会"),
    "no_date": _("未确定召开日期"),
    "no_supervisor": _("未安排督导"),
    "opinions_none": _("征求意见已截止但未收集到意见"),
    "opinions_unanswered": _("意见建议逾期未答复"),
    "talks_late": _("谈心谈话逾期未完成"),
    "self_reviews_late": _("对照检查材料逾期未交齐"),
    "meeting_missed": _("已过会期，未召开"),
    "meeting_overdue": _("召开日期已过仍未完成会议"),
    "attendance_low": _("到会人数低于应到比例"),
    "not_evaluated": _("会议已召开但未完成民主评议"),
    "quota_exceeded": _("评定优秀超出比例"),
    "plans_late": _("整改方案逾期未建台账"),
    "items_overdue": _("整改事项逾期"),
}

FLAG_ORDER = {flag: i for i, flag in enumerate(FLAGS)}

SCORE_PARTS: list[tuple[str, str, int]] = [
    ("plan", _("会议安排"), 10),
    ("opinions", _("征求意见"), 10),
    ("talks", _("谈心谈话"), 10),
    ("self_reviews", _("对照检查"), 10),
    ("meeting", _("召开会议"), 10),
    ("evaluation", _("民主评议"), 10),
    ("closing", _("整改销号率"), 20),
    ("quality", _("整改按期质量"), 20),
]

ZERO = Decimal(0)


def share(part: int, whole: int, points: int | Decimal = 1) -> Decimal:
    """part / whole × points, exactly; 0 when there is nothing to divide."""
    if not whole:
        return ZERO
    return Decimal(part * points) / whole  # the same exact value, with one Decimal built instead of three


def percent(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is no denominator (shown as "—")."""
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class MeetingFacts:
    """One meeting of the season, as read by the selectors (all counts are plain integers)."""

    id: int
    branch_id: int
    held_on: dt.date | None = None
    closed: bool = False
    supervisors: int = 0
    supervisors_present: int = 0
    opinions_close_on: dt.date | None = None
    talks_due_on: dt.date | None = None
    self_reviews_due_on: dt.date | None = None
    rectification_plans_due_on: dt.date | None = None
    talk_rule_set: str = "three"
    custom_talk_rules: list = field(default_factory=list)


# The talk requirements live beside the coverage rule they count (issue 21: written once); the dashboard's
# grouped SQL produces TalkCounts, and meetings.talks turns them into (done, required).
TalkCounts = talk_rules.TalkCounts
talk_requirements = talk_rules.talk_requirements


@dataclass
class BranchRow:
    """Everything the dashboard knows about one branch in one season."""

    id: int
    name: str
    path: str
    members: int = 0
    committee: int = 0
    # meetings
    meetings: int = 0
    dated: int = 0
    supervised: int = 0
    held: int = 0
    meeting_id: int | None = None  # the (latest) meeting of the season, for links
    held_on: dt.date | None = None
    # opinions
    opinions: int = 0
    opinions_open: int = 0
    opinions_answered: int = 0
    opinions_resolved: int = 0
    opinions_claimed: int = 0
    opinions_forum: int = 0
    # talks
    talks_required: int = 0
    talks_done: int = 0
    # self-reviews
    reviews_required: int = 0
    reviews_done: int = 0
    reviews_returned: int = 0
    committee_reviews_done: int = 0
    # the meeting itself (issue 5); present is None while attendance is not recorded
    present: int | None = None
    supervisors_present: int = 0  # meetings where a supervisor was recorded present
    criticisms: int = 0
    self_criticisms: int = 0
    required_attendance_percent: int = 80
    # evaluation
    evaluations: int = 0
    evaluations_closed: int = 0
    evaluations_determined: int = 0
    evaluations_published: int = 0
    evaluations_without_quota: int = 0
    over_quota: int = 0
    candidates: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    voters: int = 0
    voted: int = 0
    # rectification
    items: int = 0
    items_by_status: dict[str, int] = field(default_factory=dict)
    items_overdue: int = 0
    items_closed_on_time: int = 0
    items_rebound: int = 0
    # derived
    flags: list[str] = field(default_factory=list)
    score: Decimal = ZERO
    parts: dict[str, Decimal] = field(default_factory=dict)
    rank: int = 0
    parent_names: list[str] = field(default_factory=list)

    @property
    def items_closed(self) -> int:
        return self.items_by_status.get("closed", 0)

    @property
    def opinions_done(self) -> int:
        return self.opinions_answered + self.opinions_resolved

    @property
    def talks_percent(self):
        return percent(self.talks_done, self.talks_required)

    @property
    def reviews_percent(self):
        return percent(self.reviews_done, self.reviews_required)

    @property
    def closing_percent(self):
        return percent(self.items_closed, self.items)

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAGS[f]) for f in self.flags]

    @property
    def stage(self) -> str:
        """Where the branch stands in the season, in one word."""
        if not self.meetings:
            return str(_("未安排"))
        if self.items and self.items_closed == self.items:
            return str(_("整改完成"))
        if self.items:
            return str(_("会后整改"))
        if self.evaluations_determined:
            return str(_("已评议"))
        if self.held:
            return str(_("已召开"))
        return str(_("会前准备"))


def meeting_flags(
    *, meeting: MeetingFacts, today: dt.date, opinions: int, opinions_open: int, talks_done: int,
    talks_required: int, reviews_missing: int, determined: bool, items: int, over_quota: bool,
    members: int = 0, present: int | None = None, required_attendance_percent: int = 80,
) -> set[str]:
    flags: set[str] = set()
    if meeting.held_on is None:
        flags.add("no_date")
    if not meeting.supervisors:
        flags.add("no_supervisor")
    closes = meeting.opinions_close_on or meeting.held_on
    if closes and closes < today:
        if not opinions:
            flags.add("opinions_none")
        elif opinions_open:
            flags.add("opinions_unanswered")
    talks_due = meeting.talks_due_on or meeting.held_on
    if talks_due and talks_due < today and talks_done < talks_required:
        flags.add("talks_late")
    reviews_due = meeting.self_reviews_due_on or meeting.held_on
    if reviews_due and reviews_due < today and reviews_missing:
        flags.add("self_reviews_late")
    if meeting.held_on and meeting.held_on < today and not meeting.closed:
        # No attendance recorded: not held at all (the same rule as meetings.selectors.meeting_missed).
        flags.add("meeting_missed" if present is None else "meeting_overdue")
    if meeting.closed and present is not None and present * 100 < required_attendance_percent * members:
        flags.add("attendance_low")
    if meeting.closed and not determined:
        flags.add("not_evaluated")
    if over_quota:
        flags.add("quota_exceeded")
    if meeting.closed and meeting.rectification_plans_due_on and meeting.rectification_plans_due_on < today and not items:
        flags.add("plans_late")
    return flags


def is_over_quota(*, quota: Quota | None, candidates: int, excellent: int) -> bool:
    allowed = excellent_quota(quota=quota, candidates=candidates)
    return allowed is not None and excellent > allowed


def score_parts(row: BranchRow) -> dict[str, Decimal]:
    if not row.meetings:
        return {key: ZERO for key, _label, _points in SCORE_PARTS}
    determined_points = ZERO
    if row.evaluations_determined:
        determined_points = share(row.evaluations_determined, row.meetings, 10)
        if row.over_quota:
            determined_points -= Decimal(5)
    talks = share(row.talks_done, row.talks_required, 10) if row.talks_required else Decimal(10)
    good_items = max(0, row.items_closed_on_time - row.items_rebound)
    return {
        "plan": share(row.dated, row.meetings, 5) + share(row.supervised, row.meetings, 5),
        "opinions": (Decimal(5) if row.opinions else ZERO) + share(row.opinions_done, row.opinions, 5),
        "talks": talks,
        "self_reviews": share(row.reviews_done, row.reviews_required, 10),
        "meeting": share(row.held, row.meetings, 10),
        "evaluation": max(ZERO, determined_points),
        "closing": share(row.items_closed, row.items, 20),
        "quality": share(good_items, row.items, 20),
    }


def finish(row: BranchRow) -> BranchRow:
    """Score the row (call after every count is in)."""
    row.parts = score_parts(row)
    row.score = sum(row.parts.values(), ZERO).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if not row.meetings:
        row.flags = ["no_meeting"]
    elif row.items_overdue and "items_overdue" not in row.flags:
        row.flags.append("items_overdue")
    row.flags.sort(key=FLAG_ORDER.__getitem__)
    return row


def rank(rows: list[BranchRow]) -> list[BranchRow]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4); ties listed in tree order."""
    # Two stable sorts instead of a (-score, path) key: negating 3,000 Decimals costs more than sorting.
    ordered = sorted(rows, key=lambda r: r.path)
    ordered.sort(key=lambda r: r.score, reverse=True)
    previous, position = None, 0
    for i, row in enumerate(ordered, start=1):
        if row.score != previous:
            position, previous = i, row.score
        row.rank = position
    return ordered


@dataclass
class Totals:
    """A node's sums over its branches (the cards at the top of the dashboard and each child row)."""

    branches: int = 0
    members: int = 0
    meetings: int = 0
    branches_with_meeting: int = 0
    dated: int = 0
    supervised: int = 0
    held: int = 0
    opinions: int = 0
    opinions_open: int = 0
    opinions_answered: int = 0
    opinions_resolved: int = 0
    opinions_claimed: int = 0
    talks_required: int = 0
    talks_done: int = 0
    reviews_required: int = 0
    reviews_done: int = 0
    present: int = 0
    attendance_recorded: int = 0
    supervisors_present: int = 0
    criticisms: int = 0
    evaluations: int = 0
    evaluations_determined: int = 0
    evaluations_without_quota: int = 0
    over_quota: int = 0
    candidates: int = 0
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    voters: int = 0
    voted: int = 0
    items: int = 0
    items_by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ITEM_STATUSES, 0))
    items_overdue: int = 0
    items_closed_on_time: int = 0
    items_rebound: int = 0
    score_sum: Decimal = ZERO
    behind: int = 0  # branches with at least one reason to chase
    flag_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FLAGS, 0))

    SUMMED = (
        "members", "meetings", "dated", "supervised", "held", "opinions", "opinions_open", "opinions_answered",
        "opinions_resolved", "opinions_claimed", "talks_required", "talks_done", "reviews_required",
        "reviews_done", "supervisors_present", "criticisms", "evaluations", "evaluations_determined",
        "evaluations_without_quota", "over_quota", "candidates", "voters", "voted", "items", "items_overdue",
        "items_closed_on_time", "items_rebound",
    )

    def add(self, row: BranchRow) -> None:
        self.branches += 1
        mine, theirs = self.__dict__, row.__dict__  # plain dict access: this runs once per branch
        for name in self.SUMMED:
            mine[name] += theirs[name]
        if row.meetings:
            self.branches_with_meeting += 1
        if row.present is not None:
            self.present += row.present
            self.attendance_recorded += 1
        for g, n in row.grades.items():
            self.grades[g] = self.grades.get(g, 0) + n
        for s, n in row.items_by_status.items():
            self.items_by_status[s] = self.items_by_status.get(s, 0) + n
        self.score_sum += row.score
        if row.flags:
            self.behind += 1
        for f in row.flags:
            self.flag_counts[f] += 1

    def merge(self, other: Totals) -> None:
        """Add another node's totals (a node's totals are the sum of its children's)."""
        mine, theirs = self.__dict__, other.__dict__
        for name in (*self.SUMMED, "branches", "branches_with_meeting", "present", "attendance_recorded",
                     "score_sum", "behind"):
            mine[name] += theirs[name]
        for key in ("grades", "items_by_status", "flag_counts"):
            for k, n in theirs[key].items():
                mine[key][k] = mine[key].get(k, 0) + n

    @property
    def graded(self) -> int:
        return sum(self.grades.values())

    @property
    def grade_shares(self) -> list[tuple[str, int, Decimal | None]]:
        return [(g, self.grades.get(g, 0), percent(self.grades.get(g, 0), self.graded)) for g in GRADES]

    @property
    def opinions_done(self) -> int:
        return self.opinions_answered + self.opinions_resolved

    @property
    def items_closed(self) -> int:
        return self.items_by_status.get("closed", 0)

    @property
    def average_score(self) -> Decimal | None:
        if not self.branches:
            return None
        return (self.score_sum / self.branches).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def percent(self, part: str, whole: str):
        return percent(getattr(self, part), getattr(self, whole))
