from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about; one reminder kind per deadline stage."""

    GENERAL = "general", _("通知")
    OPINIONS_CLOSE = "opinions_close", _("征求意见即将截止")
    TALKS_DUE = "talks_due", _("谈心谈话待完成")
    SELF_REVIEW_DUE = "self_review_due", _("对照检查材料待提交")
    BALLOT_CLOSING = "ballot_closing", _("民主测评即将截止")
    PLANS_DUE = "plans_due", _("整改方案即将截止")
    ITEM_DUE_SOON = "item_due_soon", _("整改事项即将到期")
    ITEM_DUE_TODAY = "item_due_today", _("整改事项今日到期")
    ITEM_OVERDUE = "item_overdue", _("整改事项已逾期")
    ITEM_OVERDUE_SECRETARY = "item_overdue_secretary", _("本支部整改事项逾期")
    ITEM_ESCALATED = "item_escalated", _("整改事项逾期督办")
    FOLLOW_UP_DUE = "follow_up_due", _("整改回头看即将到期")
    CORRECTION_ENDS = "correction_ends", _("限期改正即将期满")
    RHYTHM_DUE = "rhythm_due", _("三会一课待开展")
    # Notices: something happened (issue 16), not a deadline drawing near.
    MEETING_NOTICE = "meeting_notice", _("会议通知")
    MEETING_TOMORROW = "meeting_tomorrow", _("明天召开组织生活会")
    OPINIONS_OPEN = "opinions_open", _("开始征求意见")
    SELF_REVIEW_RETURNED = "self_review_returned", _("对照检查材料被退回")
    SELF_REVIEW_APPROVED = "self_review_approved", _("对照检查材料审核通过")
    OPINION_ANSWERED = "opinion_answered", _("意见建议已答复")
    TALK_TO_CONFIRM = "talk_to_confirm", _("谈心谈话待确认")
    VOTING_OPEN = "voting_open", _("民主测评开始投票")
    RESULTS_PUBLISHED = "results_published", _("评定结果已公示")
    ITEM_ASSIGNED = "item_assigned", _("整改事项已分派")
    ITEM_VERIFIED = "item_verified", _("整改事项已核验销号")
    ITEM_SENT_BACK = "item_sent_back", _("整改事项被退回")
    # Upward review (issue 19): a plan or report sent up, and the reviewer's decision.
    FILING_SUBMITTED = "filing_submitted", _("上报材料待审核")
    FILING_RETURNED = "filing_returned", _("上报材料被退回")
    FILING_APPROVED = "filing_approved", _("上报材料审核通过")


# Notices the whole branch gets: these also go to the branch's work-chat group (never a personal one:
# a returned self-review or a reopened item is nobody else's business).
BROADCAST_KINDS = frozenset(
    {Kind.MEETING_NOTICE, Kind.MEETING_TOMORROW, Kind.OPINIONS_OPEN, Kind.VOTING_OPEN, Kind.RESULTS_PUBLISHED}
)


class Notification(models.Model):
    """One message in a user's in-app notification centre."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=40, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The reminder this message delivers; unique, so a reminder shows up in the centre at most once.
    delivery = models.OneToOneField(
        "ReminderDelivery",
        verbose_name=_("提醒"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
    )

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created_idx"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Per-user channel choices. In-app messages cannot be turned off; email can."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField(_("接收邮件提醒"), default=True)
    sms_enabled = models.BooleanField(_("接收短信提醒"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return str(self.user)


class ReminderDelivery(models.Model):
    """One reminder to one person about one object's deadline.

    The unique constraint is the "sent at most once" guarantee: the scan inserts this row before anything
    is queued, and a second scan, a second beat or a retried task finds the row instead of making another.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        CANCELLED = "cancelled", _("已取消（已完成无需提醒）")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("类型"), max_length=40, choices=Kind.choices)
    subject_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.CASCADE)
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    due_date = models.DateField(_("截止日期"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # The scan that inserted the row: after a bulk INSERT … ON CONFLICT DO NOTHING it tells this scan's rows
    # from those another scan inserted at the same moment.
    scan_id = models.UUIDField(_("扫描批次"), null=True, blank=True, editable=False, db_index=True)
    # When the send was last handed to the broker; None means it never got there (broker down).
    queued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    # Quiet hours: channels that must not send at night wait until this time.
    not_before = models.DateTimeField(_("最早发送时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "subject_type", "subject_id", "kind", "due_date"],
                name="reminder_sent_at_most_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="reminder_status_queued_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="reminder_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.due_date})"


class ReminderDispatch(models.Model):
    """One channel's attempt at one reminder; unique per (reminder, channel).

    A worker claims the row (inserts it as "sending") and commits before it talks to the outside world,
    so two workers never both send the same email.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")
        SKIPPED = "skipped", _("不适用")

    delivery = models.ForeignKey(ReminderDelivery, on_delete=models.CASCADE, related_name="dispatches")
    channel = models.CharField(_("渠道"), max_length=30)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    error = models.CharField(_("错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "channel"], name="reminder_dispatch_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.get_status_display()}"


class BranchChannels(models.Model):
    """A branch's outside channels: its work-chat group robots and its monthly SMS budget."""

    branch = models.OneToOneField(
        "organizations.Organization", verbose_name=_("党支部"), on_delete=models.CASCADE, related_name="notice_channels"
    )
    wecom_webhook = models.URLField(
        _("企业微信群机器人地址"), max_length=500, blank=True, help_text=_("群聊 → 添加群机器人 → 复制 Webhook 地址。")
    )
    dingtalk_webhook = models.URLField(
        _("钉钉群机器人地址"), max_length=500, blank=True, help_text=_("群设置 → 机器人 → 自定义机器人 → 复制 Webhook 地址。")
    )
    dingtalk_secret = models.CharField(
        _("钉钉加签密钥"), max_length=200, blank=True, help_text=_("机器人安全设置选择“加签”时显示的 SEC 开头的密钥。")
    )
    # None: the deployment's default (SMS_MONTHLY_BUDGET); 0: this branch sends no SMS.
    sms_monthly_budget = models.PositiveIntegerField(_("每月短信额度（条）"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")

    def __str__(self) -> str:
        return str(self.branch)

    @property
    def budget(self) -> int:
        return settings.SMS_MONTHLY_BUDGET if self.sms_monthly_budget is None else self.sms_monthly_budget


class SmsMonth(models.Model):
    """SMS a branch sent in one month; the budget is taken one message at a time, by a conditional update."""

    branch = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))  # the first of the month
    sent = models.PositiveIntegerField(_("已发送"), default=0)
    # Set once when the budget ran out, so the secretary is told once a month, not once per message.
    spent_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信用量")
        verbose_name_plural = _("短信用量")
        constraints = [models.UniqueConstraint(fields=["branch", "month"], name="sms_month_once_per_branch")]

    def __str__(self) -> str:
        return f"{self.branch} {self.month:%Y-%m}: {self.sent}"


class RobotPost(models.Model):
    """One work-chat group message for one notice of one branch: every member's delivery of a broadcast
    notice passes by the robot channel, and this row (unique) makes the group hear it once."""

    class Channel(models.TextChoices):
        WECOM = "wecom", _("企业微信群")
        DINGTALK = "dingtalk", _("钉钉群")

    # The same claim states as a channel's attempt (sending → sent | failed); never "skipped".
    Status = ReminderDispatch.Status

    branch = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("渠道"), max_length=30, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=40, choices=Kind.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    due_date = models.DateField()
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    error = models.CharField(_("错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("群机器人消息")
        verbose_name_plural = _("群机器人消息")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "channel", "subject_type", "subject_id", "kind", "due_date"],
                name="robot_post_once_per_notice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.title}"
