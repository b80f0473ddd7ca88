"""Two-factor rules, reads and writes. Tokens are checked here, never in forms or views."""

from __future__ import annotations

import re
from base64 import b32encode

import django_otp
import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "验证器"
RECOVERY_DEVICE_NAME = "恢复码"
# A recovery code fewer than this many left is worth a warning: print a new set.
RECOVERY_CODES_LOW = 3


# ---------------------------------------------------------------- who


def two_factor_required(user) -> bool:
    """Officers see every branch below their node: they may not work without a second factor (the rule is
    in branchlife/permissions.py)."""
    return rules.test_rule("two_factor_required", user)


def two_factor_offered(user) -> bool:
    """Officers (who must) and branch secretaries and deputies (who may) can set up an authenticator."""
    return rules.test_rule("two_factor_offered", user)


# ---------------------------------------------------------------- reads


def totp_device_confirmed(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def totp_device_pending(*, user) -> TOTPDevice | None:
    """The authenticator being set up: scanned, not yet confirmed with a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_key_groups(device: TOTPDevice) -> list[str]:
    """The key as an authenticator app asks for it when typed in (base32), in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return [key[i : i + 4] for i in range(0, len(key), 4)]


def recovery_code_normalize(code: str) -> str:
    """What the user typed, as stored: no spaces or dashes, lower case (codes are printed as abcd-efgh)."""
    return re.sub(r"[\s\-]", "", code).lower()


def recovery_code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


# ---------------------------------------------------------------- writes


def totp_device_start(*, user) -> TOTPDevice:
    """A new authenticator key, unconfirmed until the user types a code from it; an earlier unfinished
    attempt is dropped. A confirmed authenticator stays in force until the new one is confirmed."""
    if not two_factor_offered(user):
        raise ValidationError(_("两步验证目前面向组织部门干部和支部书记。"))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str]:
    """Confirms the new authenticator with a code from it. It replaces any earlier authenticator, and a
    new set of recovery codes replaces the old: returned in clear this once, to be shown and printed."""
    _raise_if_throttled(device)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if device is None:  # confirmed or replaced meanwhile, in another tab
            raise ValidationError(_("此次设置已失效，请重新开始设置。"))
        verified = device.verify_token(token)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
            codes = recovery_codes_replace(user=device.user)
    # Outside the transaction so that the failure count verify_token wrote is kept.
    if not verified:
        raise ValidationError({"token": _("验证码不正确，请核对手机上验证器应用当前显示的 6 位数字后重新输入。")})
    return codes


def recovery_codes_replace(*, user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_verify(*, user, token: str) -> Device:
    """The user's authenticator accepts this code (each code once: django-otp remembers the last one)."""
    device = totp_device_confirmed(user=user)
    if device is None:
        raise ValidationError(_("尚未设置验证器。"))
    _raise_if_throttled(device)
    verified = django_otp.verify_token(user, device.persistent_id, token)
    if verified is None:
        raise ValidationError({"token": _("验证码不正确或已使用过，请输入验证器应用当前显示的 6 位数字。")})
    return verified


def recovery_code_use(*, user, code: str) -> Device:
    """Signs in with one recovery code instead of the authenticator; the code is used up."""
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True).first()
    if device is None:
        raise ValidationError({"code": _("没有可用的恢复码。")})
    _raise_if_throttled(device)
    verified = django_otp.verify_token(user, device.persistent_id, recovery_code_normalize(code))
    if verified is None:
        raise ValidationError({"code": _("恢复码不正确或已使用过。")})
    return verified


def two_factor_disable(*, user) -> None:
    """A secretary turns two-factor off: authenticator and recovery codes go. Officers may not."""
    if two_factor_required(user):
        raise ValidationError(_("组织部门干部必须使用两步验证，不能关闭。"))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def _raise_if_throttled(device: Device) -> None:
    """django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s …) per device."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        raise ValidationError(_("错误次数过多，请稍后再试。"))
    raise ValidationError(
        _("错误次数过多，请于 %(time)s 之后再试。") % {"time": timezone.localtime(locked_until).strftime("%H:%M:%S")}
    )
