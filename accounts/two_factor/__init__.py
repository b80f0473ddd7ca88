"""Two-factor authentication (issue 15 item 5: "safety for those who see most").

Who: an officer (organizations.Officer: every branch below a county or a township) must confirm a TOTP
authenticator app before any page answers; a branch secretary (or deputy) may turn it on from 账号安全 and
off again; other members are not offered it. Whoever has a confirmed authenticator must enter a code at
every login. Who must and who may is decided in branchlife/permissions.py (rules `two_factor_required`,
`two_factor_offered`); `services.two_factor_required` / `two_factor_offered` ask it.

Storage: django-otp's own tables. One confirmed `TOTPDevice` per user (an unconfirmed one while enrolling)
and one `StaticDevice` named 恢复码 holding ten single-use `StaticToken`s, replaced as a set. A verified
session carries django-otp's `otp_device_id`; `OTPMiddleware` turns it into `request.user.is_verified()`.

Enforcement: `middleware.TwoFactorRequiredMiddleware` sends an unverified officer (or anyone with a confirmed
authenticator) to enrol or verify; `middleware.IdleTimeoutMiddleware` logs out a session left unused for
settings.SESSION_IDLE_MINUTES, an officer's for settings.OFFICER_IDLE_MINUTES when that is shorter.
"""

from .services import two_factor_offered, two_factor_required

__all__ = ["two_factor_offered", "two_factor_required"]
