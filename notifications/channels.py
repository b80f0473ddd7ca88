"""Where a reminder or notice goes. Each channel is one small class; settings.REMINDER_CHANNELS lists them.

To add a channel, subclass `Channel`, implement `send(delivery)` (raise on failure: the task retries with
backoff; raise an exception whose `permanent` is true when retrying cannot help, `ChannelSkipped` when it
turns out at send time that the channel does not apply), say why it does not apply to a recipient in
`skip_reason` and whether it respects quiet hours, and add its dotted path to REMINDER_CHANNELS. A
channel that writes only to our database sets `transactional = True`: its write is committed together
with the "sent" record, so it happens exactly once. Any other channel is claimed (committed) before it
talks to the outside world, so it happens at most once.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import BROADCAST_KINDS, Kind, ReminderDelivery
from .selectors import notification_preference_get

logger = logging.getLogger(__name__)


class ChannelSkipped(Exception):
    """The channel does not apply after all (found at send time: the branch's SMS budget is spent)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Channel:
    name: str = ""
    transactional: bool = False
    respects_quiet_hours: bool = True

    def skip_reason(self, delivery: ReminderDelivery) -> str:
        """Why this recipient cannot or does not want to get it this way ("" = it applies). Recorded as
        skipped with the reason, which the secretary's "who has been told" page shows."""
        return ""

    def send(self, delivery: ReminderDelivery) -> None:
        raise NotImplementedError


def absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


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
    """Django's email backend (the console in development). A meeting notice carries the calendar file."""

    name = "email"

    def skip_reason(self, delivery: ReminderDelivery) -> str:
        if not delivery.recipient.email:
            return _("没有电子邮箱。")
        if not notification_preference_get(user=delivery.recipient).email_enabled:
            return _("本人已关闭邮件提醒。")
        return ""

    def send(self, delivery: ReminderDelivery) -> None:
        link = absolute(delivery.url)
        lines = [delivery.body]
        if link:
            lines += ["", _("去处理：%(link)s") % {"link": link}]
        lines += ["", _("—— Branchlife 组织生活会提醒。可在“通知设置”中关闭邮件提醒。")]
        message = EmailMessage(
            subject=f"[Branchlife] {delivery.title}", body="\n".join(lines), to=[delivery.recipient.email]
        )
        calendar = meeting_calendar_for(delivery)
        if calendar is not None:
            message.attach("meeting.ics", calendar, "text/calendar; charset=utf-8; method=PUBLISH")
        message.send(fail_silently=False)


def meeting_calendar_for(delivery: ReminderDelivery) -> bytes | None:
    """The .ics of the meeting a meeting notice is about (issue 16 item 6)."""
    if delivery.kind not in (Kind.MEETING_NOTICE, Kind.MEETING_TOMORROW):
        return None
    from meetings.calendar import meeting_calendar
    from meetings.models import Meeting

    meeting = Meeting.objects.filter(pk=delivery.subject_id).first()
    return meeting_calendar(meeting) if meeting is not None else None


def roster_member(delivery: ReminderDelivery):
    """The recipient's roster entry (phone, branch); officers and supervisors have none."""
    from organizations.models import Member

    return Member.objects.filter(user_id=delivery.recipient_id, is_active=True).select_related("branch").first()


class SmsChannel(Channel):
    """SMS through the deployment's gateway (notifications.gateways), to the phone on the roster, within
    the branch's monthly budget. The text is the title and a link: never a body, which may quote a
    secretary's comment or an answer."""

    name = "sms"

    def skip_reason(self, delivery: ReminderDelivery) -> str:
        from .gateways import mainland_mobile, sms_gateway_from_settings

        try:
            gateway = sms_gateway_from_settings()
        except ImproperlyConfigured:
            logger.exception("SMS_BACKEND is set but its settings are incomplete")
            return _("短信平台配置不完整，请联系管理员。")
        if gateway is None:
            return _("未接入短信平台。")
        member = roster_member(delivery)
        if member is None:
            return _("不在党员名册中。")
        if not mainland_mobile(member.phone):
            return _("名册中没有手机号码。")
        if not notification_preference_get(user=delivery.recipient).sms_enabled:
            return _("本人已关闭短信提醒。")
        return ""

    def send(self, delivery: ReminderDelivery) -> None:
        from .gateways import mainland_mobile, sms_gateway_from_settings
        from .services import sms_budget_refund, sms_budget_take

        member = roster_member(delivery)
        gateway = sms_gateway_from_settings()
        if member is None or gateway is None:
            raise ChannelSkipped(_("短信渠道已不适用。"))
        if not sms_budget_take(branch=member.branch):
            raise ChannelSkipped(_("本支部本月短信额度已用完。"))
        link = absolute(delivery.url)
        text = _("【Branchlife】%(title)s。详情：%(link)s") % {"title": delivery.title, "link": link}
        try:
            gateway.send(phone=mainland_mobile(member.phone), text=text, params={"title": delivery.title[:35], "link": link})
        except Exception:
            sms_budget_refund(branch=member.branch)  # nothing went out; a retry takes it again
            raise


class RobotChannel(Channel):
    """The branch's work-chat groups (企业微信, 钉钉 robots): a notice for the whole branch is posted once
    to each group, whichever member's delivery gets there first (notifications.models.RobotPost)."""

    name = "robot"

    def skip_reason(self, delivery: ReminderDelivery) -> str:
        from .selectors import branch_robots

        if delivery.kind not in BROADCAST_KINDS:
            return _("个人通知不发到工作群。")
        member = roster_member(delivery)
        if member is None:
            return _("不在党员名册中。")
        if not branch_robots(branch=member.branch):
            return _("本支部未设置工作群机器人。")
        return ""

    def send(self, delivery: ReminderDelivery) -> None:
        from .services import robot_post_send

        member = roster_member(delivery)
        if member is None:
            raise ChannelSkipped(_("不在党员名册中。"))
        robot_post_send(branch=member.branch, delivery=delivery)


@functools.cache
def _load(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def get_channels() -> tuple[Channel, ...]:
    return _load(tuple(settings.REMINDER_CHANNELS))
