"""Reads for the notification centre and the reminder scan."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Q, QuerySet

from organizations.models import Member

from .models import (
    BROADCAST_KINDS,
    BranchChannels,
    Kind,
    Notification,
    NotificationPreference,
    ReminderDelivery,
    ReminderDispatch,
    RobotPost,
)

logger = logging.getLogger(__name__)

# Issue 23: the badge on every page is read from the cache. The services that create or read notices
# (notification_create, notification_mark_read, notification_mark_all_read) drop the user's key, now and
# again after their commit; the lifetime bounds a count that an ORM write outside them left behind.
UNREAD_CACHE_SECONDS = 120


def unread_cache_key(user_id: int) -> str:
    return f"notifications:unread:v1:{user_id}"


def notification_unread_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    key = unread_cache_key(user.pk)
    try:
        count = cache.get(key)
    except Exception:  # a cache that is down (redis unreachable, timeouts) must not take pages down
        logger.warning("unread-count cache unavailable", exc_info=True)
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        try:
            cache.set(key, count, UNREAD_CACHE_SECONDS)
        except Exception:
            logger.warning("unread-count cache unavailable", exc_info=True)
    return count


def notification_list(*, user, search: str = "", state: str = "", kind: str = "") -> QuerySet[Notification]:
    """The user's own messages, newest first; `state` is "unread", "read" or empty for all."""
    qs = Notification.objects.filter(recipient=user)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search))
    if state == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif state == "read":
        qs = qs.filter(read_at__isnull=False)
    if kind and kind in Kind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def notification_preference_get(*, user) -> NotificationPreference:
    """The stored preference, or the default (email on) without writing a row."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def reminder_deliveries_for(*, kind: str | None = None) -> QuerySet[ReminderDelivery]:
    qs = ReminderDelivery.objects.select_related("recipient", "subject_type")
    return qs.filter(kind=kind) if kind else qs


def branch_channels_get(*, branch) -> BranchChannels:
    """The branch's stored channels, or the defaults (no robot, the deployment's SMS budget) unsaved."""
    return BranchChannels.objects.filter(branch=branch).first() or BranchChannels(branch=branch)


def branch_robots(*, branch) -> list[tuple[str, str, str]]:
    """The branch's configured group robots: (channel name, webhook, signing secret)."""
    channels = branch_channels_get(branch=branch)
    robots = []
    if channels.wecom_webhook:
        robots.append((RobotPost.Channel.WECOM, channels.wecom_webhook, ""))
    if channels.dingtalk_webhook:
        robots.append((RobotPost.Channel.DINGTALK, channels.dingtalk_webhook, channels.dingtalk_secret))
    return robots


# ---------------------------------------------------------------- who has been told (issue 16)
OUTSIDE_CHANNELS = ("email", "sms")


@dataclass
class Told:
    """One member and one notice: what each channel did, and whether anyone still has to tell them."""

    member: Member
    delivery: ReminderDelivery | None
    dispatches: dict = field(default_factory=dict)  # channel name → ReminderDispatch
    read: bool = False

    @property
    def has_account(self) -> bool:
        return bool(self.member.user_id and self.member.user.is_active)

    @property
    def reached(self) -> bool:
        """Read in the app, or delivered by email or SMS."""
        if self.read:
            return True
        return any(
            d.status == ReminderDispatch.Status.SENT for name, d in self.dispatches.items() if name in OUTSIDE_CHANNELS
        )

    @property
    def needs_a_call(self) -> bool:
        """需电话或当面通知: no account, or the notice went out and nothing but an unread in-app message
        reached them. A member the notice did not concern (already voted) is not on the list."""
        if not self.has_account:
            return True
        return self.delivery is not None and self.delivery.status == ReminderDelivery.Status.SENT and not self.reached

    @property
    def state(self) -> str:
        if not self.has_account:
            return "no_account"
        if self.delivery is None:
            return "not_concerned"
        if self.delivery.status == ReminderDelivery.Status.PENDING:
            return "waiting" if self.delivery.not_before else "pending"
        if self.delivery.status == ReminderDelivery.Status.CANCELLED:
            return "not_concerned"
        return "read" if self.read else ("reached" if self.reached else "unread")


