"""Reminders from democratic evaluations (evaluations app): "please vote" before the ballot closes.

Who has not voted comes from the participation record only (evaluations.selectors.voters_not_voted);
this module never reads a ballot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Kind
from .base import Due, Rule, due_soon_days, fmt_date, link, secretaries_by_branch, with_accounts


def closes_at(evaluation) -> dt.datetime | None:
    for attr in ("closes_at", "closing_at", "close_at", "ends_at"):
        value = getattr(evaluation, attr, None)
        if value is not None:
            return value
    meeting = getattr(evaluation, "meeting", None)
    return getattr(meeting, "ballot_closes_at", None)


class BallotClosingRule(Rule):
    """测评截止: voters of an open evaluation who have not voted, once it closes within N days."""

    name = "ballot_closing"
    kinds = (Kind.BALLOT_CLOSING,)
    subject_model = "evaluations.evaluation"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from evaluations.selectors import open_evaluations, voters_not_voted

        horizon = now + dt.timedelta(days=due_soon_days())
        for evaluation in open_evaluations(now=now):
            if subject is not None and evaluation.pk != subject.pk:
                continue
            closing = closes_at(evaluation)
            if closing is None or closing > horizon or closing <= now:
                continue
            local = timezone.localtime(closing)
            title = _("民主测评将于%(when)s截止，请投票") % {"when": f"{local:%m月%d日 %H:%M}"}
            body = _("%(evaluation)s将于%(when)s截止，您尚未投票。投票无记名，任何人都无法知道您投了什么。") % {
                "evaluation": evaluation,
                "when": f"{local:%Y年%m月%d日 %H:%M}",
            }
            url = link("evaluations:vote", evaluation.pk, fallback="meetings:my_home")
            for member in with_accounts(voters_not_voted(evaluation=evaluation)):
                yield Due(
                    recipient_id=member.user_id,
                    kind=Kind.BALLOT_CLOSING,
                    subject=evaluation,
                    due_date=local.date(),
                    title=title,
                    body=body,
                    url=url,
                )


class CorrectionEndsRule(Rule):
    """限期改正期满: the branch secretaries, from N days before a correction period ends to its last day."""

    name = "correction_ends"
    kinds = (Kind.CORRECTION_ENDS,)
    subject_model = "evaluations.handling"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from evaluations.selectors import correction_periods_ending

        handlings = correction_periods_ending(until=today + dt.timedelta(days=due_soon_days())).filter(
            correction_until__gte=today
        )
        if subject is not None:
            handlings = handlings.filter(pk=subject.pk)
        handlings = list(handlings)
        branch_ids = {h.candidate.evaluation.meeting.branch_id for h in handlings}
        secretaries = secretaries_by_branch(branch_ids)
        for handling in handlings:
            member = handling.candidate.member
            meeting = handling.candidate.evaluation.meeting
            context = {"name": member.name, "date": fmt_date(handling.correction_until)}
            for secretary in secretaries.get(meeting.branch_id, []):
                yield Due(
                    recipient_id=secretary.user_id,
                    kind=Kind.CORRECTION_ENDS,
                    subject=handling,
                    due_date=handling.correction_until,
                    title=_("%(name)s的限期改正将于%(date)s期满") % context,
                    body=_("%(name)s的限期改正将于%(date)s期满，请支部委员会按期考察，作出恢复合格或进一步处置的决定。")
                    % context,
                    url=link("evaluations:determination", handling.candidate.evaluation_id, fallback="meetings:my_home"),
                )
