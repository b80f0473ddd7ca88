"""Reads of 座谈会: lists, their opinions, totals."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from organizations.models import Supervisor

from ..models import Forum, Meeting, Opinion


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
