from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, Supervisor


class Meeting(models.Model):
    """One organizational-life meeting (组织生活会) of a branch, from preparation to rectification."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年度组织生活会")
        SPECIAL = "special", _("专题组织生活会")

    branch = models.ForeignKey(
        Organization, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    theme = models.CharField(_("主题"), max_length=200, blank=True, help_text=_("专题组织生活会的主题"))
    year = models.PositiveSmallIntegerField(_("年度"))
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    supervisors = models.ManyToManyField(Supervisor, verbose_name=_("督导"), blank=True, related_name="meetings")
    # None means no cap on 优秀 (some local rules set none); the default follows seed 000's 30%.
    excellent_quota_percent = models.DecimalField(
        _("优秀比例上限(%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("30"),
        validators=[MaxValueValidator(Decimal("100"))],
    )
    opinions_close_on = models.DateField(_("征求意见截止"), null=True, blank=True)
    talks_due_on = models.DateField(_("谈心谈话完成"), null=True, blank=True)
    self_reviews_due_on = models.DateField(_("对照检查材料提交截止"), null=True, blank=True)
    ballot_closes_at = models.DateTimeField(_("测评截止"), null=True, blank=True)
    rectification_plans_due_on = models.DateField(_("整改方案截止"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织生活会")
        verbose_name_plural = _("组织生活会")
        ordering = ["-year", "-held_on", "-id"]
        indexes = [models.Index(fields=["branch", "year"], name="meeting_branch_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(excellent_quota_percent__isnull=True)
                | (Q(excellent_quota_percent__gte=0) & Q(excellent_quota_percent__lte=100)),
                name="meeting_quota_between_0_and_100",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.SPECIAL and self.theme:
            return f"{self.branch} {self.year}年度专题组织生活会({self.theme})"
        return f"{self.branch} {self.year}年度组织生活会"
