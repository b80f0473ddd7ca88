import secrets
import uuid

from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meetings.quota import quota_columns
from organizations.models import BranchOwned, MeetingOwned, Member, Organization, Supervisor

# Seed 002: members write their self-review "from six aspects". A meeting may change the list.
DEFAULT_REVIEW_ASPECTS = [
    "坚定理想信念方面",
    "严守政治纪律和政治规矩方面",
    "践行宗旨、联系服务群众方面",
    "履职尽责、担当作为方面",
    "发挥党员先锋模范作用方面",
    "廉洁自律、作风建设方面",
]


def default_review_aspects() -> list[str]:
    return list(DEFAULT_REVIEW_ASPECTS)


def new_public_token() -> str:
    # 128 random bits: the public opinion link must not be guessable from the meeting's id.
    return secrets.token_urlsafe(16)


def new_sort_key() -> int:
    return secrets.randbelow(2**62)


class Meeting(BranchOwned, models.Model):
    """One organizational-life meeting (组织生活会) of a branch, from preparation to rectification."""


    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年度组织生活会")
        SPECIAL = "special", _("专题组织生活会")

    class TalkRuleSet(models.TextChoices):
        THREE = "three", _("三个必谈")
        FOUR = "four", _("四个必谈")
        CUSTOM = "custom", _("自定义")

    branch = models.ForeignKey(
        Organization, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    theme = models.CharField(_("主题"), max_length=200, blank=True, help_text=_("专题组织生活会的主题"))
    year = models.PositiveSmallIntegerField(_("年度"))
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    video_link = models.URLField(
        _("视频会议链接"), blank=True, max_length=500, help_text=_("流动党员等远程参会时使用，随会议通知发出。")
    )
    supervisors = models.ManyToManyField(Supervisor, verbose_name=_("督导"), blank=True, related_name="meetings")
    # The 优秀 cap as an exact ratio (evaluations.policy.Quota): 1/3 stays 1/3, 30% is 3/10, reduced.
    # Both null means no cap (some local rules set none); the default follows seed 000's 30%.
    excellent_quota_numerator = models.PositiveIntegerField(_("优秀比例上限（分子）"), null=True, blank=True, default=3)
    excellent_quota_denominator = models.PositiveIntegerField(_("优秀比例上限（分母）"), null=True, blank=True, default=10)
    opinions_close_on = models.DateField(_("征求意见截止"), null=True, blank=True)
    talks_due_on = models.DateField(_("谈心谈话完成"), null=True, blank=True)
    self_reviews_due_on = models.DateField(_("对照检查材料提交截止"), null=True, blank=True)
    ballot_closes_at = models.DateTimeField(_("测评截止"), null=True, blank=True)
    rectification_plans_due_on = models.DateField(_("整改方案截止"), null=True, blank=True)

    basis = models.CharField(
        _("依据"), max_length=300, blank=True, help_text=_("上级通知，如：安组通〔2021〕4号")
    )
    talk_rule_set = models.CharField(
        _("谈心谈话规则"), max_length=10, choices=TalkRuleSet.choices, default=TalkRuleSet.THREE
    )
    # Used when talk_rule_set is custom: a list of keys from meetings.talks.RULES.
    custom_talk_rules = models.JSONField(_("自定义必谈规则"), default=list, blank=True)
    review_aspects = models.JSONField(_("对照检查的方面"), default=default_review_aspects, blank=True)
    claim_target_member = models.PositiveSmallIntegerField(_("党员认领意见建议条数"), default=3)
    claim_target_committee = models.PositiveSmallIntegerField(_("支委认领意见建议条数"), default=5)
    public_token = models.CharField(_("群众意见链接口令"), max_length=32, unique=True, default=new_public_token, editable=False)
    ready_at = models.DateTimeField(_("会前准备就绪时间"), null=True, blank=True)
    ready_note = models.TextField(_("未完成事项说明"), blank=True)
    # Issue 5: who besides the secretary and the supervisors may write the meeting record.
    recorders = models.ManyToManyField(Member, verbose_name=_("记录员"), blank=True, related_name="recorded_meetings")
    closed_at = models.DateTimeField(_("会议结束时间"), null=True, blank=True)
    supervisors_present = models.ManyToManyField(
        Supervisor, verbose_name=_("到会督导"), blank=True, related_name="meetings_attended"
    )
    closing_statement = models.TextField(_("书记表态发言"), blank=True, max_length=20000)
    minutes = models.TextField(_("会议纪要"), blank=True, max_length=50000)
    next_steps = models.TextField(_("下一步工作打算"), blank=True, max_length=20000)
    # The SEQUENCE of the meeting's calendar event (meetings/calendar.py): raised by services.meeting_update
    # each time the date, the time or the place changes, so calendars that imported the .ics take the move.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("组织生活会")
        verbose_name_plural = _("组织生活会")
        ordering = ["-year", "-held_on", "-id"]
        indexes = [models.Index(fields=["branch", "year"], name="meeting_branch_year_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "year"],
                condition=Q(kind="annual"),
                name="meeting_one_annual_per_branch_year",
                violation_error_message=_("该支部这一年度的年度组织生活会已经安排。"),
            ),
            # Quota: both null (no cap) or both set, a ratio between 0 and 1.
            models.CheckConstraint(
                condition=Q(excellent_quota_numerator__isnull=True, excellent_quota_denominator__isnull=True)
                | Q(excellent_quota_numerator__isnull=False, excellent_quota_denominator__isnull=False),
                name="meeting_quota_both_or_none",
            ),
            models.CheckConstraint(condition=Q(excellent_quota_denominator__gt=0), name="meeting_quota_denominator_positive"),
            models.CheckConstraint(
                condition=Q(excellent_quota_numerator__lte=F("excellent_quota_denominator")), name="meeting_quota_at_most_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.title}"

    @property
    def title(self) -> str:
        """The meeting's name without its branch. Every page, document and export names a meeting through here, so
        that 年度 and 专题 and the theme are never lost or doubled ("2026年度年度组织生活会") — whole sentences, so
        that the English reads as English."""
        if self.kind == self.Kind.SPECIAL:
            if self.theme:
                return gettext("%(year)s年度专题组织生活会（%(theme)s）") % {"year": self.year, "theme": self.theme}
            return gettext("%(year)s年度专题组织生活会") % {"year": self.year}
        return gettext("%(year)s年度组织生活会") % {"year": self.year}

    # The 优秀 cap the evaluation will copy, as a Quota (None: no cap); meetings.quota has no model imports.
    excellent_quota = quota_columns()

    @property
    def owner_meeting(self) -> "Meeting":  # for the permission predicates (organizations.models.BranchOwned)
        return self


class StudySession(MeetingOwned, models.Model):
    """会前学习: a collective study session before the meeting, with who attended."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="study_sessions")
    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("学习主题"), max_length=200)
    form = models.CharField(_("学习形式"), max_length=100, blank=True, help_text=_("如：书记领读、分组讨论、交流发言"))
    materials = models.TextField(_("学习材料"), blank=True)
    attendees = models.ManyToManyField(Member, verbose_name=_("参加人员"), blank=True, related_name="study_sessions")
    # SEQUENCE of its calendar event: raised by services.study_session_save when the date moves.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("会前学习")
        verbose_name_plural = _("会前学习")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class Forum(MeetingOwned, models.Model):
    """座谈会: a forum held to gather opinions for a meeting, often by a supervisor (seed 001 counts them:
    "共召开座谈会630余场次,12000余名党员参加"). Participants are counts, not names: people who speak at a
    forum are not registered, and the opinions gathered there keep the anonymity of any opinion."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="forums")
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    topic = models.CharField(_("座谈主题"), max_length=200)
    supervisors = models.ManyToManyField(
        Supervisor, verbose_name=_("参加的督导"), blank=True, related_name="forums",
        help_text=_("召开或参加座谈会的督导"),
    )
    member_participants = models.PositiveIntegerField(_("党员参加人数"))
    other_participants = models.PositiveIntegerField(_("群众等其他人员"), default=0)
    notes = models.TextField(_("备注"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("座谈会")
        verbose_name_plural = _("座谈会")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["held_on"], name="forum_held_on_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class Opinion(MeetingOwned, models.Model):
    """征求意见: one opinion or suggestion for the branch committee or a named member.

    Anonymity is structural. An anonymous opinion has no author reference, no address and no time finer
    than the day. Its primary key is a random UUID and lists sort by (received_on, sort_key), where the
    sort key is random too, so nothing about a row orders it the way a log would; services also rewrite
    the day's rows in a random order so the physical row order does not follow submission order either.
    The model therefore has no auto-increment id and no created/updated timestamps.
    """

    class Channel(models.TextChoices):
        MEMBER_ONLINE = "member", _("党员网上提交")
        PUBLIC_LINK = "public", _("群众扫码/链接")
        FORM = "form", _("征求意见表")
        BOX = "box", _("意见箱")
        FORUM = "forum", _("座谈会")
        HOME_VISIT = "visit", _("入户走访")
        WECHAT = "wechat", _("微信群")
        TALK = "talk", _("谈心谈话")
        OTHER = "other", _("其他")

    OFFLINE_CHANNELS = (Channel.FORM, Channel.BOX, Channel.FORUM, Channel.HOME_VISIT, Channel.WECHAT, Channel.TALK, Channel.OTHER)

    class Target(models.TextChoices):
        COMMITTEE = "committee", _("支部班子")
        MEMBER = "member", _("党员个人")

    class Category(models.TextChoices):
        POLITICS = "politics", _("理论学习与政治建设")
        ORGANIZATION = "organization", _("组织生活与党员管理")
        STYLE = "style", _("工作作风")
        SERVICE = "service", _("服务群众")
        INTEGRITY = "integrity", _("廉洁自律")
        WORK = "work", _("业务工作")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待办理")
        ANSWERED = "answered", _("已答复")
        RESOLVED = "resolved", _("已解决")

    MAX_LENGTH = 1000

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="opinions")
    received_on = models.DateField(_("收到日期"))
    sort_key = models.BigIntegerField(default=new_sort_key, editable=False)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    text = models.TextField(_("意见建议"), validators=[MinLengthValidator(5)], max_length=MAX_LENGTH)
    is_anonymous = models.BooleanField(_("匿名"), default=False)
    author_member = models.ForeignKey(
        Member, verbose_name=_("提出人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions_given"
    )
    author_label = models.CharField(_("提出人（群众）"), max_length=50, blank=True)
    target_kind = models.CharField(_("针对"), max_length=10, choices=Target.choices, default=Target.COMMITTEE)
    target_member = models.ForeignKey(
        Member, verbose_name=_("针对党员"), on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions_received"
    )
    target_text = models.CharField(_("来信所写对象"), max_length=50, blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并到"), on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("答复/办理情况"), blank=True, max_length=2000)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        Member, verbose_name=_("答复人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimants = models.ManyToManyField(
        Member, verbose_name=_("认领人"), through="OpinionClaim", blank=True, related_name="claimed_opinions"
    )
    # Where a forum-channel opinion was gathered. The forum is dated to the day, as the opinion is, so the
    # link says no more about an anonymous author than the channel and the date already do.
    forum = models.ForeignKey(
        Forum, verbose_name=_("座谈会"), on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions"
    )

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        ordering = ["received_on", "sort_key"]
        indexes = [models.Index(fields=["meeting", "received_on", "sort_key"], name="opinion_meeting_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | (Q(author_member__isnull=True) & Q(author_label="")),
                name="opinion_anonymous_has_no_author",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind="member") | Q(target_member__isnull=False),
                name="opinion_member_target_named",
            ),
            models.CheckConstraint(
                condition=Q(forum__isnull=True) | Q(channel="forum"),
                name="opinion_forum_channel_is_forum",
                violation_error_message=_("座谈会上收集的意见，渠道须为“座谈会”。"),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:30]


class OpinionClaim(models.Model):
    """认领: a member takes an opinion on as their own problem to answer and rectify."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="claims")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="opinion_claims")
    claimed_on = models.DateField(_("认领日期"))

    class Meta:
        verbose_name = _("意见认领")
        verbose_name_plural = _("意见认领")
        constraints = [models.UniqueConstraint(fields=["opinion", "member"], name="opinion_claim_once")]

    def __str__(self) -> str:
        return f"{self.member} ← {self.opinion}"


class Talk(MeetingOwned, models.Model):
    """谈心谈话: one heart-to-heart talk between two members, or a member and someone outside the branch."""

    class Other(models.TextChoices):
        NONE = "", _("本支部党员")
        LEADER = "leader", _("分管领导")
        RECIPIENT = "recipient", _("服务对象")
        OTHER = "other", _("其他人员")

    class State(models.TextChoices):
        """Where a talk stands with the confirmation (Talk.confirmation_state)."""

        NOT_NEEDED = "not_needed", _("无需确认")
        PENDING = "pending", _("待对方确认")
        CONFIRMED = "confirmed", _("对方已确认")
        DISPUTED = "disputed", _("对方表示未进行")

    meeting = models.ForeignKey(Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="talks")
    member_a = models.ForeignKey(Member, verbose_name=_("谈话人"), on_delete=models.CASCADE, related_name="talks_as_a")
    member_b = models.ForeignKey(
        Member, verbose_name=_("谈话对象"), on_delete=models.CASCADE, null=True, blank=True, related_name="talks_as_b"
    )
    other_kind = models.CharField(_("对象类型"), max_length=10, choices=Other.choices, blank=True, default="")
    other_name = models.CharField(_("对象姓名/单位"), max_length=100, blank=True)
    held_on = models.DateField(_("谈话日期"))
    topics = models.CharField(_("谈话主题"), max_length=300)
    # Readable only by the two parties and the secretary (branchlife.permissions meetings.view_talk_summary).
    summary = models.TextField(_("谈话要点"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Issue 16 item 5: the other side confirms a talk recorded by one side, or says it did not take place.
    # Editing the talk clears both (services.talk_save). Who must confirm: Talk.confirmer_id.
    confirmed_at = models.DateTimeField(_("对方确认时间"), null=True, blank=True)
    disputed_at = models.DateTimeField(_("对方表示未进行的时间"), null=True, blank=True)
    dispute_note = models.CharField(_("对方说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member_b__isnull=False) & Q(other_kind=""))
                | (Q(member_b__isnull=True) & ~Q(other_kind="")),
                name="talk_partner_member_or_other",
            ),
            models.CheckConstraint(condition=~Q(member_a=models.F("member_b")), name="talk_not_with_oneself"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(disputed_at__isnull=True),
                name="talk_confirmed_or_disputed_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_a} — {self.partner_name}"

    # ------------------------------------------------------------ who confirms (the one place of the rule)
    @property
    def confirmer_id(self) -> int | None:
        """The member who must confirm this talk: the party who did not record it. None when no
        confirmation is needed: a talk recorded by anyone else (the secretary or a recorder not in it, an
        import or the demo: recorded_by None) or with someone outside the branch (member_b None).

        Reads member_a.user_id and member_b.user_id: load the talk with select_related("member_a",
        "member_b") to keep it free of queries. The SQL twin is `talk_awaiting_confirmation_q` /
        `talk_counts_q` below (tests/meetings/test_talk_confirmation.py compares them)."""
        if self.recorded_by_id is None or self.member_b_id is None:
            return None
        if self.recorded_by_id == self.member_a.user_id:
            return self.member_b_id
        if self.recorded_by_id == self.member_b.user_id:
            return self.member_a_id
        return None

    @property
    def confirmation_state(self) -> str:
        if self.confirmer_id is None:
            return self.State.NOT_NEEDED
        if self.confirmed_at is not None:
            return self.State.CONFIRMED
        if self.disputed_at is not None:
            return self.State.DISPUTED
        return self.State.PENDING

    def get_confirmation_state_display(self) -> str:
        return self.State(self.confirmation_state).label

    @property
    def awaiting_confirmation(self) -> bool:
        return self.confirmation_state == self.State.PENDING

    @property
    def counts(self) -> bool:
        """Whether the talk counts towards the required talks: confirmed, or needing no confirmation."""
        return self.confirmation_state in (self.State.NOT_NEEDED, self.State.CONFIRMED)

    @property
    def partner_name(self) -> str:
        if self.member_b_id:
            return self.member_b.name
        label = self.get_other_kind_display()
        return f"{label}{(' ' + self.other_name) if self.other_name else ''}"


def _talk_confirmer_side_q(prefix: str = "") -> Q:
    """SQL twin of Talk.confirmer_id being set: recorded by one of the two members of the branch."""
    p = prefix
    return (
        Q(**{f"{p}recorded_by__isnull": False, f"{p}member_b__isnull": False})
        & (
            (Q(**{f"{p}member_a__user__isnull": False}) & Q(**{f"{p}recorded_by": F(f"{p}member_a__user")}))
            | (Q(**{f"{p}member_b__user__isnull": False}) & Q(**{f"{p}recorded_by": F(f"{p}member_b__user")}))
        )
    )


def talk_awaiting_confirmation_q(prefix: str = "") -> Q:
    """Talks waiting for the other side (Talk.awaiting_confirmation), as a filter; `prefix` (e.g. "talks__")
    to use it from another model."""
    p = prefix
    return _talk_confirmer_side_q(p) & Q(**{f"{p}confirmed_at__isnull": True, f"{p}disputed_at__isnull": True})


def talk_counts_q(prefix: str = "") -> Q:
    """Talks that count towards the required talks (Talk.counts), as a filter: needing no confirmation, or
    confirmed. For SQL copies of the coverage (the dashboard's grouped counts). Written without negation
    ("differs" as < or >), so that it keeps its meaning behind a prefix over a reverse relation too."""
    p = prefix

    def recorder_is_not(side: str) -> Q:
        user = F(f"{p}{side}__user")
        return (
            Q(**{f"{p}{side}__user__isnull": True})
            | Q(**{f"{p}recorded_by__lt": user})
            | Q(**{f"{p}recorded_by__gt": user})
        )

    return (
        Q(**{f"{p}recorded_by__isnull": True})
        | Q(**{f"{p}member_b__isnull": True})
        | Q(**{f"{p}confirmed_at__isnull": False})
        | (recorder_is_not("member_a") & recorder_is_not("member_b"))
    )


def talk_confirmer_q(member_id: int, prefix: str = "") -> Q:
    """Talks whose confirmer (Talk.confirmer_id) is this member."""
    p = prefix
    return (
        Q(**{f"{p}member_b_id": member_id, f"{p}recorded_by__isnull": False, f"{p}member_a__user__isnull": False})
        & Q(**{f"{p}recorded_by": F(f"{p}member_a__user")})
    ) | (
        Q(**{f"{p}member_a_id": member_id, f"{p}recorded_by__isnull": False, f"{p}member_b__user__isnull": False})
        & Q(**{f"{p}recorded_by": F(f"{p}member_b__user")})
    )


class SelfReview(MeetingOwned, models.Model):
    """对照检查材料 of one member, or the branch committee's (written by the secretary for the branch)."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("党员个人")
        COMMITTEE = "committee", _("支部班子")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交待审")
        RETURNED = "returned", _("已退回修改")
        APPROVED = "approved", _("审核通过")

    DONE_STATUSES = (Status.SUBMITTED, Status.APPROVED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    meeting = models.ForeignKey(Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="self_reviews")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.CASCADE, null=True, blank=True, related_name="self_reviews"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    root_causes = models.TextField(_("原因剖析"), blank=True, max_length=10000)
    measures = models.TextField(_("整改措施"), blank=True, max_length=10000)
    direction = models.TextField(_("努力方向"), blank=True, max_length=5000)
    secretary_comment = models.TextField(_("书记审核意见"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Bumped on every save so that a stale autosave from a second device cannot overwrite newer text.
    version = models.PositiveIntegerField(default=0)
    # The browser (a random id kept in its localStorage) that saved last: its own late saves are not stale.
    saved_by_device = models.CharField(max_length=40, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("对照检查材料")
        verbose_name_plural = _("对照检查材料")
        ordering = ["meeting_id", "kind", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], condition=Q(member__isnull=False), name="selfreview_one_per_member"
            ),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(kind="committee"), name="selfreview_one_committee_review"
            ),
            models.CheckConstraint(
                condition=(Q(kind="committee") & Q(member__isnull=True)) | (Q(kind="member") & Q(member__isnull=False)),
                name="selfreview_kind_matches_member",
            ),
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id else _("支部班子")
        return f"{who} · {self.meeting}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class SelfReviewProblem(models.Model):
    """One problem found in a self-review, tagged with one of the meeting's aspects."""

    review = models.ForeignKey(SelfReview, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveSmallIntegerField(default=0)
    aspect = models.CharField(_("方面"), max_length=100, blank=True)
    text = models.TextField(_("存在问题"), max_length=2000)
    measure = models.TextField(_("整改措施"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("查摆问题")
        verbose_name_plural = _("查摆问题")
        ordering = ["review_id", "position", "id"]

    def __str__(self) -> str:
        return self.text[:30]


# ---------------------------------------------------------------- issue 5: the meeting itself
class AgendaItem(MeetingOwned, models.Model):
    """One item of the meeting's agenda, in running order (seed 002's five by default)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("通报上年工作和承诺")
        COMMITTEE_REVIEW = "committee_review", _("班子对照检查，党员提意见")
        MEMBER_REVIEWS = "member_reviews", _("对照检查，批评与自我批评")
        SECRETARY_COMMENTS = "secretary_comments", _("书记讲评")
        SUPERVISOR_COMMENT = "supervisor_comment", _("督导点评")
        CLOSING = "closing", _("书记表态发言")
        OTHER = "other", _("其他")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("议程"), max_length=200)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Attendance(MeetingOwned, models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        REMOTE = "remote", _("远程参会")
        LATE = "late", _("迟到")
        ABSENT = "absent", _("缺席")
        LEAVE = "leave", _("请假")

    class Via(models.TextChoices):
        ROLL = "", _("书记登记")
        QR = "qr", _("扫码签到")
        CODE = "code", _("口令签到")

    # Took part in the meeting (counted in 实到, may vote in the room); the others need a reason.
    ATTENDED = (Status.PRESENT, Status.REMOTE, Status.LATE)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("出席情况"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    # How the member got on the roll: the secretary's entry or their own check-in (meetings/checkin.py).
    checked_in_via = models.CharField(_("签到方式"), max_length=4, choices=Via.choices, blank=True, default="")
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "remote", "late"]) | ~Q(reason=""), name="attendance_absence_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"


class RecordEntry(MeetingOwned, models.Model):
    """What the live record page appends. `client_id` is made in the browser, so that a retry after a
    dropped connection is recognized and stored once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    client_id = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class Criticism(RecordEntry):
    """批评: giver → receiver. Self-criticism when giver == receiver. receiver None = the branch committee."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="criticisms")
    giver = models.ForeignKey(Member, verbose_name=_("提出人"), on_delete=models.CASCADE, null=True, blank=True, related_name="criticisms_given")
    giver_label = models.CharField(_("提出人（非本支部）"), max_length=100, blank=True)
    receiver = models.ForeignKey(
        Member, verbose_name=_("被批评人"), on_delete=models.CASCADE, null=True, blank=True, related_name="criticisms_received"
    )
    is_self = models.BooleanField(_("自我批评"), default=False)
    text = models.TextField(_("内容"), max_length=5000)

    class Meta(RecordEntry.Meta):
        verbose_name = _("批评与自我批评")
        verbose_name_plural = _("批评与自我批评")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "client_id"], name="criticism_client_id_once"),
            models.UniqueConstraint(fields=["meeting", "giver"], condition=Q(is_self=True), name="criticism_one_self_per_member"),
            models.CheckConstraint(
                condition=(Q(is_self=True) & Q(giver=models.F("receiver"))) | (Q(is_self=False) & ~Q(giver=models.F("receiver")))
                | (Q(is_self=False) & (Q(giver__isnull=True) | Q(receiver__isnull=True))),
                name="criticism_self_iff_giver_is_receiver",
            ),
            models.CheckConstraint(
                condition=Q(giver__isnull=False) | ~Q(giver_label=""), name="criticism_has_a_giver"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def giver_name(self) -> str:
        return self.giver.name if self.giver_id else self.giver_label


class ClaimedProblem(RecordEntry):
    """当场认领: a problem a member (or, member None, the committee) claims on the spot."""

    member = models.ForeignKey(Member, verbose_name=_("认领人"), on_delete=models.CASCADE, null=True, blank=True, related_name="claimed_problems")
    criticism = models.ForeignKey(
        Criticism, verbose_name=_("认领的批评意见"), on_delete=models.SET_NULL, null=True, blank=True, related_name="claims"
    )
    text = models.TextField(_("问题"), max_length=2000)

    class Meta(RecordEntry.Meta):
        verbose_name = _("当场认领的问题")
        verbose_name_plural = _("当场认领的问题")
        constraints = [models.UniqueConstraint(fields=["meeting", "client_id"], name="claimedproblem_client_id_once")]

    def __str__(self) -> str:
        return self.text[:30]


class Commitment(RecordEntry):
    """整改承诺 made at the meeting."""

    member = models.ForeignKey(Member, verbose_name=_("承诺人"), on_delete=models.CASCADE, null=True, blank=True, related_name="commitments")
    text = models.TextField(_("承诺"), max_length=2000)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)

    class Meta(RecordEntry.Meta):
        verbose_name = _("整改承诺")
        verbose_name_plural = _("整改承诺")
        constraints = [models.UniqueConstraint(fields=["meeting", "client_id"], name="commitment_client_id_once")]

    def __str__(self) -> str:
        return self.text[:30]


class MeetingComment(MeetingOwned, models.Model):
    """讲评 (the secretary on one member) and 点评 (a supervisor on the meeting): one text each, autosaved."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("书记讲评")
        SUPERVISOR = "supervisor", _("督导点评")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    member = models.ForeignKey(Member, verbose_name=_("讲评对象"), on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    supervisor = models.ForeignKey(Supervisor, verbose_name=_("督导"), on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.TextField(_("内容"), blank=True, max_length=20000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("讲评与点评")
        verbose_name_plural = _("讲评与点评")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], condition=Q(kind="secretary"), name="comment_one_per_member"),
            models.UniqueConstraint(fields=["meeting", "supervisor"], condition=Q(kind="supervisor"), name="comment_one_per_supervisor"),
            models.CheckConstraint(
                condition=(Q(kind="secretary") & Q(member__isnull=False)) | (Q(kind="supervisor") & Q(supervisor__isnull=False)),
                name="comment_kind_matches_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.member or self.supervisor}"
