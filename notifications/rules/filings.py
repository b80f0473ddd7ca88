"""Notices of the upward review (issue 19 item 1; the filings app decides who reviews what).

| event                               | who                                                          | kind               |
|-------------------------------------|--------------------------------------------------------------|--------------------|
| a plan or report sent (or re-sent)  | the officers of the reviewing node; none there: the nearest   | filing_submitted   |
|                                     | node above it with an officer account                         |                    |
| returned with a reason              | the branch's secretary and deputy secretaries                | filing_returned    |
| approved                            | the same                                                     | filing_approved    |

The subject is the history entry (filings.FilingEvent), due on its day: each step is announced once.
Only the filing's latest step is news — a submission already reviewed, or a return already answered by
a resubmission, is not announced (also at send time: the re-check asks the same question).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Kind
from .base import Due, Rule, link, lookback_start, secretaries_by_branch

KIND_OF_ACTION = {
    "submit": Kind.FILING_SUBMITTED,
    "resubmit": Kind.FILING_SUBMITTED,
    "return": Kind.FILING_RETURNED,
    "approve": Kind.FILING_APPROVED,
}


def reviewing_officers(reviewers) -> dict[int, list[int]]:
    """User ids of the officers who review for each node: its own officers, else those of the nearest node
    above it that has any (one query for every node and its ancestors)."""
    from organizations.models import Officer, Organization

    paths = {r.pk: r.path for r in reviewers}
    prefixes = {p[:n] for p in paths.values() for n in range(Organization.steplen, len(p) + 1, Organization.steplen)}
    by_path: dict[str, list[int]] = {}
    for path, user_id in (
        Officer.objects.filter(organization__path__in=prefixes, user__is_active=True)
        .order_by("id").values_list("organization__path", "user_id")
    ):
        by_path.setdefault(path, []).append(user_id)
    result = {}
    for pk, path in paths.items():
        for n in range(len(path), 0, -Organization.steplen):
            if by_path.get(path[:n]):
                result[pk] = by_path[path[:n]]
                break
        else:
            result[pk] = []
    return result


class FilingEventRule(Rule):
    name = "filing_event"
    kinds = (Kind.FILING_SUBMITTED, Kind.FILING_RETURNED, Kind.FILING_APPROVED)
    subject_model = "filings.filingevent"

    def collect(self, *, now, today, subject) -> Iterable[Due]:
        from filings.models import FilingEvent

        latest = FilingEvent.objects.filter(filing=OuterRef("filing")).order_by("-at", "-id").values("pk")[:1]
        qs = (
            FilingEvent.objects.filter(at__gte=lookback_start(now), pk=Subquery(latest))
            .select_related("filing__meeting__branch", "filing__reviewer")
            .order_by("at", "id")
        )
        if subject is not None:
            qs = qs.filter(pk=subject.pk)
        events = list(qs)
        if not events:
            return
        officers = reviewing_officers({e.filing.reviewer for e in events})
        secretaries = secretaries_by_branch(e.filing.branch_id for e in events)
        for event in events:
            filing = event.filing
            kind = KIND_OF_ACTION[event.action]
            context = {"meeting": filing.meeting, "kind": filing.get_kind_display(), "branch": filing.meeting.branch.name,
                       "reason": event.reason}
            if kind == Kind.FILING_SUBMITTED:
                recipients = officers.get(filing.reviewer_id, [])
                title = _("%(branch)s报送了%(kind)s，请审核") % context
                body = (_("%(meeting)s：支部重新报送了%(kind)s，请审核。") if event.action == "resubmit"
                        else _("%(meeting)s：支部报送了%(kind)s，请审核。")) % context
            else:
                recipients = [m.user_id for m in secretaries.get(filing.branch_id, [])]
                if kind == Kind.FILING_RETURNED:
                    title = _("%(kind)s被上级退回") % context
                    body = _("%(meeting)s：%(kind)s被上级退回，请修改后重新报送。驳回原因：%(reason)s") % context
                else:
                    title = _("%(kind)s已审核通过") % context
                    body = _("%(meeting)s：%(kind)s已经上级审核通过。") % context
                    if event.reason:
                        body += _("审核意见：%(reason)s") % context
            url = link("filings:detail", filing.meeting_id, filing.kind)
            for user_id in recipients:
                yield Due(user_id, kind, event, timezone.localdate(event.at), title, body, url)
