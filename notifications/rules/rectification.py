"""Reminders from the rectification ledger (rectification.models.RectificationItem).

For an open item with deadline D, N = REMINDER_DUE_SOON_DAYS and M = REMINDER_ESCALATE_AFTER_DAYS:

| today          | who                                   | kind                    |
|----------------|---------------------------------------|-------------------------|
| D-N … D-1      | the responsible member                | item_due_soon           |
| D              | the responsible member                | item_due_today          |
| after D        | the responsible member                | item_overdue            |
| after D        | the branch secretary (and deputies)   | item_overdue_secretary  |
| D+M and later  | the officers of the township above    | item_escalated          |

Items waiting for verification (待核验) are the secretary's to move, so the member is not chased for them,
but the escalations still count them as overdue (the rectification app's definition).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from ..models import Kind
from .base import (
    Due,
    Rule,
    due_soon_days,
    escalate_after_days,
    fmt_date,
    follow_up_after_days,
    link,
    officers_above,
    secretaries_by_branch,
)


class RectificationItemRule(Rule):
    name = "rectification_items"
    kinds = (
        Kind.ITEM_DUE_SOON,
        Kind.ITEM_DUE_TODAY,
        Kind.ITEM_OVERDUE,
        Kind.ITEM_OVERDUE_SECRETARY,
        Kind.ITEM_ESCALATED,
    )
    subject_model = "rectification.rectificationitem"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from rectification.models import RectificationItem

        Status = RectificationItem.Status
        member_statuses = {Status.NOT_STARTED, Status.IN_PROGRESS}
        items = (
            RectificationItem.objects.select_related("responsible", "branch")
            .exclude(status=Status.CLOSED)
            .filter(deadline__lte=today + dt.timedelta(days=due_soon_days()))
            .order_by("deadline", "id")
        )
        if subject is not None:
            items = items.filter(pk=subject.pk)
        items = list(items)
        secretaries = secretaries_by_branch({i.branch_id for i in items if i.deadline < today})
        officers_cache: dict[int, list] = {}

        for item in items:
            url = link("rectification:item_detail", item.pk, fallback="rectification:my_items")
            member = item.responsible
            context = {"title": item.title, "date": fmt_date(item.deadline), "name": member.name,
                       "branch": item.branch.name}

            def due(recipient_id, kind, title, body, *, url=url, item=item):
                return Due(recipient_id=recipient_id, kind=kind, subject=item, due_date=item.deadline,
                           title=title, body=body, url=url)

            if member.user_id and member.is_active and item.status in member_statuses:
                if item.deadline > today:
                    yield due(member.user_id, Kind.ITEM_DUE_SOON,
                              _("整改事项“%(title)s”将于%(date)s到期") % context,
                              _("您负责的整改事项“%(title)s”将于%(date)s到期，请按期完成并填报进展。") % context)
                elif item.deadline == today:
                    yield due(member.user_id, Kind.ITEM_DUE_TODAY,
                              _("整改事项“%(title)s”今天到期") % context,
                              _("您负责的整改事项“%(title)s”今天（%(date)s）到期，请完成整改并申请核验。") % context)
                else:
                    yield due(member.user_id, Kind.ITEM_OVERDUE,
                              _("整改事项“%(title)s”已逾期") % context,
                              _("您负责的整改事项“%(title)s”已于%(date)s到期，尚未完成，请尽快整改。") % context)
            if item.deadline >= today:
                continue
            for secretary in secretaries.get(item.branch_id, []):
                if secretary.pk == member.pk:
                    continue
                yield due(secretary.user_id, Kind.ITEM_OVERDUE_SECRETARY,
                          _("%(name)s的整改事项已逾期") % context,
                          _("%(name)s负责的整改事项“%(title)s”已于%(date)s到期，尚未销号，请督促整改或核验。")
                          % context)
            overdue_days = (today - item.deadline).days
            if overdue_days >= escalate_after_days():
                if item.branch_id not in officers_cache:
                    officers_cache[item.branch_id] = officers_above(item.branch)
                context["days"] = overdue_days
                for officer in officers_cache[item.branch_id]:
                    yield due(officer.user_id, Kind.ITEM_ESCALATED,
                              _("%(branch)s整改事项逾期督办") % context,
                              _("%(branch)s %(name)s负责的整改事项“%(title)s”已于%(date)s到期，"
                                "逾期 %(days)s 天仍未销号，请约谈督促。") % context)


class FollowUpDueRule(Rule):
    """回头看: a closed item gets a follow-up review REMINDER_FOLLOW_UP_AFTER_DAYS after its closing.

    The rectification app records reviews (FollowUpReview) but keeps no planned date, so the due date is
    derived: closing day + that many days. The secretaries are reminded from N days before it to the day,
    unless a review has been recorded since the closing.
    """

    name = "follow_up_due"
    kinds = (Kind.FOLLOW_UP_DUE,)
    subject_model = "rectification.rectificationitem"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from django.db.models import Exists, OuterRef
        from django.utils import timezone

        from rectification.models import FollowUpReview, RectificationItem

        after = dt.timedelta(days=follow_up_after_days())
        # closed_at is a moment; the window is in local days, so widen the query by a day and refine below.
        earliest = today - after - dt.timedelta(days=1)
        latest = today - after + dt.timedelta(days=due_soon_days() + 1)
        # A review on or after the (latest) closing day; one before a reopening does not count.
        reviewed = FollowUpReview.objects.filter(item=OuterRef("pk"), reviewed_on__gte=OuterRef("closed_at__date"))
        items = (
            RectificationItem.objects.select_related("responsible", "branch")
            .filter(status=RectificationItem.Status.CLOSED, closed_at__date__range=(earliest, latest))
            .exclude(Exists(reviewed))
            .order_by("id")
        )
        if subject is not None:
            items = items.filter(pk=subject.pk)
        items = list(items)
        secretaries = secretaries_by_branch({i.branch_id for i in items})
        for item in items:
            due_date = timezone.localtime(item.closed_at).date() + after
            if not (today <= due_date <= today + dt.timedelta(days=due_soon_days())):
                continue
            context = {"title": item.title, "name": item.responsible.name, "date": fmt_date(due_date)}
            for secretary in secretaries.get(item.branch_id, []):
                yield Due(
                    recipient_id=secretary.user_id,
                    kind=Kind.FOLLOW_UP_DUE,
                    subject=item,
                    due_date=due_date,
                    title=_("整改事项“%(title)s”请于%(date)s前回头看") % context,
                    body=_("%(name)s负责的整改事项“%(title)s”已销号，请于%(date)s前开展回头看，检查整改成效是否巩固。")
                    % context,
                    url=link("rectification:item_follow_up", item.pk, fallback="rectification:my_items"),
                )
