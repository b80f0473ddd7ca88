"""Reads of the upward review: which node reviews a branch, what a plan or a report says when it is sent,
the state of a meeting's filings, and the filings waiting for a reviewer."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from branchlife.dates import cn_date
from lifecycle.selectors import meeting_report
from meetings.models import Meeting
from organizations.models import Organization

from .models import Filing, FilingEvent, Kind, ReviewLevel, ReviewRule, State


# ---------------------------------------------------------------- who reviews
def review_level_for(*, branch: Organization, ancestors: list[Organization] | None = None) -> str:
    """The level named by the nearest ReviewRule on the branch's path, else settings.FILINGS_REVIEW_LEVEL."""
    ancestors = list(branch.get_ancestors()) if ancestors is None else ancestors
    rules = dict(ReviewRule.objects.filter(organization__in=ancestors).values_list("organization_id", "level"))
    for node in reversed(ancestors):  # nearest first
        if node.pk in rules:
            return rules[node.pk]
    return getattr(settings, "FILINGS_REVIEW_LEVEL", ReviewLevel.TOWNSHIP)


def reviewer_for(*, branch: Organization) -> Organization | None:
    """The node that reviews a branch's filings: its nearest ancestor of the level in force. A general
    branch (党总支) is optional, so a branch without one goes to its township; a branch without a node of
    that level above it goes to its parent. None only for a branch at the top of a tree (nobody above)."""
    ancestors = list(branch.get_ancestors())  # root first
    if not ancestors:
        return None
    level = review_level_for(branch=branch, ancestors=ancestors)
    fallbacks = [level] + ([ReviewLevel.TOWNSHIP] if level == ReviewLevel.GENERAL_BRANCH else [])
    for wanted in fallbacks:
        for node in reversed(ancestors):
            if node.level == wanted:
                return node
    return ancestors[-1]


# ---------------------------------------------------------------- what is sent
def _date(value) -> str:
    return cn_date(value) if value else "—"


def plan_content(*, meeting: Meeting) -> list[list[str]]:
    """The plan as it stands (方案报备): [label, value] rows, frozen into the filing when it is sent."""
    from meetings import talks

    quota = meeting.excellent_quota
    agenda = [item.title for item in meeting.agenda_items.all()]
    studies = [f"{cn_date(s.held_on)} {s.topic}" for s in meeting.study_sessions.order_by("held_on", "id")]
    rows = [
        (_("会议"), str(meeting)),
        (_("类型"), str(meeting.get_kind_display())),
        (_("主题"), meeting.theme or "—"),
        (_("召开日期"), _date(meeting.held_on) + (f" {meeting.starts_at:%H:%M}" if meeting.starts_at else "")),
        (_("地点"), meeting.place or "—"),
        (_("督导"), "、".join(str(s) for s in meeting.supervisors.all()) or "—"),
        (_("依据"), meeting.basis or "—"),
        (_("议程"), "；".join(f"{i}. {t}" for i, t in enumerate(agenda, 1)) or "—"),
        (_("会前学习"), "；".join(studies) or "—"),
        (_("征求意见截止"), _date(meeting.opinions_close_on)),
        (_("谈心谈话"), "、".join(str(talks.RULES[r]) for r in talks.rules_of(meeting))
         + _("，%(date)s前完成") % {"date": _date(meeting.talks_due_on)}),
        (_("对照检查材料提交截止"), _date(meeting.self_reviews_due_on)),
        (_("优秀比例上限"), quota.display if quota is not None else _("不设上限")),
        (_("整改方案截止"), _date(meeting.rectification_plans_due_on)),
    ]
    return [[str(label), str(value)] for label, value in rows]


def report_content(*, meeting: Meeting) -> list[list[str]]:
    """The report's figures when it is sent (情况报告): [label, value] rows; the full report and its PDF stay
    a link away (meetings:report), the attachments travel with the filing."""

    r = meeting_report(meeting=meeting)
    a = r.attendance
    done, required = r.coverage.counts
    rows = [
        (_("会议"), r.meeting_title),
        (_("召开日期"), _date(meeting.held_on)),
        (_("地点"), meeting.place or "—"),
        (_("到会督导"), r.supervisors_present_text or "—"),
        (_("应到、实到"), _("应到 %(total)s 人，实到 %(present)s 人") % {"total": a.total, "present": a.present}),
        (_("征求意见建议"), _("%(n)s 条") % {"n": r.opinions.get("total", 0)}),
        (_("必谈完成"), f"{done}/{required}"),
        (_("对照检查材料"), f"{r.reviews_done}/{r.reviews_total}"),
        (_("批评意见"), _("%(n)s 条") % {"n": r.criticisms}),
        (_("自我批评"), _("%(n)s 条") % {"n": r.self_criticisms}),
        (_("当场认领问题"), _("%(n)s 个") % {"n": r.claims}),
        (_("民主评议"), "，".join(_("%(grade)s %(n)s 名") % {"grade": g, "n": n} for g, n in r.grade_counts) or "—"),
        (_("下一步工作打算"), "；".join(r.next_steps) or "—"),
    ]
    return [[str(label), str(value)] for label, value in rows]


def content_for(*, meeting: Meeting, kind: str) -> list[list[str]]:
    return plan_content(meeting=meeting) if kind == Kind.PLAN else report_content(meeting=meeting)


# ---------------------------------------------------------------- states
@dataclass
class FilingStatus:
    """One kind of one meeting: its state (未报 when nothing was sent), the filing if any, the last reason."""

    kind: str
    filing: Filing | None

    @property
    def state(self) -> str:
        return self.filing.state if self.filing else State.NOT_FILED

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def return_reason(self) -> str:
        """The last return reason (kept on the filing while it is returned or resubmitted)."""
        return self.filing.return_reason if self.filing else ""


def meeting_filings(*, meeting: Meeting) -> list[FilingStatus]:
    """The plan and the report of a meeting (one query)."""
    by_kind = {f.kind: f for f in Filing.objects.filter(meeting=meeting).select_related("reviewer")}
    return [FilingStatus(kind, by_kind.get(kind)) for kind in Kind.values]


def filing_history(*, filing: Filing) -> QuerySet[FilingEvent]:
    return filing.events.prefetch_related("attachments").order_by("at", "id")


def filings_to_review(*, node: Organization, states: tuple[str, ...] = (State.PENDING,)) -> QuerySet[Filing]:
    """Filings a node (and everything under it) reviews, in the given states, oldest first."""
    return (
        Filing.objects.filter(reviewer__path__startswith=node.path, state__in=states)
        .select_related("meeting", "branch", "reviewer")
        .order_by("submitted_at", "id")
    )
