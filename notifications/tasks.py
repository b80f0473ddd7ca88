"""Thin Celery tasks: ids in, one service call, retries and time limits in the decorator."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .services import ReminderSendError


@shared_task(
    name="notifications.reminder_send",
    autoretry_for=(ReminderSendError, OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def reminder_send(delivery_id: int) -> str:
    from .services import reminder_deliver

    return reminder_deliver(delivery_id=delivery_id, now=timezone.now())


@shared_task(
    name="notifications.reminders_scan",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=2,
    soft_time_limit=600,
    time_limit=660,
)
def reminders_scan() -> int:
    from .services import reminders_scan as scan

    return scan(now=timezone.now()).queued
