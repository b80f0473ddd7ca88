"""Recording the branch's regular life: activities with their roll, the rhythm rules, the monthly work tips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife.dates import cn_date
from organizations.models import Member, Organization

from .models import Activity, ActivityAttendance, ActivityPhoto, Kind, RhythmRule, WorkTip

ACTIVITY_FIELDS = ("kind", "party_group", "held_on", "place", "topic", "led_by", "service", "others_count", "minutes")
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTOS_PER_ACTIVITY = 9


def on_roll(members: list[Member], *, kind: str, party_group: Organization | None) -> list[Member]:
    """Who is expected of the branch's members: all of them, or for a 党小组会 the group's."""
    if kind == Kind.GROUP and party_group is not None:
        return [m for m in members if m.party_group_id == party_group.pk]
    return list(members)


def roll_for(*, branch: Organization, kind: str, party_group: Organization | None) -> list[Member]:
    members = Member.objects.filter(branch=branch, is_active=True).order_by("id")
    return on_roll(list(members), kind=kind, party_group=party_group)


def activity_clean(*, branch: Organization, data: dict, today: dt.date | None = None) -> None:
    """The record's own rules (the form shows them beside the roll's; the save checks them again)."""
    today = today or timezone.localdate()
    errors = {}
    held_on = data.get("held_on")
    if held_on and held_on > today:
        errors["held_on"] = _("记录的是已开展的活动，日期不能晚于今天（%(d)s）。") % {"d": cn_date(today)}
    group = data.get("party_group")
    if data.get("kind") == Kind.GROUP:
        if group is None:
            errors["party_group"] = _("党小组会请选择党小组。")
        elif group.level != Organization.Level.GROUP or not group.path.startswith(branch.path) or group.depth != branch.depth + 1:
            errors["party_group"] = _("请选择本支部的党小组。")
    leader = data.get("led_by")
    if leader is not None and leader.branch_id != branch.pk:
        errors["led_by"] = _("主持人或讲课人须是本支部党员。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_save(
    *, branch: Organization, data: dict, attendance: Iterable[tuple[Member, str, str]], user,
    activity: Activity | None = None, today: dt.date | None = None,
) -> Activity:
    """Create or change a record and its roll in one transaction. `attendance`: (member, status, reason)
    for every member on the roll; a member no longer on it (the kind or the group changed) is dropped."""
    today = today or timezone.localdate()
    data = dict(data)
    if data.get("kind") != Kind.GROUP:
        data["party_group"] = None
    activity_clean(branch=branch, data=data, today=today)
    if activity is None:
        activity = Activity(branch=branch, recorded_by=user)
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, data.get(name) if data.get(name) is not None else Activity._meta.get_field(name).get_default())
    activity.full_clean(exclude=["recorded_by"])
    activity.save()
    rows = list(attendance)
    roll = {m.pk for m in roll_for(branch=branch, kind=activity.kind, party_group=activity.party_group)}
    missing_reason = [m.name for m, status, reason in rows if status not in ActivityAttendance.ATTENDED and not reason.strip()]
    if missing_reason:
        raise ValidationError(_("缺席或请假须注明原因：%(names)s。") % {"names": "、".join(missing_reason)})
    activity.attendance.exclude(member_id__in=roll).delete()
    existing = {a.member_id: a for a in activity.attendance.all()}
    new, changed = [], []
    for member, status, reason in rows:
        if member.pk not in roll:
            continue
        reason = "" if status in ActivityAttendance.ATTENDED else reason.strip()
        a = existing.get(member.pk)
        if a is None:
            new.append(ActivityAttendance(activity=activity, member=member, status=status, reason=reason))
        elif (a.status, a.reason) != (status, reason):
            a.status, a.reason = status, reason
            changed.append(a)
    ActivityAttendance.objects.bulk_create(new)
    ActivityAttendance.objects.bulk_update(changed, ["status", "reason"])
    return activity


def activity_delete(*, activity: Activity) -> None:
    with transaction.atomic():
        photos = list(activity.photos.all())
        activity.delete()
    for photo in photos:
        photo.file.delete(save=False)


def photo_add(*, activity: Activity, upload) -> ActivityPhoto:
    """An optional photo: never required, at most PHOTOS_PER_ACTIVITY, images of up to 10 MB."""
    content_type = (getattr(upload, "content_type", "") or "").lower()
    if content_type not in PHOTO_TYPES:
        raise ValidationError(_("只能上传照片（JPG、PNG、WEBP 或 HEIC）：%(name)s。") % {"name": upload.name})
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("照片不能超过 10 MB：%(name)s。") % {"name": upload.name})
    if activity.photos.count() >= PHOTOS_PER_ACTIVITY:
        raise ValidationError(_("每次活动最多上传 %(n)s 张照片。") % {"n": PHOTOS_PER_ACTIVITY})
    photo = ActivityPhoto(activity=activity, content_type=content_type, size=upload.size)
    photo.file.save("photo", upload, save=False)
    photo.save()
    return photo


def photo_delete(*, photo: ActivityPhoto) -> None:
    photo.file.delete(save=False)
    photo.delete()


@transaction.atomic
def rhythm_rules_save(*, organization: Organization, rules: dict[str, tuple[str, int] | None]) -> None:
    """The node's own rule per kind; None removes it (the rule above, or the default, applies again)."""
    for kind, rule in rules.items():
        if kind not in Kind.values:
            raise ValidationError(_("未知的活动类型。"))
        if rule is None:
            RhythmRule.objects.filter(organization=organization, kind=kind).delete()
        else:
            period, times = rule
            RhythmRule.objects.update_or_create(organization=organization, kind=kind, defaults={"period": period, "times": times})


def work_tip_save(*, organization: Organization, month: dt.date, text: str, user) -> WorkTip:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写工作提示。")})
    tip, _created = WorkTip.objects.update_or_create(
        organization=organization, month=month.replace(day=1), defaults={"text": text, "created_by": user}
    )
    return tip
