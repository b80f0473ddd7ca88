"""The demo's two-factor: the county officer (`county`) has an authenticator whose key is published in the
README, so that a reviewer can add it to an authenticator app, and ten fixed recovery codes."""

from base64 import b32decode

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .two_factor.services import RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME

# Public on purpose (README): 32 base32 characters, 20 bytes. Never use it outside the demo.
DEMO_TOTP_KEY = "BRANCHLIFEDEMOKEY2FACOUNTYGAOLAN"
DEMO_RECOVERY_CODES = [f"gaolan{i:02d}" for i in range(1, 11)]
DEMO_TWO_FACTOR_USERS = ("county",)


def demo_totp_key_hex() -> str:
    return b32decode(DEMO_TOTP_KEY).hex()


def seed(ctx) -> None:
    """Gives the demo officer a confirmed authenticator with DEMO_TOTP_KEY and the ten DEMO_RECOVERY_CODES
    (used ones come back at every run). Safe to run again: an authenticator with the demo key is kept, so
    the code a reviewer just used is still refused (django-otp's last_t); any other is removed."""
    key = demo_totp_key_hex()
    for username in DEMO_TWO_FACTOR_USERS:
        user = ctx.users[username]
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).exclude(key=key, confirmed=True).delete()
            if not TOTPDevice.objects.filter(user=user).exists():
                device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
                device.full_clean()
                device.save()
            static, _created = StaticDevice.objects.get_or_create(
                user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
            )
            StaticDevice.objects.filter(user=user).exclude(pk=static.pk).delete()
            static.token_set.exclude(token__in=DEMO_RECOVERY_CODES).delete()
            have = set(static.token_set.values_list("token", flat=True))
            StaticToken.objects.bulk_create(
                StaticToken(device=static, token=code) for code in DEMO_RECOVERY_CODES if code not in have
            )


def reset(ctx) -> None:
    """Nothing of two-factor belongs to a season: the authenticator outlives a rebuild, so that a code the
    reviewer has just typed stays used."""