@dataclass
class Notice:
    """One notice (kind and event date) about a meeting, and everyone on the roll."""

    kind: str
    due_date: dt.date
    title: str
    broadcast: bool
    rows: list[Told] = field(default_factory=list)
    robot_posts: list[RobotPost] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def needing_a_call(self) -> list[Told]:
        return [row for row in self.rows if row.needs_a_call]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("read", "reached", "unread", "pending", "waiting", "no_account", "not_concerned"), 0)
        for row in self.rows:
            counts[row.state] += 1
        return counts

    @property
    def failed(self) -> int:
        return sum(
            1 for row in self.rows for d in row.dispatches.values() if d.status == ReminderDispatch.Status.FAILED
        )


def meeting_notices(*, meeting) -> list[Notice]:
    """Every notice and reminder about a meeting (its own, its evaluation's, its self-reviews'), newest
    first, each with the branch's whole roll: who was told how, who read it, who needs a call. Six queries
    whatever the number of members or notices."""
    from evaluations.models import Evaluation
    from meetings.models import SelfReview

    subjects = Q(subject_type=ContentType.objects.get_for_model(meeting), subject_id=meeting.pk)
    evaluation_ids = list(Evaluation.objects.filter(meeting=meeting).values_list("pk", flat=True))
    if evaluation_ids:
        subjects |= Q(subject_type=ContentType.objects.get_for_model(Evaluation), subject_id__in=evaluation_ids)
    subjects |= Q(
        subject_type=ContentType.objects.get_for_model(SelfReview),
        subject_id__in=SelfReview.objects.filter(meeting=meeting).values("pk"),
    )
    deliveries = (
        ReminderDelivery.objects.filter(subjects)
        .select_related("notification")
        .prefetch_related("dispatches")
        .order_by("-due_date", "kind", "id")
    )
    roll = list(
        Member.objects.filter(branch_id=meeting.branch_id, is_active=True).select_related("user", "party_group").order_by("name", "id")
    )
    by_user = {m.user_id: m for m in roll if m.user_id}
    notices: dict[tuple, Notice] = {}
    told: dict[tuple, dict[int, Told]] = {}
    for delivery in deliveries:
        key = (delivery.kind, delivery.due_date)
        if key not in notices:
            notices[key] = Notice(
                kind=delivery.kind, due_date=delivery.due_date, title=delivery.title, broadcast=delivery.kind in BROADCAST_KINDS
            )
        member = by_user.get(delivery.recipient_id)
        if member is None:
            continue  # an officer's escalation, or someone who has left the branch since
        told.setdefault(key, {})[member.pk] = Told(
            member=member,
            delivery=delivery,
            dispatches={d.channel: d for d in delivery.dispatches.all()},
            read=bool(getattr(delivery, "notification", None) and delivery.notification.read_at),
        )
    posts: dict[tuple, list[RobotPost]] = {}
    for post in RobotPost.objects.filter(subjects, branch_id=meeting.branch_id).order_by("channel"):
        posts.setdefault((post.kind, post.due_date), []).append(post)
    for key, notice in notices.items():
        mine = told.get(key, {})
        # A broadcast concerns the whole roll (those without an account are to be called); a personal
        # notice only the people it was for.
        audience = roll if notice.broadcast else [m for m in roll if m.pk in mine]
        notice.rows = [mine.get(m.pk) or Told(member=m, delivery=None) for m in audience]
        notice.robot_posts = posts.get(key, [])
    return list(notices.values())


def notice_to_call(*, meeting, kind: str = "", due_date: dt.date | None = None) -> Notice | None:
    """The notice whose 需电话或当面通知 list is asked for; without one (or an unknown one), the newest
    notice to the whole branch, else the newest of all."""
    notices = meeting_notices(meeting=meeting)
    asked = next((n for n in notices if n.kind == kind and n.due_date == due_date), None)
    return asked or next((n for n in notices if n.broadcast), notices[0] if notices else None)
