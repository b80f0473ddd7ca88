"""Democratic evaluation (民主评议): the evaluation, its roster, anonymous ballots, final grades.

Anonymity is structural. Three tables hold what happened during voting and none of them can be joined
to another:
- `Voter` is the participation record: who may vote and whether they voted (online or on paper). It has
  no timestamp.
- `Ballot` is one cast ballot: validity, the committee rating and the hash of the voter's receipt code.
  No voter, no timestamp, a random UUID as its key.
- `BallotMark` is one grade given to one candidate. It does not even point to its ballot, so a ballot's
  pattern (who it rated 优秀, whom it skipped) cannot be used to fingerprint a voter either.
When the voting closes, `services.evaluation_seal` rewrites all three tables for that evaluation in
independent random orders, so that the physical row order no longer follows the order of voting.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.quota import quota_columns
from organizations.models import MeetingOwned, Member


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class CommitteeGrade(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


class Qualification(models.TextChoices):
    """The four qualifications of seed 000; a voter may mark any of them as not met."""

    POLITICAL = "political", _("政治合格")
    DISCIPLINE = "discipline", _("执行纪律合格")
    CHARACTER = "character", _("品德合格")
    ROLE = "role", _("发挥作用合格")


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("未开始")
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已截止")


class Evaluation(MeetingOwned, models.Model):
    meeting = models.OneToOneField(
        "meetings.Meeting", verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="evaluation"
    )
    # Copied from the meeting when the evaluation is set up, and frozen once voting opens: a ballot is
    # judged against the quota that was in force when it was cast. An exact ratio (policy.Quota, reduced:
    # 1/3, 3/10); both null means no cap.
    excellent_quota_numerator = models.PositiveIntegerField(_("优秀比例上限（分子）"), null=True, blank=True)
    excellent_quota_denominator = models.PositiveIntegerField(_("优秀比例上限（分母）"), null=True, blank=True)
    self_rating = models.BooleanField(_("党员评价自己"), default=True, help_text=_("取消勾选则网上投票时不评价本人"))
    with_qualifications = models.BooleanField(
        _("评价“四个合格”"), default=False, help_text=_("政治合格、执行纪律合格、品德合格、发挥作用合格")
    )
    with_committee_rating = models.BooleanField(_("同时进行班子测评"), default=True)
    # Issue 17: each member grades themself, then only the members of their 党小组 (large branches).
    with_peer_review = models.BooleanField(
        _("个人自评和党小组互评"), default=False,
        help_text=_("党员先给自己评定等次，再只评价本党小组的党员；适合党员较多、分党小组的支部。"),
    )
    # 扫码测评: opened in the meeting room from the record; only members on the meeting's roll may vote.
    in_room = models.BooleanField(_("会场扫码测评"), default=False, editable=False)
    # Why voting was closed early below the turnout floor (services.evaluation_close_now); goes into the record.
    early_close_reason = models.CharField(_("提前截止理由"), max_length=500, blank=True, editable=False)
    opens_at = models.DateTimeField(_("开始投票"))
    closes_at = models.DateTimeField(_("投票截止"))
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True, editable=False)
    # When the table files were rewritten after the seal (PostgreSQL: VACUUM FULL), so that no row version
    # of the voting window is left in their pages; see services.ballot_tables_purge.
    purged_at = models.DateTimeField(_("旧版本清除时间"), null=True, blank=True, editable=False)
    determined_at = models.DateTimeField(_("评定时间"), null=True, blank=True, editable=False)
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评定人"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True, editable=False)
    publication_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    publish_breakdown = models.BooleanField(_("公示得票明细"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="evaluation_closes_after_opening"),
            # Quota: both null (no cap) or both set, a ratio between 0 and 1.
            models.CheckConstraint(
                condition=Q(excellent_quota_numerator__isnull=True, excellent_quota_denominator__isnull=True)
                | Q(excellent_quota_numerator__isnull=False, excellent_quota_denominator__isnull=False),
                name="evaluation_quota_both_or_none",
            ),
            models.CheckConstraint(condition=Q(excellent_quota_denominator__gt=0), name="evaluation_quota_denominator_positive"),
            models.CheckConstraint(
                condition=Q(excellent_quota_numerator__lte=F("excellent_quota_denominator")),
                name="evaluation_quota_at_most_all",
            ),
        ]
        indexes = [models.Index(fields=["closes_at", "sealed_at"], name="evaluation_close_idx")]

    def __str__(self) -> str:
        return f"{self.meeting} · {_('民主评议')}"

    @property
    def branch(self):
        return self.meeting.branch

    excellent_quota = quota_columns()  # the 优秀 cap as a Quota, or None for no cap

    # The clock decides, never a job having run.
    def status_at(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return Status.SCHEDULED
        if now < self.closes_at:
            return Status.OPEN
        return Status.CLOSED

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return Status(self.status).label

    def is_open(self, now=None) -> bool:
        return self.status_at(now) == Status.OPEN

    def is_closed(self, now=None) -> bool:
        return self.status_at(now) == Status.CLOSED

    def has_started(self, now=None) -> bool:
        return self.status_at(now) != Status.SCHEDULED


class Candidate(models.Model):
    """A member being evaluated, and (after the close) the branch's final determination for them."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+")
    suggested_grade = models.CharField(_("建议等次"), max_length=12, choices=Grade.choices, blank=True)
    final_grade = models.CharField(_("评定等次"), max_length=12, choices=Grade.choices, blank=True)
    departure_reason = models.TextField(_("与测评结果不一致的理由"), blank=True)
    appraisal = models.CharField(_("一句话鉴定"), max_length=200, blank=True)
    acknowledged_at = models.DateTimeField(_("本人确认反馈"), null=True, blank=True)

    class Meta:
        verbose_name = _("评议对象")
        verbose_name_plural = _("评议对象")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "member"], name="candidate_once_per_evaluation"),
        ]

    def __str__(self) -> str:
        return str(self.member)


