"""The branch's regular life between the annual meetings (issue 18, seed 004): 三会一课 and 主题党日.

One light model family, not a second meeting app: an `Activity` is what happened on one day (kind, date,
topic, who led it, who attended, what was done), entered once right after the event, usually on a phone.
What is due is a `RhythmRule` (per county, or any node: the nearest rule on the path to the root wins);
the township's monthly `WorkTip` shows on its branches' pages; each party group keeps its leader's
`GroupDuty` list (seed 004: 党小组长责任清单) with what was done and the branch's quarterly assessment.

This app depends on organizations only: meetings, evaluations and the dashboards read it, never the
other way round.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branchlife.storage import PrivateStorage
from organizations.models import BranchOwned, Member, Organization


class Kind(models.TextChoices):
    ASSEMBLY = "assembly", _("支部党员大会")
    COMMITTEE = "committee", _("支委会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    HALF_YEAR = "half_year", _("每半年")
    YEAR = "year", _("每年")


class Activity(BranchOwned, models.Model):
    """One 党员大会, 支委会, 党小组会, 党课 or 主题党日 (党员活动日), recorded after it was held."""

    branch = models.ForeignKey(Organization, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    # For a 党小组会: the group that met (its members are the roll); for other kinds empty.
    party_group = models.ForeignKey(
        Organization, verbose_name=_("党小组"), on_delete=models.PROTECT, null=True, blank=True, related_name="group_activities"
    )
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    led_by = models.ForeignKey(
        Member, verbose_name=_("主持人或讲课人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="activities_led"
    )
    # What was done, above all on a 主题党日 (seed 004: "义务耕种 31 亩", "清理河道").
    service = models.CharField(_("开展的活动或服务"), max_length=300, blank=True)
    others_count = models.PositiveIntegerField(_("群众、志愿者等其他参加人数"), default=0)
    minutes = models.TextField(_("简要记录"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("三会一课记录")
        verbose_name_plural = _("三会一课记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["branch", "held_on"], name="activity_branch_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="group", party_group__isnull=False) | (~Q(kind="group") & Q(party_group__isnull=True)),
                name="activity_group_meeting_names_its_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.topic}"


class ActivityAttendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        LATE = "late", _("迟到")
        ABSENT = "absent", _("缺席")
        LEAVE = "leave", _("请假")

    ATTENDED = (Status.PRESENT, Status.LATE)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="activity_attendance")
    status = models.CharField(_("出席情况"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="activity_attendance_once"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "late"]) | ~Q(reason=""), name="activity_absence_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"


photo_storage = PrivateStorage("activities/photos")


def photo_upload_to(instance, filename: str) -> str:
    return uuid.uuid4().hex  # nothing about the member or the event in a path


class ActivityPhoto(models.Model):
    """An optional photo of the event (never required: seed 003's "减少留痕形式")."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), storage=photo_storage, upload_to=photo_upload_to, max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.activity_id}"


class RhythmRule(models.Model):
    """How often a kind of activity is due in the branches under `organization` (usually the county).

    Without a rule on a branch's path, activities.rhythm.DEFAULT_RULES apply (《支部工作条例》: 党员大会
    quarterly, 支委会 and 党小组会 monthly, a monthly 主题党日, 党课 quarterly)."""

    organization = models.ForeignKey(Organization, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="rhythm_rules")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices)
    times = models.PositiveSmallIntegerField(_("每周期至少次数"), default=1, help_text=_("填 0 表示不作要求"))

    class Meta:
        verbose_name = _("三会一课要求")
        verbose_name_plural = _("三会一课要求")
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="rhythm_rule_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_kind_display()} {self.get_period_display()}{self.times}"


