"""Reads of 征求意见: lists, summary, claim statistics, the public form's meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Member

from ..models import Meeting, Opinion, OpinionClaim
from .plan import meeting_members


def opinion_list(
    *, meeting: Meeting, search: str = "", channel: str = "", status: str = "", category: str = "",
    target: str = "", target_ids: Sequence[int] = (), claimed: str = "", claimed_ids: Sequence[int] = (),
    include_merged: bool = False,
) -> QuerySet[Opinion]:
    """The meeting's opinions in received order. `target`: "committee" (支部班子); `target_ids`: addressed to one
    of these members; `claimed`: "no" / "yes"; `claimed_ids`: claimed by one of these members (the ids from
    organizations.selectors.member_ids_named, what the filter's names matched)."""
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
    if target_ids:
        qs = qs.filter(target_member_id__in=target_ids)
    if claimed == "no":
        qs = qs.filter(claims__isnull=True)
    elif claimed == "yes":
        qs = qs.filter(claims__isnull=False).distinct()
    if claimed_ids:  # a subquery: an opinion two of the matched members claimed is listed once
        qs = qs.filter(pk__in=OpinionClaim.objects.filter(member_id__in=claimed_ids).values("opinion_id"))
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