class Voter(models.Model):
    """The participation record: who may vote here and whether (and on which channel) they did.

    No timestamp, and nothing that points to a ballot. Rows are created with the roster, before voting,
    so their ids follow the roster and not the voting order.
    """

    class Channel(models.TextChoices):
        NOT_VOTED = "", _("未投票")
        ONLINE = "online", _("网上投票")
        PAPER = "paper", _("纸质票")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="voters")
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("投票方式"), max_length=8, choices=Channel.choices, blank=True, default="")
    # 个人自评和党小组互评 submitted (when the evaluation asks for it); like `channel`, no time and no link.
    peer_done = models.BooleanField(_("已提交自评和互评"), default=False)
    # Who ticked a paper voter on the roster (the secretary or a committee member), never when.
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("投票人")
        verbose_name_plural = _("投票人")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "member"], name="voter_once_per_evaluation"),
        ]

    def __str__(self) -> str:
        return str(self.member)


class Ballot(models.Model):
    """One ballot. Deliberately no voter, no created_at, no sequential id (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ballots")
    is_valid = models.BooleanField(_("有效"), default=True)
    committee_grade = models.CharField(_("班子测评"), max_length=12, choices=CommitteeGrade.choices, blank=True)
    # SHA-256 of the receipt code the voter was shown once; empty for paper ballots.
    receipt_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("测评票")
        verbose_name_plural = _("测评票")

    def __str__(self) -> str:
        return str(_("测评票"))


class BallotMark(models.Model):
    """One grade given to one candidate on some ballot, unlinked from the ballot on purpose."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="marks")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="marks")
    grade = models.CharField(max_length=12, choices=Grade.choices)
    # The four qualifications: None when the evaluation does not ask for them, False = marked not met.
    political = models.BooleanField(null=True)
    discipline = models.BooleanField(null=True)
    character = models.BooleanField(null=True)
    role = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("测评票分项")
        verbose_name_plural = _("测评票分项")

    def __str__(self) -> str:
        return self.get_grade_display()


class SelfGrade(models.Model):
    """个人自评: the grade a member gave themself. Their own, so it names the candidate; kept apart from the
    participation row and rewritten at the seal like the ballots, so that it does not date their 互评."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="self_grades")
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="self_grade")
    grade = models.CharField(_("自评等次"), max_length=12, choices=Grade.choices)

    class Meta:
        verbose_name = _("个人自评")
        verbose_name_plural = _("个人自评")

    def __str__(self) -> str:
        return self.get_grade_display()


class PeerMark(models.Model):
    """党员互评: one grade given to one member by someone of their 党小组 — by whom is stored nowhere."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="peer_marks")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="peer_marks")
    grade = models.CharField(max_length=12, choices=Grade.choices)

    class Meta:
        verbose_name = _("党小组互评")
        verbose_name_plural = _("党小组互评")

    def __str__(self) -> str:
        return self.get_grade_display()


class PaperEntry(models.Model):
    """The audit of paper ballots keyed in: who entered what, and when — never from which voter."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("逐张录入")
        TOTALS = "totals", _("按票箱汇总录入")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="paper_entries")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    kind = models.CharField(_("录入方式"), max_length=8, choices=Kind.choices)
    ballots = models.PositiveIntegerField(_("票数"))
    invalid = models.PositiveIntegerField(_("其中无效票"), default=0)
    # What was entered, by candidate name, so that a dispute can be checked against the paper.
    content = models.JSONField(_("录入内容"), default=dict)

    class Meta:
        verbose_name = _("纸质票录入记录")
        verbose_name_plural = _("纸质票录入记录")
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(invalid__lte=F("ballots")), name="paper_entry_invalid_lte_ballots"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ballots}"


class FollowUpTalk(models.Model):
    """重点谈心 with a member graded 基本合格 or 不合格."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="follow_up_talks")
    talked_on = models.DateField(_("谈话日期"))
    talked_by = models.CharField(_("谈话人"), max_length=100)
    notes = models.TextField(_("谈话内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重点谈心")
        verbose_name_plural = _("重点谈心")
        ordering = ["talked_on", "id"]

    def __str__(self) -> str:
        return f"{self.candidate} {self.talked_on}"


class Handling(models.Model):
    """组织处置 of a 不合格 member, after 《中国共产党不合格党员组织处置办法》(2024)."""

    class Outcome(models.TextChoices):
        CORRECTION = "correction", _("限期改正")
        PERSUADE = "persuade", _("劝其退党")
        REMOVE = "remove", _("除名")

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="handling")
    outcome = models.CharField(_("处置方式"), max_length=12, choices=Outcome.choices)
    decided_on = models.DateField(_("决定日期"))
    decided_by_body = models.CharField(_("决定机构"), max_length=100, help_text=_("如：支部委员会、支部党员大会"))
    correction_until = models.DateField(_("改正期限"), null=True, blank=True, help_text=_("限期改正一般为 6 个月，最长不超过 1 年"))
    notes = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("组织处置")
        verbose_name_plural = _("组织处置")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="correction") | Q(correction_until__isnull=False),
                name="handling_correction_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(correction_until__isnull=True) | Q(correction_until__gt=F("decided_on")),
                name="handling_deadline_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} {self.get_outcome_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from .policy import correction_deadline_error

        error = correction_deadline_error(
            outcome=self.outcome, decided_on=self.decided_on, correction_until=self.correction_until
        )
        if error:
            raise ValidationError({"correction_until": error})
