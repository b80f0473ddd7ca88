"""Reminders of the rhythm of 三会一课 and 主题党日 (issue 18 item 2; activities.rhythm decides what is due).

From REMINDER_RHYTHM_DAYS (3) days before a period ends (from the 28th of a 31-day month), the secretary and deputy secretaries of a branch are told each requirement of a period
ending then that is not recorded yet ("本月支委会尚未记录，请在月底前开展并记录。"), a 党小组会 naming its
groups. The reminder is about the branch and falls due on the period's last day: one per branch and period
end, listing every kind still open (March's monthly and quarterly periods end the same day), so each
requirement of a period is told once; recording everything before the send cancels it (the send-time
re-check). Quiet hours are the channels' (the notification centre speaks at night, email and SMS wait).

Its deliveries are of kind `rhythm_due`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import Kind
from .base import Due, Rule, due_soon_days, link

KIND = Kind.RHYTHM_DUE


def rhythm_days() -> int:
    """How many days before a period's end the reminder starts: settings.REMINDER_RHYTHM_DAYS (e.g. 5, to leave
    time to call a 支委会); REMINDER_DUE_SOON_DAYS like every other deadline where a settings module lacks it."""
    days = getattr(settings, "REMINDER_RHYTHM_DAYS", None)
    return due_soon_days() if days is None else int(days)


def _words(period: str) -> tuple[str, str]:
    """(this period, its end) as a reminder says them: ("本月", "月底")."""
    from activities.models import Period

    return {
        Period.MONTH: (_("本月"), _("月底")),
        Period.QUARTER: (_("本季度"), _("季度末")),
        Period.HALF_YEAR: (_("本半年"), _("半年末")),
        Period.YEAR: (_("本年度"), _("年底")),
    }[period]


class RhythmDueRule(Rule):
    name = "rhythm_due"
    kinds = (KIND,)
    subject_model = "organizations.organization"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from activities.rhythm import State, add_months, branch_rhythms, month_start
        from organizations.models import Member, Organization

        horizon = today + dt.timedelta(days=rhythm_days())
        this_month_ends = add_months(month_start(today), 1) - dt.timedelta(days=1)
        if this_month_ends > horizon:  # every period ends on a month's last day: none ends soon
            return
        secretaries = Member.objects.filter(
            is_active=True, user__isnull=False, committee_post__in=Member.SECRETARY_POSTS,
            branch__level=Organization.Level.BRANCH,
        ).select_related("branch").order_by("branch__path", "committee_post", "id")
        if subject is not None:
            secretaries = secretaries.filter(branch_id=subject.pk)
        by_branch: dict[int, list[Member]] = defaultdict(list)
        branches: dict[int, Organization] = {}
        for member in secretaries:
            by_branch[member.branch_id].append(member)
            branches[member.branch_id] = member.branch
        if not branches:
            return
        # The periods that end between today and the horizon (periods end on a month's last day).
        end = add_months(month_start(horizon), 1) - dt.timedelta(days=1)
        by_root: dict[str, list[Organization]] = defaultdict(list)
        for branch in branches.values():  # one computation per tree: its queries cover the tree
            by_root[branch.path[: Organization.steplen]].append(branch)
        open_periods = []
        for in_tree in by_root.values():
            for branch_id, rhythm in branch_rhythms(branches=in_tree, start=month_start(today), end=end, today=today).items():
                open_periods += [
                    (branch_id, p, rhythm.rules[p.kind].period) for p in rhythm.periods
                    if p.state == State.PENDING and today <= p.end <= horizon
                ]
        group_ids = {p.group_id for _b, p, _period in open_periods if p.group_id}
        group_names = dict(Organization.objects.filter(pk__in=group_ids).values_list("pk", "name")) if group_ids else {}
        grouped: dict[tuple[int, dt.date], list] = defaultdict(list)
        for branch_id, p, period in open_periods:
            grouped[(branch_id, p.end)].append((p, period))
        for (branch_id, due_date), periods in sorted(grouped.items(), key=lambda e: (branches[e[0][0]].path, e[0][1])):
            branch = branches[branch_id]
            title, body, first_kind = self.message(branch=branch, periods=periods, group_names=group_names)
            url = f"{link('activities:create', branch.pk)}?kind={first_kind}"
            for member in by_branch[branch_id]:
                yield Due(recipient_id=member.user_id, kind=KIND, subject=branch, due_date=due_date,
                          title=title, body=body, url=url)

    def message(self, *, branch, periods, group_names: dict[int, str]) -> tuple[str, str, str]:
        """The title, the body (a sentence per kind) and the first kind not recorded (the link's).
        `periods`: (activities.rhythm.PeriodStatus, its rule's period) pairs, all ending the same day."""
        from activities.models import Kind as ActivityKind

        by_kind: dict[str, list] = defaultdict(list)
        period_of: dict[str, str] = {}
        for p, period in periods:
            by_kind[p.kind].append(p)
            period_of[p.kind] = period
        kinds = [k for k in ActivityKind.values if k in by_kind]
        names, lines = [], []
        for kind in kinds:
            label = ActivityKind(kind).label
            this, end = _words(period_of[kind])
            names.append(_("%(this)s%(kind)s") % {"this": this, "kind": label})
            ps = by_kind[kind]
            context = {"this": this, "kind": label, "end": end}
            if kind == ActivityKind.GROUP:
                groups = "、".join(group_names.get(p.group_id, "") for p in ps)
                lines.append(_("%(this)s%(kind)s尚未全部记录（%(groups)s），请在%(end)s前开展并记录。") % {**context, "groups": groups})
            elif ps[0].held:
                lines.append(_("%(this)s%(kind)s应开展 %(times)s 次，已记录 %(held)s 次，请在%(end)s前开展并记录。")
                             % {**context, "times": ps[0].required, "held": ps[0].held})
            else:
                lines.append(_("%(this)s%(kind)s尚未记录，请在%(end)s前开展并记录。") % context)
        title = _("%(what)s尚未记录") % {"what": "、".join(names)}
        return title, "".join(lines), kinds[0]

