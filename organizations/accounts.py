"""Accounts for the people of the tree: opening them from the roster, one-time codes, resets, leaving.

A person gets in with a one-time activation code (a paper slip or read aloud), sets a password and
from then on logs in by username or by the phone number on the roster. The secretary (and any officer
above) opens accounts and issues new codes; nobody ever sees another person's password.

Codes are 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as ``K7QP-3MXA``:
31^8 ≈ 8.5·10^11 codes, tried at most a few dozen times an hour from one address. Only an HMAC of the
normalized code is stored.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .models import ActivationCode, Member, Officer, Supervisor

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class CodeError(ValidationError):
    """A code that cannot be used, with the reason in words the member understands."""


@dataclass(frozen=True)
class IssuedCode:
    """A code as issued: the only moment the plain code exists."""

    user_id: int
    username: str
    name: str
    code: str
    expires_at: dt.datetime


# ---------------------------------------------------------------- codes
def normalize_code(raw: str) -> str:
    """What the member typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isascii() and ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _hash(code: str) -> str:
    return salted_hmac("branchlife.activation-code", normalize_code(code)).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def activate_url(code: str = "") -> str:
    """The activation page's full address; with a code, the one a slip's QR code opens."""
    url = settings.SITE_URL.rstrip("/") + reverse("accounts:activate")
    return f"{url}?code={code}" if code else url


@dataclass(frozen=True)
class Person:
    """How a person with an account is named and placed: from the roster, or their officer or supervisor
    record (in that order), else their username."""

    name: str
    place: str


def people(users) -> dict[int, Person]:
    """Person of each user, in three queries whatever their number (slips, the history page)."""
    ids = [user.pk for user in users]
    found: dict[int, Person] = {}
    # Lowest precedence first, so that later records overwrite: supervisor, officer, roster (active last).
    for supervisor in Supervisor.objects.filter(user_id__in=ids).select_related("organization"):
        found[supervisor.user_id] = Person(supervisor.name, str(supervisor.organization or ""))
    for officer in Officer.objects.filter(user_id__in=ids).select_related("organization"):
        found[officer.user_id] = Person(officer.name, str(officer.organization))
    for member in Member.objects.filter(user_id__in=ids).select_related("branch").order_by("is_active", "pk"):
        found[member.user_id] = Person(member.name, str(member.branch))
    return {user.pk: found.get(user.pk) or Person(user.get_username(), "") for user in users}


def person(user) -> Person:
    return people([user])[user.pk]


def issue_code(*, user, by, purpose: str = ActivationCode.Purpose.ACTIVATE, name: str = "") -> IssuedCode:
    """A new code for `user` (called `name`, looked up when not given); their earlier unused codes stop
    working."""
    now = timezone.now()
    ActivationCode.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
    code = _new_code()
    expires_at = now + dt.timedelta(days=settings.ACTIVATION_CODE_DAYS)
    ActivationCode.objects.create(
        user=user,
        code_hash=_hash(code),
        purpose=purpose,
        issued_by=by if by is not None and by.is_authenticated else None,
        issued_at=now,
        expires_at=expires_at,
    )
    return IssuedCode(
        user_id=user.pk, username=user.get_username(), name=name or person(user).name, code=format_code(code), expires_at=expires_at
    )


def find_code(raw: str) -> ActivationCode:
    """The usable code behind what was typed, or CodeError saying why not."""
    code = normalize_code(raw)
    if len(code) != CODE_LENGTH:
        raise CodeError(_("激活码是 8 位字母和数字，请对照纸条重新输入。"), code="format")
    found = ActivationCode.objects.select_related("user").filter(code_hash=_hash(code)).first()
    if found is None:
        raise CodeError(_("激活码不正确，请对照纸条重新输入。"), code="unknown")
    if not found.user.is_active:
        raise CodeError(_("该账号已停用，请联系支部书记。"), code="inactive")
    if found.used_at is not None:
        raise CodeError(_("这个激活码已经用过。如忘记密码，请向支部书记领取新的激活码。"), code="used")
    if found.revoked_at is not None:
        raise CodeError(_("这个激活码已作废，已经发放了新的激活码，请使用最新的纸条。"), code="revoked")
    if found.expires_at <= timezone.now():
        raise CodeError(_("这个激活码已过期，请向支部书记领取新的激活码。"), code="expired")
    return found


