"""Where a reminder goes. Each channel is one small class; settings.REMINDER_CHANNELS lists them.

To add SMS or a work-chat webhook, subclass `Channel`, implement `send(delivery)` (raise on failure: the
task retries with backoff), say whether it respects quiet hours, and add its dotted path to
REMINDER_CHANNELS. A channel that writes only to our database sets `transactional = True`: its write is
committed together with the "sent" record, so it happens exactly once. Any other channel is claimed
(committed) before it talks to the outside world, so it happens at most once.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import ReminderDelivery
from .selectors import notification_preference_get


class Channel:
    name: str = ""
    transactional: bool = False
    respects_quiet_hours: bool = True

    def applies_to(self, delivery: ReminderDelivery) -> bool:
        """False when this recipient cannot or does not want to get it this way (recorded as skipped)."""
        return True

    def send(self, delivery: ReminderDelivery) -> None:
        raise NotImplementedError


class InAppChannel(Channel):
    """The notification centre. Always on: members may not turn it off; it also speaks at night."""

    name = "in_app"
    transactional = True
    respects_quiet_hours = False

    def send(self, delivery: ReminderDelivery) -> None:
        from .services import notification_create

        notification_create(
            recipient=delivery.recipient,
            kind=delivery.kind,
            title=delivery.title,
            body=delivery.body,
            url=delivery.url,
            delivery=delivery,
        )


class EmailChannel(Channel):
    """Django's email backend (the console in development)."""

    name = "email"

    def applies_to(self, delivery: ReminderDelivery) -> bool:
        if not delivery.recipient.email:
            return False
        return notification_preference_get(user=delivery.recipient).email_enabled

    def send(self, delivery: ReminderDelivery) -> None:
        link = f"{settings.SITE_URL.rstrip('/')}{delivery.url}" if delivery.url.startswith("/") else delivery.url
        lines = [delivery.body]
        if link:
            lines += ["", _("去处理:%(link)s") % {"link": link}]
        lines += ["", _("—— Branchlife 组织生活会提醒。可在“通知设置”中关闭邮件提醒。")]
        send_mail(
            subject=f"[Branchlife] {delivery.title}",
            message="\n".join(lines),
            from_email=None,
            recipient_list=[delivery.recipient.email],
            fail_silently=False,
        )


@functools.cache
def _load(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def get_channels() -> tuple[Channel, ...]:
    return _load(tuple(settings.REMINDER_CHANNELS))
