"""Writes of the notifications app: the notification centre, the reminder scan and the send.

How a reminder travels:
1. `reminders_scan(now=)` (Celery beat every 15 minutes, or `manage.py scan_reminders`) asks every rule
   what the current state calls for, inserts a ReminderDelivery row for each reminder not recorded yet
   (the unique constraint makes a second scan, a second beat or a race insert nothing), and hands the new
   rows to Celery after commit. Rows the broker never got (Redis down) or lost are handed over again by a
   later scan, so reminders that fell due during an outage go out once Redis is back.
2. `reminder_deliver(delivery_id=, now=)` (the `reminder_send` task) re-checks the state at send time
   (someone who voted a minute ago is not asked to vote), then sends through each channel at most once:
   in-app at once, email outside quiet hours (22:00–07:00 Asia/Shanghai; held until the morning scan).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.queue import enqueue

from .channels import Channel, ChannelSkipped, absolute, get_channels
from .models import (
    Kind,
    Notification,
    NotificationPreference,
    ReminderDelivery,
    ReminderDispatch,
    RobotPost,
    SmsMonth,
)
from .rules import RULES, Due, rule_for_kind

logger = logging.getLogger(__name__)

Status = ReminderDelivery.Status
DispatchStatus = ReminderDispatch.Status

# A channel claimed this long ago and still "sending" lost its worker mid-send (well past the send
# task's hard time limit). It may or may not have gone out; a duplicate is worse, so it is not resent.
STALE_CLAIM = dt.timedelta(minutes=10)
# A failed group post is tried again after 30 s, 1, 2, 4 … minutes, at most 30 (the send task's own backoff).
ROBOT_RETRY_PAUSE = dt.timedelta(seconds=30)
ROBOT_RETRY_PAUSE_MAX = dt.timedelta(minutes=30)


class ReminderSendError(Exception):
    """A channel failed (SMTP down, webhook error); the task retries with backoff."""


# ---------------------------------------------------------------- the notification centre
def notification_create(
    *,
    recipient,
    title: str,
    body: str = "",
    url: str = "",
    kind: str = Kind.GENERAL,
    delivery: ReminderDelivery | None = None,
) -> Notification:
    notification = Notification(
        recipient=recipient, kind=kind, title=title[:200], body=body, url=url[:500], delivery=delivery
    )
    # Uniqueness of `delivery` is the database's job (OneToOne): checking it here would only race.
    notification.full_clean(validate_unique=False, validate_constraints=False)
    notification.save(force_insert=True)
    notification_unread_forget(user_id=notification.recipient_id)
    return notification


def notification_mark_read(*, notification: Notification, now: dt.datetime | None = None) -> Notification:
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
        notification_unread_forget(user_id=notification.recipient_id)
    return notification


def notification_mark_all_read(*, user, now: dt.datetime | None = None) -> int:
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now or timezone.now())
    notification_unread_forget(user_id=user.pk)
    return count


def notification_unread_forget(*, user_id: int) -> None:
    """Drop the user's cached unread count (issue 23): now, for this request's own next page, and again
    after the commit, so that a page read between the write and the commit cannot keep the old count."""
    from .selectors import unread_cache_key

    key = unread_cache_key(user_id)

    def forget():
        try:
            cache.delete(key)
        except Exception:  # a cache that is down holds nothing to forget until it is back (and the key expires)
            logger.warning("unread-count cache unavailable", exc_info=True)

    forget()
    transaction.on_commit(forget)


def notification_preference_update(
    *, user, email_enabled: bool, email: str, sms_enabled: bool | None = None
) -> NotificationPreference:
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        pref.email_enabled = email_enabled
        if sms_enabled is not None:
            pref.sms_enabled = sms_enabled
        pref.full_clean()
        pref.save()
        if user.email != email:
            user.email = email
            user.full_clean(exclude=["password"])
            user.save(update_fields=["email"])
    return pref


# ---------------------------------------------------------------- the scan
@dataclass
class ScanResult:
    now: dt.datetime
    dry_run: bool = False
    recorded: list[ReminderDelivery] = field(default_factory=list)  # new rows this scan inserted
    requeued: list[int] = field(default_factory=list)  # pending rows handed to the broker again
    planned: list[Due] = field(default_factory=list)  # dry run: what a real run would record
    requeue_candidates: list[ReminderDelivery] = field(default_factory=list)  # dry run
    failed_rules: list[str] = field(default_factory=list)
    unpublished: int = 0  # could not reach the broker; a later scan hands them over

    @property
    def queued(self) -> int:
        if self.dry_run:
            return len(self.planned) + len(self.requeue_candidates)
        return len(self.recorded) + len(self.requeued) - self.unpublished


def reminders_due(*, now: dt.datetime, result: ScanResult | None = None) -> list[Due]:
    """Everything the current state calls for, from every rule."""
    dues: list[Due] = []
    for rule in RULES:
        try:
            # A savepoint, so that a failing query does not poison a surrounding transaction (PostgreSQL).
            with transaction.atomic():
                dues.extend(rule.run(now=now))
        except Exception:
            # One rule tripping over another app's data must not stop every other reminder.
            logger.exception("reminder rule %s failed", rule.name)
            if result is not None:
                result.failed_rules.append(rule.name)
    return dues


def reminders_scan(*, now: dt.datetime, dry_run: bool = False) -> ScanResult:
    result = ScanResult(now=now, dry_run=dry_run)
    new = _not_recorded_yet(reminders_due(now=now, result=result))
    candidates = list(_requeue_candidates(now=now))
    if dry_run:
        result.planned = new
        result.requeue_candidates = candidates
        return result

    result.recorded = _record_all(new, now=now)
    for delivery in candidates:
        old = Q(queued_at__isnull=True) if delivery.queued_at is None else Q(queued_at=delivery.queued_at)
        # Conditional, so that of two scans running together only one hands the row over again.
        if ReminderDelivery.objects.filter(old, pk=delivery.pk, status=Status.PENDING).update(queued_at=now):
            result.requeued.append(delivery.pk)

    ids = [d.pk for d in result.recorded] + result.requeued
    if ids:
        # After commit: a worker must never pick up a row that is not in the database yet.
        transaction.on_commit(lambda: _publish(ids, result))
    return result


def _not_recorded_yet(dues: list[Due]) -> list[Due]:
    unique: dict[tuple, Due] = {}
    for due in dues:
        unique.setdefault(due.key, due)
    groups: dict[tuple[str, int], set[int]] = defaultdict(set)
    for _recipient_id, type_id, subject_id, kind, _due_date in unique:
        groups[(kind, type_id)].add(subject_id)
    existing: set[tuple] = set()
    for (kind, type_id), subject_ids in groups.items():
        rows = ReminderDelivery.objects.filter(kind=kind, subject_type_id=type_id, subject_id__in=subject_ids)
        existing.update(rows.values_list("recipient_id", "subject_type_id", "subject_id", "kind", "due_date"))
    return [due for key, due in unique.items() if key not in existing]


def _record_all(dues: list[Due], *, now: dt.datetime) -> list[ReminderDelivery]:
    """Insert the rows that say "this reminder exists" (INSERT … ON CONFLICT DO NOTHING) and return the
    ones this scan inserted; a reminder another scan recorded first is simply not among them."""
    if not dues:
        return []
    scan_id = uuid.uuid4()
    rows = []
    for due in dues:
        delivery = ReminderDelivery(
            recipient_id=due.recipient_id,
            kind=due.kind,
            subject_type_id=due.subject_type_id,
            subject_id=due.subject.pk,
            due_date=due.due_date,
            title=due.title[:200],
            body=due.body,
            url=due.url[:500],
            created_at=now,
            queued_at=now,
            scan_id=scan_id,
        )
        # The keys come from rows just read and the database checks them (and uniqueness) itself.
        delivery.full_clean(exclude=["recipient", "subject_type"], validate_unique=False, validate_constraints=False)
        rows.append(delivery)
    with transaction.atomic():
        ReminderDelivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return list(ReminderDelivery.objects.filter(scan_id=scan_id).order_by("id"))


def _requeue_candidates(*, now: dt.datetime):
    """Pending rows whose message never reached the broker, got lost, or waited out the quiet hours."""
    stale = now - dt.timedelta(minutes=settings.REMINDER_REQUEUE_AFTER_MINUTES)
    may_send = Q(not_before__isnull=True) | Q(not_before__lte=now)
    needs_message = Q(queued_at__isnull=True) | Q(queued_at__lt=stale) | Q(queued_at__lt=F("not_before"))
    return (
        ReminderDelivery.objects.filter(status=Status.PENDING)
        .filter(may_send & needs_message)
        .select_related("recipient", "subject_type")
        .order_by("id")
    )


def _publish(ids: list[int], result: ScanResult) -> None:
    from .tasks import reminder_send as reminder_send_task

    eager = reminder_send_task.app.conf.task_always_eager
    failed: list[int] = []
    for index, pk in enumerate(ids):
        if enqueue(reminder_send_task, pk):
            continue
        if eager:  # in eager mode a False is that one task failing, not the broker
            failed.append(pk)
            continue
        # The broker is down: stop knocking (each try waits for a timeout) and leave the rest for later.
        failed.extend(ids[index:])
        break
    if failed:
        ReminderDelivery.objects.filter(pk__in=failed, status=Status.PENDING).update(queued_at=None)
        result.unpublished = len(failed)


# ---------------------------------------------------------------- the send
def in_quiet_hours(now: dt.datetime) -> bool:
    start, end = settings.REMINDER_QUIET_START_HOUR, settings.REMINDER_QUIET_END_HOUR
    hour = timezone.localtime(now).hour
    if start == end:
        return False
    if start > end:  # across midnight, 22 → 7
        return hour >= start or hour < end
    return start <= hour < end


def quiet_hours_end(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    end = local.replace(hour=settings.REMINDER_QUIET_END_HOUR, minute=0, second=0, microsecond=0)
    return end if end > local else end + dt.timedelta(days=1)


def reminder_still_due(*, delivery: ReminderDelivery, now: dt.datetime) -> bool:
    """Does the current state still call for this reminder? Asked again at send time."""
    rule = rule_for_kind(delivery.kind)
    if rule is None:
        return False
    model = delivery.subject_type.model_class()
    subject = model._base_manager.filter(pk=delivery.subject_id).first() if model else None
    if subject is None:
        return False
    key = (delivery.recipient_id, delivery.subject_type_id, delivery.subject_id, delivery.kind, delivery.due_date)
    return any(due.key == key for due in rule.run(now=now, subject=subject))


def reminder_deliver(*, delivery_id: int, now: dt.datetime) -> str:
    """Send one reminder through every channel, each at most once. Returns what happened."""
    delivery = ReminderDelivery.objects.select_related("recipient", "subject_type").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != Status.PENDING:
        return delivery.status
    if delivery.not_before and now < delivery.not_before:
        return "deferred"
    if not reminder_still_due(delivery=delivery, now=now):
        ReminderDelivery.objects.filter(pk=delivery.pk, status=Status.PENDING).update(
            status=Status.CANCELLED, finished_at=now, note="发送时已不再需要提醒"
        )
        return "cancelled"

    quiet = in_quiet_hours(now)
    outcomes = [_dispatch(delivery, channel, now=now, quiet=quiet) for channel in get_channels()]
    if "failed" in outcomes:
        raise ReminderSendError(f"reminder {delivery.pk}: a channel failed")
    if "busy" in outcomes:
        return "busy"  # another worker holds a channel; it finishes the reminder
    if "waiting" in outcomes:
        ReminderDelivery.objects.filter(pk=delivery.pk, status=Status.PENDING).update(
            not_before=quiet_hours_end(now)
        )
        return "deferred"
    ReminderDelivery.objects.filter(pk=delivery.pk, status=Status.PENDING).update(
        status=Status.SENT,
        finished_at=now,
        not_before=None,
        note="部分渠道发送失败" if "gave_up" in outcomes else "",
    )
    return "sent"


def _dispatch(delivery: ReminderDelivery, channel: Channel, *, now: dt.datetime, quiet: bool) -> str:
    """One channel: "done", "gave_up", "waiting" (quiet hours), "busy" (another worker) or "failed"."""
    existing = ReminderDispatch.objects.filter(delivery=delivery, channel=channel.name).first()
    if existing is not None:
        if existing.status in (DispatchStatus.SENT, DispatchStatus.SKIPPED):
            return "done"
        if existing.status == DispatchStatus.SENDING:
            if existing.updated_at >= now - STALE_CLAIM:
                return "busy"
            ReminderDispatch.objects.filter(pk=existing.pk, status=DispatchStatus.SENDING).update(
                status=DispatchStatus.FAILED,
                attempts=settings.REMINDER_MAX_ATTEMPTS,
                error="worker lost while sending; not resent (at most once)",
                updated_at=now,
            )
            return "gave_up"
        if existing.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            return "gave_up"

    reason = channel.skip_reason(delivery)
    if reason:
        _set_dispatch(delivery, channel, existing, status=DispatchStatus.SKIPPED, now=now, note=reason)
        return "done"
    if quiet and channel.respects_quiet_hours:
        return "waiting"

    if channel.transactional:
        # Claim and send commit together: exactly once.
        try:
            with transaction.atomic():
                if not _claim(delivery, channel, existing, status=DispatchStatus.SENT, now=now):
                    return "busy"
                channel.send(delivery)
        except IntegrityError:
            return "busy"
        except Exception as exc:
            logger.warning("reminder %s: channel %s failed", delivery.pk, channel.name, exc_info=True)
            _set_dispatch(delivery, channel, existing, status=DispatchStatus.FAILED, now=now, error=exc)
            return "failed"
        return "done"

    # Claim first and commit, then talk to the outside world: at most once.
    with transaction.atomic():
        claimed = _claim(delivery, channel, existing, status=DispatchStatus.SENDING, now=now)
    if not claimed:
        return "busy"
    mine = ReminderDispatch.objects.filter(delivery=delivery, channel=channel.name)
    try:
        channel.send(delivery)
    except ChannelSkipped as exc:
        mine.update(status=DispatchStatus.SKIPPED, error=exc.reason[:500], updated_at=timezone.now())
        return "done"
    except Exception as exc:
        permanent = getattr(exc, "permanent", False)  # a rejected phone number: retrying cannot help
        logger.warning("reminder %s: channel %s failed", delivery.pk, channel.name, exc_info=not permanent)
        changes = {"status": DispatchStatus.FAILED, "error": str(exc)[:500], "updated_at": timezone.now()}
        if permanent:
            changes["attempts"] = settings.REMINDER_MAX_ATTEMPTS
        mine.update(**changes)
        return "gave_up" if permanent else "failed"
    mine.update(status=DispatchStatus.SENT, error="", updated_at=timezone.now())
    return "done"


def _claim(delivery, channel, existing, *, status: str, now: dt.datetime) -> bool:
    if existing is None:
        try:
            with transaction.atomic():
                ReminderDispatch.objects.create(
                    delivery=delivery, channel=channel.name, status=status, attempts=1, updated_at=now
                )
        except IntegrityError:
            return False
        return True
    # Take over a failed attempt, unless another worker has already done so.
    return bool(
        ReminderDispatch.objects.filter(
            pk=existing.pk, status=existing.status, attempts=existing.attempts
        ).update(status=status, attempts=existing.attempts + 1, updated_at=now, error="")
    )


def _set_dispatch(delivery, channel, existing, *, status: str, now: dt.datetime, error=None, note: str = "") -> None:
    message = str(error)[:500] if error else note[:500]
    if existing is None:
        try:
            with transaction.atomic():
                ReminderDispatch.objects.create(
                    delivery=delivery,
                    channel=channel.name,
                    status=status,
                    attempts=1 if error else 0,
                    updated_at=now,
                    error=message,
                )
        except IntegrityError:
            pass
        return
    ReminderDispatch.objects.filter(pk=existing.pk).update(
        status=status, attempts=F("attempts") + (1 if error else 0), updated_at=now, error=message
    )


def robot_say(*, name: str, webhook: str, secret: str, text: str) -> None:
    """One message to one group robot (`name` as in selectors.branch_robots)."""
    from .gateways import dingtalk_robot_send, wecom_robot_send

    if name == RobotPost.Channel.DINGTALK:
        dingtalk_robot_send(webhook=webhook, secret=secret, text=text)
    else:
        wecom_robot_send(webhook=webhook, text=text)


def robots_test(*, branch) -> list[tuple[str, str]]:
    """Post a test message to each of the branch's group robots: (channel name, "" or the reason it failed)."""
    from .selectors import branch_robots

    text = _("【%(branch)s】Branchlife 测试消息：组织生活会的通知会发到本群。") % {"branch": branch}
    results = []
    for name, webhook, secret in branch_robots(branch=branch):
        try:
            robot_say(name=name, webhook=webhook, secret=secret, text=text)
        except Exception as exc:  # the gateways' errors carry a reason in Chinese
            results.append((name, str(exc)))
        else:
            results.append((name, ""))
    return results


