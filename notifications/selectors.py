"""Reads for the notification centre and the reminder scan."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Kind, Notification, NotificationPreference, ReminderDelivery


def notification_unread_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


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
