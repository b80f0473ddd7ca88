"""Reminders from a meeting's phase deadlines (meetings.models.Meeting).

Each reminder is due from REMINDER_DUE_SOON_DAYS days before the deadline up to the deadline itself, and
only to those who still have something to do (the meetings app's selectors say who).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from meetings.selectors import self_reviews_missing, talk_coverage

from ..models import Kind
from .base import Due, Rule, due_soon_days, fmt_date, link, secretaries_by_branch, with_accounts


class MeetingDeadlineRule(Rule):
    field: str = ""
    kind: str = ""
    subject_model = "meetings.meeting"
    # Pre-meeting phases stop mattering once the meeting has been held and closed.
    before_meeting: bool = True

    @property
    def kinds(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.kind,)

    def meetings(self, *, today: dt.date, subject):
        from meetings.models import Meeting

        qs = Meeting.objects.select_related("branch").filter(
            **{f"{self.field}__gte": today, f"{self.field}__lte": today + dt.timedelta(days=due_soon_days())}
        )
        if self.before_meeting and hasattr(Meeting, "closed_at"):
            qs = qs.filter(closed_at__isnull=True)
        if subject is not None:
            qs = qs.filter(pk=subject.pk)
        return qs.order_by("id")

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        for meeting in self.meetings(today=today, subject=subject):
            deadline = getattr(meeting, self.field)
            for member, detail in self.recipients(meeting):
                title, body = self.message(meeting=meeting, deadline=deadline, detail=detail)
                yield Due(
                    recipient_id=member.user_id,
                    kind=self.kind,
                    subject=meeting,
                    due_date=deadline,
                    title=title,
                    body=body,
                    url=self.url(meeting=meeting, member=member),
                )

    def recipients(self, meeting) -> Iterable[tuple[object, str]]:
        raise NotImplementedError

    def message(self, *, meeting, deadline: dt.date, detail: str) -> tuple[str, str]:
        raise NotImplementedError

    def url(self, *, meeting, member) -> str:
        return link("meetings:my_home")


class OpinionsCloseRule(MeetingDeadlineRule):
    """征求意见截止: every member with a login who has not given a named opinion yet.

    Anonymous opinions point back to nobody (by design), so their authors cannot be left out.
    """

    name = "opinions_close"
    field = "opinions_close_on"
    kind = Kind.OPINIONS_CLOSE

    def recipients(self, meeting):
        from meetings.models import Opinion
        from organizations.models import Member

        gave = Opinion.objects.filter(meeting=meeting, author_member__isnull=False).values("author_member_id")
        members = Member.objects.filter(branch_id=meeting.branch_id, is_active=True, user__isnull=False).exclude(
            pk__in=gave
        )
        return [(m, "") for m in with_accounts(members.order_by("id"))]

    def message(self, *, meeting, deadline, detail):
        return (
            _("征求意见将于%(date)s截止") % {"date": fmt_date(deadline)},
            _("%(meeting)s征求意见将于%(date)s截止。请在截止前向支部班子或党员个人提出意见建议。")
            % {"meeting": meeting, "date": fmt_date(deadline)},
        )

    def url(self, *, meeting, member) -> str:
        return link("meetings:opinion_new", meeting.pk, fallback="meetings:my_home")


class TalksDueRule(MeetingDeadlineRule):
    """谈心谈话完成: each member in a required pair that is still missing, naming whom to talk with."""

    name = "talks_due"
    field = "talks_due_on"
    kind = Kind.TALKS_DUE

    def recipients(self, meeting):

        todo: dict[int, tuple[object, list[str]]] = {}

        def add(member, label):
            if member is not None:
                todo.setdefault(member.pk, (member, []))[1].append(label)

        for pair in talk_coverage(meeting=meeting).missing:
            if pair.other_kind:  # someone outside the branch (分管领导, 服务对象): only `a` can do it
                add(pair.a, pair.partner_label or pair.rule_label)
            elif len(pair.partners) > 1:  # any one of a group: `a`'s to arrange, `b` only a suggestion
                suggestion = _("建议：%(name)s") % {"name": pair.b.name} if pair.b is not None else ""
                add(pair.a, f"{pair.partner_label}({suggestion})" if suggestion else pair.partner_label)
            else:  # one exact pair: both are asked
                add(pair.a, pair.b.name)
                add(pair.b, pair.a.name)
        return [
            (member, "、".join(dict.fromkeys(labels)))
            for member, labels in sorted(todo.values(), key=lambda entry: entry[0].pk)
            if member.user_id and member.is_active
        ]

    def message(self, *, meeting, deadline, detail):
        return (
            _("谈心谈话需在%(date)s前完成") % {"date": fmt_date(deadline)},
            _("%(meeting)s的谈心谈话需在%(date)s前完成。您还需要与以下同志谈心谈话：%(names)s。")
            % {"meeting": meeting, "date": fmt_date(deadline), "names": detail},
        )

    def url(self, *, meeting, member) -> str:
        return link("meetings:talk_new", meeting.pk, fallback="meetings:my_home")


class SelfReviewsDueRule(MeetingDeadlineRule):
    """对照检查材料: members who have not submitted theirs (drafts and returned ones count as missing)."""

    name = "self_reviews_due"
    field = "self_reviews_due_on"
    kind = Kind.SELF_REVIEW_DUE

    def recipients(self, meeting):

        return [(m, "") for m in with_accounts(self_reviews_missing(meeting=meeting))]

    def message(self, *, meeting, deadline, detail):
        return (
            _("对照检查材料请于%(date)s前提交") % {"date": fmt_date(deadline)},
            _("%(meeting)s的对照检查材料请于%(date)s前提交，您尚未提交。")
            % {"meeting": meeting, "date": fmt_date(deadline)},
        )

    def url(self, *, meeting, member) -> str:
        return link("meetings:selfreview_mine", meeting.pk, fallback="meetings:my_home")


class PlansDueRule(MeetingDeadlineRule):
    """整改方案截止: the secretaries, while problems of the meeting's problem list have no item yet."""

    name = "plans_due"
    field = "rectification_plans_due_on"
    kind = Kind.PLANS_DUE
    before_meeting = False

    def recipients(self, meeting):
        from rectification.models import Problem

        open_count = Problem.objects.filter(meeting=meeting, merged_into__isnull=True, items__isnull=True).count()
        if not open_count:
            return []
        detail = str(open_count)
        return [(m, detail) for m in secretaries_by_branch([meeting.branch_id]).get(meeting.branch_id, [])]

    def message(self, *, meeting, deadline, detail):
        return (
            _("整改方案请于%(date)s前制定") % {"date": fmt_date(deadline)},
            _("%(meeting)s的整改方案请于%(date)s前制定；问题清单中还有 %(n)s 个问题没有整改事项。")
            % {"meeting": meeting, "date": fmt_date(deadline), "n": detail},
        )

    def url(self, *, meeting, member) -> str:
        return link("rectification:problem_list", meeting.pk, fallback="rectification:my_items")