# ---------------------------------------------------------------- SMS budget (issue 16)
def _month(now: dt.datetime) -> dt.date:
    return timezone.localdate(now).replace(day=1)


def sms_budget_take(*, branch, now: dt.datetime | None = None) -> bool:
    """Take one message of the branch's monthly SMS budget; False (and the secretaries told, once a month)
    when it is spent. A conditional UPDATE, so two workers never both take the last one."""
    from .selectors import branch_channels_get

    now = now or timezone.now()
    budget = branch_channels_get(branch=branch).budget
    month = _month(now)
    SmsMonth.objects.get_or_create(branch=branch, month=month)
    if SmsMonth.objects.filter(branch=branch, month=month, sent__lt=budget).update(sent=F("sent") + 1):
        return True
    if budget and SmsMonth.objects.filter(branch=branch, month=month, spent_notified_at__isnull=True).update(
        spent_notified_at=now
    ):
        _tell_secretaries_budget_spent(branch=branch, budget=budget, now=now)
    return False


def sms_budget_refund(*, branch, now: dt.datetime | None = None) -> None:
    SmsMonth.objects.filter(branch=branch, month=_month(now or timezone.now()), sent__gt=0).update(sent=F("sent") - 1)


def sms_month_used(*, branch, now: dt.datetime | None = None) -> int:
    row = SmsMonth.objects.filter(branch=branch, month=_month(now or timezone.now())).first()
    return row.sent if row else 0


