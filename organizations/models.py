import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node


class BranchOwned:
    """A row that belongs to one branch. The permission predicates (branchlife.permissions) ask an object for
    `owner_branch` and `owner_meeting` rather than guess from its attributes, so each model states them once:
    by inheriting this (rows with a `branch`), MeetingOwned (rows with a `meeting`) or with its own properties.
    A plain mixin, not a model: it adds no field and no migration."""

    owner_meeting = None  # a branch's row belongs to no meeting

    @property
    def owner_branch(self) -> "Organization":
        return self.branch


class MeetingOwned(BranchOwned):
    """A row that belongs to one meeting, and through it to the meeting's branch."""

    @property
    def owner_meeting(self):
        return self.meeting

    @property
    def owner_branch(self) -> "Organization":
        return self.meeting.branch


class PeopleHistory(HistoricalRecords):
    """django-simple-history, also when a many-to-many is changed from the other side
    (`branch.supervisors.add(s)` rather than `s.branches.add(branch)`): the library would try to record
    the branch; here each supervisor touched gets its record instead."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if action in ("post_add", "post_remove") and pk_set:
            for obj in self.cls.objects.filter(pk__in=pk_set):
                self.create_historical_record(obj, "~")


class Organization(MP_Node):
    """A node of the party organization tree: 县委 → 乡镇党委 → (党总支) → 党支部 → 党小组."""

    class Level(models.TextChoices):
        COUNTY = "county", _("县（区）委")
        TOWNSHIP = "township", _("乡镇（街道）党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    # The share of members that must attend for a meeting to count (many local rules ask for 80%).
    required_attendance_percent = models.PositiveSmallIntegerField(_("应到会比例（%）"), default=80)

    # No node_order_by: sorted insertion renumbers siblings' paths, which would move whole subtrees
    # whenever a node is added. Siblings keep the order in which they were created.

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        indexes = [
            # Subtree queries are `path LIKE 'xxxx%'`: this operator class lets PostgreSQL use an
            # index for them whatever the database collation (SQLite ignores it).
            models.Index(fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "path"], name="org_level_path_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(required_attendance_percent__lte=100), name="org_attendance_percent_lte_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.level == self.Level.BRANCH

    # For the permission predicates (BranchOwned): a node is its own branch (or the node an officer's rule
    # asks about) and belongs to no meeting.
    owner_meeting = None

    @property
    def owner_branch(self) -> "Organization":
        return self


class Branch(Organization):
    """The branch-level nodes of the tree (a proxy: same table, narrower meaning)."""

    class Meta:
        proxy = True
        verbose_name = _("党支部")
        verbose_name_plural = _("党支部")


class Member(BranchOwned, models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", _("研究生")
        BACHELOR = "bachelor", _("本科")
        COLLEGE = "college", _("专科")
        HIGH_SCHOOL = "high_school", _("高中及以下")

    class Category(models.TextChoices):
        FULL = "full", _("正式党员")
        PROBATIONARY = "probationary", _("预备党员")

    class Post(models.TextChoices):
        NONE = "", _("无")
        SECRETARY = "secretary", _("书记")
        DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
        ORGANIZATION = "organization", _("组织委员")
        DISCIPLINE = "discipline", _("纪检委员")
        PROPAGANDA = "propaganda", _("宣传委员")
        OTHER_COMMITTEE = "committee", _("其他支委")

    SECRETARY_POSTS = (Post.SECRETARY, Post.DEPUTY_SECRETARY)
    COMMITTEE_POSTS = (
        Post.SECRETARY,
        Post.DEPUTY_SECRETARY,
        Post.ORGANIZATION,
        Post.DISCIPLINE,
        Post.PROPAGANDA,
        Post.OTHER_COMMITTEE,
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )
    branch = models.ForeignKey(
        Organization, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="members"
    )
    party_group = models.ForeignKey(
        Organization,
        verbose_name=_("党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
    )
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices)
    category = models.CharField(_("党员类别"), max_length=20, choices=Category.choices, default=Category.FULL)
    in_service = models.BooleanField(_("在职"), default=True, help_text=_("取消勾选表示退休"))
    is_mobile = models.BooleanField(_("流动党员"), default=False)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    committee_post = models.CharField(_("支委职务"), max_length=20, choices=Post.choices, blank=True, default="")
    is_active = models.BooleanField(_("在册"), default=True, help_text=_("转出、去世等不再在册时取消勾选"))
    # Who changed what of people and roles (issue 15): posts, leaving, accounts linked. Append-only.
    history = HistoricalRecords(verbose_name=_("党员变动记录"))

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["branch_id", "name", "id"]
        indexes = [models.Index(fields=["branch", "is_active"], name="member_branch_active_idx")]
        constraints = [
            # Two members of one branch may share a name, but not name and phone both.
            models.UniqueConstraint(
                fields=["branch", "name", "phone"], name="member_unique_name_phone_per_branch"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # The admin's member form; the roster import checks each row with the same function first.
        errors = joined_on_errors(self.joined_on)
        if errors:
            raise ValidationError({"joined_on": errors})

    @property
    def is_committee(self) -> bool:
        return self.committee_post in self.COMMITTEE_POSTS

    @property
    def is_secretary(self) -> bool:
        return self.committee_post in self.SECRETARY_POSTS


# The Party was founded on 1 July 1921: nobody joined before. A day after today is a typing error too.
PARTY_FOUNDED_ON = dt.date(1921, 7, 1)


def joined_on_errors(value: dt.date | None) -> list[str]:
    """What is wrong with a 入党日期 (none when it is empty); "today" is the local day."""
    if value is None:
        return []
    if value < PARTY_FOUNDED_ON:
        return [gettext("入党日期“%(value)s”早于建党日期（1921年7月1日）") % {"value": value.isoformat()}]
    if value > timezone.localdate():
        return [gettext("入党日期晚于今天")]
    return []


class Officer(models.Model):
    """An organization-department officer (组织部 / 乡镇党委), scoped to one node and everything below it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer")
    organization = models.ForeignKey(
        Organization, verbose_name=_("所辖组织"), on_delete=models.PROTECT, related_name="officers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    history = HistoricalRecords(verbose_name=_("干部任免记录"))

    class Meta:
        verbose_name = _("组织部门干部")
        verbose_name_plural = _("组织部门干部")

    def __str__(self) -> str:
        return f"{self.name}（{self.organization}）"


class Supervisor(models.Model):
    """督导: an official who attends branches' meetings "以普通党员身份" and comments on them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        related_name="supervisors_from",
        null=True,
        blank=True,
    )
    branches = models.ManyToManyField(
        Organization, verbose_name=_("联系督导的支部"), related_name="supervisors", blank=True
    )
    history = PeopleHistory(verbose_name=_("督导指派记录"), m2m_fields=[branches])

    class Meta:
        verbose_name = _("督导")
        verbose_name_plural = _("督导")

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class ActivationCode(models.Model):
    """A one-time code that lets a person set their password: given on a paper slip or read aloud.

    Only a keyed hash is stored (HMAC with SECRET_KEY), so the codes cannot be read back from the
    database; the plain code exists once, in the response that issued it. Issuing a new code for a user
    revokes their unused ones.
    """

    class Purpose(models.TextChoices):
        ACTIVATE = "activate", _("开通账号")
        RESET = "reset", _("重设密码")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="activation_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices, default=Purpose.ACTIVATE)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("发放时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    history = HistoricalRecords(verbose_name=_("激活码记录"), excluded_fields=["code_hash"])

    class Meta:
        verbose_name = _("激活码")
        verbose_name_plural = _("激活码")
        indexes = [models.Index(fields=["user", "used_at"], name="activation_user_used_idx")]

    def __str__(self) -> str:
        return f"{self.user}（{self.get_purpose_display()}）"