def usable_codes(pairs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Of (user id, code) pairs, those whose code is usable and belongs to that user, in one query (the
    slip PDF is printed only for these)."""
    by_hash = {_hash(code): (user_id, format_code(normalize_code(code))) for user_id, code in pairs}
    found = set(
        ActivationCode.objects.filter(
            code_hash__in=by_hash, used_at=None, revoked_at=None, expires_at__gt=timezone.now(), user__is_active=True
        ).values_list("code_hash", "user_id")
    )
    return [pair for h, pair in by_hash.items() if (h, pair[0]) in found]


@transaction.atomic
def activate(*, raw_code: str, password1: str, password2: str):
    """Sets the password with a code: all of it or none of it. Returns the user."""
    found = find_code(raw_code)
    # Locked so that two phones sending the same code at once cannot both use it.
    found = ActivationCode.objects.select_for_update().select_related("user").get(pk=found.pk)
    if found.used_at is not None:
        raise CodeError(_("这个激活码已经用过。如忘记密码，请向支部书记领取新的激活码。"), code="used")
    if password1 != password2:
        raise ValidationError({"password2": _("两次输入的密码不一致。")})
    user = found.user
    try:
        password_validation.validate_password(password1, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.set_password(password1)
    user.save(update_fields=["password"])
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    return user


# ---------------------------------------------------------------- accounts of roster members
def _username_for(member: Member) -> str:
    # Short, typed on a phone, never a name (names repeat and need an input method); the phone works too.
    return f"m{member.pk}"


def has_activated(user) -> bool:
    return user is not None and user.has_usable_password()


@transaction.atomic
def open_accounts(*, members, by) -> list[IssuedCode]:
    """Accounts for roster members, each with a code. Members already activated are left alone (a
    forgotten password is `reset_access`); one without a login yet gets one, with a new code."""
    User = get_user_model()
    issued = []
    for member in Member.objects.select_for_update().filter(pk__in=[m.pk for m in members], is_active=True).order_by(
        "name", "pk"
    ):
        user = member.user
        if has_activated(user):
            continue
        if user is None:
            user = User(username=_username_for(member))
            user.set_unusable_password()
            user.save()
            member.user = user
            member.save(update_fields=["user"])
        issued.append(issue_code(user=user, by=by, name=member.name))
    return issued


@transaction.atomic
def reset_access(*, user, by) -> IssuedCode:
    """A forgotten password (or a lost phone): the old password stops working, every session of the user
    ends (Django ties a session to the password hash), their two-factor authenticators and recovery codes
    go (an officer sets up a new one at the next login), and the person gets a new code."""
    from django_otp import devices_for_user

    for device in devices_for_user(user, confirmed=None):
        device.delete()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return issue_code(user=user, by=by, purpose=ActivationCode.Purpose.RESET)


@transaction.atomic
def remove_from_roster(*, member: Member) -> None:
    """A member transferred out (转出) or no longer on the roster: off the branch's lists and out of the
    app at once — the account is disabled and its sessions end at the next request."""
    member.is_active = False
    member.save(update_fields=["is_active"])
    if member.user_id:
        # An officer or supervisor who also left a roster keeps those posts.
        _disable_if_roleless(member.user)


def disable_user(user) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    ActivationCode.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=timezone.now())


# ---------------------------------------------------------------- logging in by phone
class PhoneLookupError(ValidationError):
    pass


def username_for_login(identifier: str, password: str | None = None) -> str:
    """The username behind what was typed at the login: a username as it is, or a roster phone number.

    A phone shared by several members with accounts (a couple in one village branch) logs in whichever of
    them the password belongs to. Nothing here tells a stranger whether a number is on a roster: a number
    without an account falls through to the ordinary "wrong username or password"; only someone holding
    the right password for two of the accounts learns that the number is shared.
    """
    identifier = (identifier or "").strip()
    if not (identifier.isascii() and identifier.isdigit() and 7 <= len(identifier) <= 20):
        return identifier
    User = get_user_model()
    if User.objects.filter(username=identifier).exists():
        return identifier
    users = list(User.objects.filter(member__phone=identifier, member__is_active=True, is_active=True).distinct())
    if len(users) > 1 and password is not None:
        users = [user for user in users if user.check_password(password)]
    if len(users) > 1:
        raise PhoneLookupError(
            _("这个手机号登记在多名党员名下，请改用纸条上的用户名登录，并请支部书记更正花名册。"), code="ambiguous"
        )
    return users[0].get_username() if users else identifier


# ---------------------------------------------------------------- officers and supervisors
def _new_user(prefix: str):
    User = get_user_model()
    user = User(username=f"{prefix}-{secrets.token_hex(8)}")
    user.set_unusable_password()
    user.save()
    return user


def _rename(user, username: str) -> None:
    user.username = username
    user.save(update_fields=["username"])


@transaction.atomic
def add_officer(*, organization, name: str, title: str, by) -> IssuedCode:
    """A new officer of `organization`, with an account and a code to activate it."""
    user = _new_user("g")
    officer = Officer.objects.create(user=user, organization=organization, name=name, title=title)
    # 干部: g + number, as members are m + number; short to type.
    _rename(user, f"g{officer.pk}")
    return issue_code(user=user, by=by)


@transaction.atomic
def remove_officer(*, officer: Officer) -> None:
    """The post is gone and so is the access it gave: the account is disabled unless the person is also
    on a roster or a supervisor (they keep those rights)."""
    user = officer.user
    officer.delete()
    _disable_if_roleless(user)


def _disable_if_roleless(user) -> None:
    roles = (
        Member.objects.filter(user=user, is_active=True).exists()
        or Officer.objects.filter(user=user).exists()
        or Supervisor.objects.filter(user=user).exists()
    )
    if not roles:
        disable_user(user)


@transaction.atomic
def add_supervisor(*, name: str, title: str, organization, branches, by) -> IssuedCode:
    user = _new_user("d")
    supervisor = Supervisor.objects.create(user=user, name=name, title=title, organization=organization)
    supervisor.branches.set(branches)
    # 督导: d + number.
    _rename(user, f"d{supervisor.pk}")
    return issue_code(user=user, by=by)


@transaction.atomic
def assign_supervisor(*, supervisor: Supervisor, branches, within) -> None:
    """Sets which branches under `within` the supervisor follows; assignments elsewhere (made by other
    counties' officers) stay as they are."""
    kept = supervisor.branches.exclude(path__startswith=within.path)
    supervisor.branches.set([*kept, *branches])


@transaction.atomic
def remove_supervisor(*, supervisor: Supervisor, within) -> None:
    """Takes the supervisor off every branch under `within`; with none left anywhere, the record goes and
    the account is disabled (unless the person has another role)."""
    supervisor.branches.remove(*supervisor.branches.filter(path__startswith=within.path))
    if not supervisor.branches.exists():
        user = supervisor.user
        supervisor.delete()
        _disable_if_roleless(user)