def _tell_secretaries_budget_spent(*, branch, budget: int, now: dt.datetime) -> None:
    from django.urls import reverse

    from .rules.base import secretaries_by_branch

    local = timezone.localdate(now)
    for member in secretaries_by_branch([branch.pk]).get(branch.pk, []):
        notification_create(
            recipient=member.user,
            title=_("本月短信额度已用完"),
            body=_(
                "%(branch)s本月的 %(budget)s 条短信已经发完，%(month)s月内不再发送短信提醒（站内通知和邮件照常）。"
                "没有收到短信的同志请电话或当面通知，名单见“通知送达情况”。"
            )
            % {"branch": branch, "budget": budget, "month": local.month},
            url=reverse("notifications:branch_channels", args=[branch.pk]),
        )


# ---------------------------------------------------------------- work-chat group robots (issue 16)
def robot_text(*, branch, delivery: ReminderDelivery) -> str:
    lines = [f"【{branch}】{delivery.title}"]
    if delivery.body:
        lines.append(delivery.body)
    if delivery.url:
        lines.append(_("详情：%(link)s") % {"link": absolute(delivery.url)})
    return "\n".join(lines)


def robot_post_send(*, branch, delivery: ReminderDelivery, now: dt.datetime | None = None) -> None:
    """Post a broadcast notice to each of the branch's group robots once. The row is claimed (committed
    as "sending") before the post; a failed post is taken over by the next delivery or retry that comes by,
    up to REMINDER_MAX_ATTEMPTS; one whose worker was lost mid-post is not posted again (at most once)."""
    from .selectors import branch_robots

    now = now or timezone.now()
    failures = []
    for name, webhook, secret in branch_robots(branch=branch):
        post = _robot_claim(branch=branch, channel=name, delivery=delivery, now=now)
        if post is None:
            continue
        try:
            robot_say(name=name, webhook=webhook, secret=secret, text=robot_text(branch=branch, delivery=delivery))
        except Exception as exc:
            changes = {"status": RobotPost.Status.FAILED, "error": str(exc)[:500], "updated_at": timezone.now()}
            if getattr(exc, "permanent", False):
                changes["attempts"] = settings.REMINDER_MAX_ATTEMPTS
            RobotPost.objects.filter(pk=post.pk).update(**changes)
            failures.append(exc)
            continue
        RobotPost.objects.filter(pk=post.pk).update(status=RobotPost.Status.SENT, error="", updated_at=timezone.now())
    if failures:
        raise failures[0]


def _robot_claim(*, branch, channel: str, delivery: ReminderDelivery, now: dt.datetime) -> RobotPost | None:
    key = {
        "branch": branch,
        "channel": channel,
        "kind": delivery.kind,
        "subject_type_id": delivery.subject_type_id,
        "subject_id": delivery.subject_id,
        "due_date": delivery.due_date,
    }
    try:
        with transaction.atomic():
            return RobotPost.objects.create(
                **key, title=delivery.title[:200], status=RobotPost.Status.SENDING, updated_at=now
            )
    except IntegrityError:
        pass
    post = RobotPost.objects.filter(**key).first()
    if post is None or post.status != RobotPost.Status.FAILED or post.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        return None  # posted, being posted, or given up
    # Every member's delivery passes by: without a pause they would spend the attempts in one second.
    pause = min(ROBOT_RETRY_PAUSE * 2 ** (post.attempts - 1), ROBOT_RETRY_PAUSE_MAX)
    if post.updated_at > now - pause:
        return None
    taken = RobotPost.objects.filter(pk=post.pk, status=RobotPost.Status.FAILED, attempts=post.attempts).update(
        status=RobotPost.Status.SENDING, attempts=post.attempts + 1, updated_at=now
    )
    return post if taken else None
