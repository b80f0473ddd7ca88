"""党小组长责任清单 (issue 18 item 3, seed 004): the party-group leaders' duty lists.

A township (or county, or any node) sets template duties (`DutyTemplate`: 固定党日活动、卫生保洁、河道养护、
党员日常教育培训). Each party group under it gets its own copy (`GroupDuty`), which the branch then edits:
the group's area (责任区域), the wording, its own extra duties, a duty no longer done switched off (never
deleted: its records stay). What was done against a duty on a day is a `DutyRecord`; once a quarter the
branch assesses each group (`GroupAssessment`, 好 / 较好 / 一般 / 差, one per group and quarter, changeable).

Copies: a new template is copied at once into every group under its node; `duties_ensure` fills in what
a branch's groups lack (a group set up later, a template added before the group existed). A group that
has a copy of a template — switched off or not — never gets a second one. Editing a template rewrites the
copies the branch left as they were, and leaves the ones it changed alone.

Services (writes) and selectors (reads) in one module, keyword-only; permissions are the caller's
(branchlife.permissions: activities.manage_duty_templates, view_duties, record_duty, assess_groups).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.dates import cn_date
from branchlife.forms import EARLIEST_DATE
from organizations.models import Member, Organization

from .models import DutyRecord, DutyTemplate, GroupAssessment, GroupDuty
from .rhythm import Quarter

NOTE_MAX = 500  # DutyRecord.note's max_length


# ---------------------------------------------------------------- quarters


QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_parse(value, *, today: dt.date) -> Quarter | None:
    """A quarter from "2026Q4", or None when it is malformed, before 2000 or not begun by `today`."""
    match = QUARTER_RE.match(str(value or "").strip())
    if not match:
        return None
    quarter = Quarter(int(match.group(1)), int(match.group(2)))
    if quarter.start < EARLIEST_DATE or quarter > Quarter.of(today):
        return None
    return quarter


def quarter_choices(*, today: dt.date, count: int = 8) -> list[Quarter]:
    """The current quarter and the ones before it, newest first (the pages' quarter selector)."""
    out = [Quarter.of(today)]
    while len(out) < count:
        out.append(out[-1].previous)
    return out


# ---------------------------------------------------------------- the tree
def _steplen() -> int:
    return Organization.steplen


def branch_of_group(group: Organization) -> Organization | None:
    """The branch a party group belongs to (its parent), or None if the node is no group under a branch."""
    if group.level != Organization.Level.GROUP:
        return None
    return Organization.objects.filter(path=group.path[: -_steplen()], level=Organization.Level.BRANCH).first()


def groups_of(*, branch: Organization):
    """The branch's party groups, in the order they were set up."""
    return Organization.objects.filter(
        path__startswith=branch.path, depth=branch.depth + 1, level=Organization.Level.GROUP
    ).order_by("path")


def _path_prefixes(path: str) -> list[str]:
    """Paths of the node and every node above it, from the root down."""
    step = _steplen()
    return [path[:end] for end in range(step, len(path) + 1, step)]


# ---------------------------------------------------------------- templates (the officer's)
def duty_templates_of(*, organization: Organization):
    return DutyTemplate.objects.filter(organization=organization).order_by("order", "id")


def duty_templates_applicable(*, branch: Organization) -> list[DutyTemplate]:
    """The templates of every node on the branch's path (the branch included), nearest node first, then
    in each node's own order. One query."""
    prefixes = _path_prefixes(branch.path)
    templates = list(
        DutyTemplate.objects.filter(organization__path__in=prefixes).select_related("organization").order_by("order", "id")
    )
    return sorted(templates, key=lambda t: -len(t.organization.path))  # stable: each node keeps its order


def _template_errors(*, title: str, detail: str) -> dict[str, list[str]]:
    errors = {}
    if not title:
        errors["title"] = [_("请填写职责名称。")]
    return errors


@transaction.atomic
def duty_template_create(*, organization: Organization, title: str, detail: str = "", order: int = 0) -> DutyTemplate:
    """A template duty for every party group under `organization`, copied into each of them at once."""
    title, detail = (title or "").strip(), (detail or "").strip()
    if organization.level == Organization.Level.GROUP:
        raise ValidationError(_("党小组不能下发责任清单模板。"))
    errors = _template_errors(title=title, detail=detail)
    if errors:
        raise ValidationError(errors)
    if DutyTemplate.objects.filter(organization=organization, title=title).exists():
        raise ValidationError({"title": _("本级已有名为“%(title)s”的职责。") % {"title": title}})
    template = DutyTemplate(organization=organization, title=title, detail=detail, order=order)
    template.full_clean()
    template.save()
    groups = Organization.objects.filter(path__startswith=organization.path, level=Organization.Level.GROUP)
    GroupDuty.objects.bulk_create(
        [GroupDuty(party_group=g, template=template, title=title, detail=detail, order=order) for g in groups]
    )
    return template


@transaction.atomic
def duty_template_update(*, template: DutyTemplate, title: str, detail: str = "", order: int = 0) -> DutyTemplate:
    """Change a template; the groups' copies still worded as the template was follow it, copies the
    branch reworded keep their wording."""
    template = DutyTemplate.objects.select_for_update().get(pk=template.pk)
    title, detail = (title or "").strip(), (detail or "").strip()
    errors = _template_errors(title=title, detail=detail)
    if errors:
        raise ValidationError(errors)
    if DutyTemplate.objects.filter(organization_id=template.organization_id, title=title).exclude(pk=template.pk).exists():
        raise ValidationError({"title": _("本级已有名为“%(title)s”的职责。") % {"title": title}})
    old_title, old_detail = template.title, template.detail
    template.title, template.detail, template.order = title, detail, order
    template.full_clean()
    template.save()
    GroupDuty.objects.filter(template=template, title=old_title, detail=old_detail).update(title=title, detail=detail)
    return template


def duty_template_delete(*, template: DutyTemplate) -> None:
    """The template goes; the groups' copies and what was recorded against them stay (the list is theirs)."""
    template.delete()


# ---------------------------------------------------------------- copying templates into the groups
@transaction.atomic
def duties_ensure(*, branch: Organization) -> int:
    """Copy the applicable templates into each of the branch's groups that has no copy of them yet.
    Returns how many duties were added. Four queries whatever the number of groups and templates."""
    templates = duty_templates_applicable(branch=branch)
    groups = list(groups_of(branch=branch))
    if not templates or not groups:
        return 0
    have = set(
        GroupDuty.objects.filter(party_group__in=groups, template__isnull=False).values_list("party_group_id", "template_id")
    )
    new = [
        GroupDuty(party_group=g, template=t, title=t.title, detail=t.detail, order=t.order)
        for g in groups
        for t in templates
        if (g.pk, t.pk) not in have
    ]
    GroupDuty.objects.bulk_create(new)
    return len(new)


def duties_missing_count(*, branch: Organization, groups: list[Organization] | None = None) -> int:
    """How many copies duties_ensure would add (the branch page offers the button when there are some)."""
    templates = duty_templates_applicable(branch=branch)
    groups = list(groups_of(branch=branch)) if groups is None else groups
    if not templates or not groups:
        return 0
    have = set(
        GroupDuty.objects.filter(party_group__in=groups, template__in=templates).values_list("party_group_id", "template_id")
    )
    return len(groups) * len(templates) - len(have)


# ---------------------------------------------------------------- the branch edits a group's list
def _duty_errors(*, title: str) -> dict[str, list[str]]:
    return {"title": [_("请填写职责名称。")]} if not title else {}


def group_duty_add(*, party_group: Organization, title: str, detail: str = "", area: str = "", order: int | None = None) -> GroupDuty:
    """A duty of the group's own (not from a template)."""
    if party_group.level != Organization.Level.GROUP:
        raise ValidationError(_("只能给党小组添加职责。"))
    title, detail, area = (title or "").strip(), (detail or "").strip(), (area or "").strip()
    errors = _duty_errors(title=title)
    if errors:
        raise ValidationError(errors)
    if order is None:
        order = (GroupDuty.objects.filter(party_group=party_group).aggregate(m=Max("order"))["m"] or 0) + 1
    duty = GroupDuty(party_group=party_group, title=title, detail=detail, area=area, order=order)
    duty.full_clean()
    duty.save()
    return duty


def group_duty_update(*, duty: GroupDuty, title: str, detail: str = "", area: str = "", order: int = 0, is_active: bool = True) -> GroupDuty:
    title, detail, area = (title or "").strip(), (detail or "").strip(), (area or "").strip()
    errors = _duty_errors(title=title)
    if errors:
        raise ValidationError(errors)
    duty.title, duty.detail, duty.area, duty.order, duty.is_active = title, detail, area, order, is_active
    duty.full_clean()
    duty.save()
    return duty


def group_duty_set_active(*, duty: GroupDuty, active: bool) -> GroupDuty:
    """Switch a duty off (it leaves the list; its records stay) or on again."""
    duty.is_active = active
    duty.save(update_fields=["is_active"])
    return duty


# ---------------------------------------------------------------- what was done
def duty_record_add(*, duty: GroupDuty, done_on: dt.date | None, note: str, user=None) -> DutyRecord:
    """Record what was done against a duty on a day (not in the future; a note of at most 500 characters)."""
    note = (note or "").strip()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not duty.is_active:
        raise ValidationError(_("这项职责已停用，不能再记录。"))
    if done_on is None:
        errors["done_on"] = [_("请填写日期。")]
    elif done_on > today:
        errors["done_on"] = [_("日期不能晚于今天（%(today)s）。") % {"today": cn_date(today)}]
    elif done_on < EARLIEST_DATE:
        errors["done_on"] = [_("日期不能早于%(earliest)s。") % {"earliest": cn_date(EARLIEST_DATE)}]
    if not note:
        errors["note"] = [_("请填写完成情况。")]
    elif len(note) > NOTE_MAX:
        errors["note"] = [_("完成情况最多 %(max)s 个字（现在 %(n)s 个字），请精简后再保存。") % {"max": NOTE_MAX, "n": len(note)}]
    if errors:
        raise ValidationError(errors)
    record = DutyRecord(duty=duty, done_on=done_on, note=note, recorded_by=user if user and user.is_authenticated else None)
    record.full_clean()
    record.save()
    return record


def duty_record_delete(*, record: DutyRecord) -> None:
    """A record entered by mistake goes."""
    record.delete()


# ---------------------------------------------------------------- the branch's quarterly assessment
@transaction.atomic
def group_assess(
    *, party_group: Organization, quarter: Quarter, grade: str, comment: str = "", user=None
) -> GroupAssessment:
    """The branch's grade of a group for a quarter: one per group and quarter; assessing again changes it.
    A quarter that has not begun cannot be assessed."""
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if party_group.level != Organization.Level.GROUP:
        raise ValidationError(_("只能评定党小组。"))
    if quarter > Quarter.of(timezone.localdate()):
        raise ValidationError(_("%(quarter)s还没有开始，不能评定。") % {"quarter": quarter.label})
    if quarter.start < EARLIEST_DATE:
        raise ValidationError(_("季度无效。"))
    if grade not in GroupAssessment.Grade.values:
        errors["grade"] = [_("请选择评定等次。")]
    if len(comment) > 500:
        errors["comment"] = [_("评语最多 %(max)s 个字（现在 %(n)s 个字），请精简后再保存。") % {"max": 500, "n": len(comment)}]
    if errors:
        raise ValidationError(errors)
    assessment, _created = GroupAssessment.objects.update_or_create(
        party_group=party_group,
        year=quarter.year,
        quarter=quarter.quarter,
        defaults={"grade": grade, "comment": comment, "assessed_by": user if user and user.is_authenticated else None},
    )
    return assessment


# ---------------------------------------------------------------- reading: a branch's lists for a quarter
@dataclass
class DutyRow:
    duty: GroupDuty
    records: list[DutyRecord]  # this quarter's, newest first

    @property
    def done(self) -> bool:
        return bool(self.records)


@dataclass
class GroupDuties:
    group: Organization
    members: list[Member]
    rows: list[DutyRow] = field(default_factory=list)  # active duties, and switched-off ones with records
    inactive: list[GroupDuty] = field(default_factory=list)  # switched off, nothing this quarter
    assessment: GroupAssessment | None = None

    @property
    def done_count(self) -> int:
        return sum(1 for r in self.rows if r.done and r.duty.is_active)

    @property
    def active_count(self) -> int:
        return sum(1 for r in self.rows if r.duty.is_active)

    @property
    def record_count(self) -> int:
        return sum(len(r.records) for r in self.rows)


def branch_duties(*, branch: Organization, quarter: Quarter, group: Organization | None = None) -> list[GroupDuties]:
    """Per party group of the branch (or only `group`): its members, its duties with what was recorded in
    the quarter, and the quarter's assessment. Five queries, whatever the number of groups and duties."""
    groups = [group] if group is not None else list(groups_of(branch=branch))
    if not groups:
        return []
    records = DutyRecord.objects.filter(done_on__gte=quarter.start, done_on__lte=quarter.end).order_by("-done_on", "-id")
    duties = (
        GroupDuty.objects.filter(party_group__in=groups)
        .order_by("order", "id")
        .prefetch_related(Prefetch("records", queryset=records, to_attr="quarter_records"))
    )
    members = Member.objects.filter(party_group__in=groups, is_active=True).order_by("name", "id").only("id", "name", "party_group_id")
    assessments = GroupAssessment.objects.filter(party_group__in=groups, year=quarter.year, quarter=quarter.quarter)
    by_group: dict[int, GroupDuties] = {g.pk: GroupDuties(group=g, members=[]) for g in groups}
    for m in members:
        by_group[m.party_group_id].members.append(m)
    for d in duties:
        entry = by_group[d.party_group_id]
        if d.is_active or d.quarter_records:
            entry.rows.append(DutyRow(duty=d, records=d.quarter_records))
        else:
            entry.inactive.append(d)
    for a in assessments:
        by_group[a.party_group_id].assessment = a
    return list(by_group.values())