class WorkTip(models.Model):
    """本月工作提示: the township's (or county's) plan for a month, shown on every branch page under it."""

    organization = models.ForeignKey(Organization, verbose_name=_("发布单位"), on_delete=models.CASCADE, related_name="work_tips")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    text = models.TextField(_("工作提示"), max_length=3000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("本月工作提示")
        verbose_name_plural = _("本月工作提示")
        ordering = ["-month", "-id"]
        constraints = [
            # The first of the month is the service's rule (work_tip_save), not a CHECK: on SQLite a check on
            # the day compiles to a function only Django's connections know, and the backup's VACUUM fails.
            models.UniqueConstraint(fields=["organization", "month"], name="work_tip_once_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.month:%Y-%m}"


class DutyTemplate(models.Model):
    """A duty the township sets for every party-group leader under it (seed 004: 固定党日活动、卫生保洁、
    河道养护、党员日常教育培训), copied into each group's list where the branch can edit it."""

    organization = models.ForeignKey(Organization, verbose_name=_("发布单位"), on_delete=models.CASCADE, related_name="duty_templates")
    title = models.CharField(_("职责"), max_length=200)
    detail = models.TextField(_("要求"), max_length=2000, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("党小组长责任清单模板")
        verbose_name_plural = _("党小组长责任清单模板")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class GroupDuty(models.Model):
    """One duty on a party group leader's list (党小组长责任清单)."""

    party_group = models.ForeignKey(Organization, verbose_name=_("党小组"), on_delete=models.CASCADE, related_name="duties")
    template = models.ForeignKey(DutyTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="duties")
    title = models.CharField(_("职责"), max_length=200)
    detail = models.TextField(_("要求"), max_length=2000, blank=True)
    # The group's area for this duty, e.g. "第三村民组至河口段".
    area = models.CharField(_("责任区域"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("党小组长职责")
        verbose_name_plural = _("党小组长职责")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class DutyRecord(models.Model):
    """What was done against a duty, on a day."""

    duty = models.ForeignKey(GroupDuty, verbose_name=_("职责"), on_delete=models.CASCADE, related_name="records")
    done_on = models.DateField(_("日期"))
    note = models.CharField(_("完成情况"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("履职记录")
        verbose_name_plural = _("履职记录")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["duty", "done_on"], name="duty_record_day_idx")]

    def __str__(self) -> str:
        return f"{self.done_on} {self.note[:30]}"


class GroupAssessment(models.Model):
    """The branch's quarterly assessment of a party group leader's list."""

    class Grade(models.TextChoices):
        GOOD = "good", _("好")
        FAIR = "fair", _("较好")
        AVERAGE = "average", _("一般")
        POOR = "poor", _("差")

    party_group = models.ForeignKey(Organization, verbose_name=_("党小组"), on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    grade = models.CharField(_("评定"), max_length=10, choices=Grade.choices)
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assessed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党小组长季度评定")
        verbose_name_plural = _("党小组长季度评定")
        constraints = [
            models.UniqueConstraint(fields=["party_group", "year", "quarter"], name="group_assessment_once_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="group_assessment_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.party_group} {self.year}Q{self.quarter} {self.get_grade_display()}"


class RankingPublication(models.Model):
    """The township's quarterly ranking of its branches, published to those branches by an officer.
    The ranking itself is computed from the recorded work (activities.ranking); publishing freezes it."""

    organization = models.ForeignKey(Organization, verbose_name=_("乡镇党委"), on_delete=models.CASCADE, related_name="ranking_publications")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    # The rows as published: [{"branch": id, "name": ..., "rank": n, "score": x, "parts": {...}}, ...]
    rows = models.JSONField(default=list)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("季度工作排位")
        verbose_name_plural = _("季度工作排位")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "quarter"], name="ranking_published_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="ranking_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}Q{self.quarter}"


class PioneerIndexSetting(models.Model):
    """A county's 先锋指数, off unless the county turns it on: published weights over recorded facts
    (activities.member_year), never log-ins, reading time or app activity (the 2023 rules)."""

    organization = models.OneToOneField(Organization, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="pioneer_index")
    enabled = models.BooleanField(_("启用先锋指数"), default=False)
    # {fact: points per unit}, facts named in the member's year (attended, service, answered, items_on_time).
    weights = models.JSONField(_("计分规则"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("先锋指数设置")
        verbose_name_plural = _("先锋指数设置")

    def __str__(self) -> str:
        return f"{self.organization} {'on' if self.enabled else 'off'}"
