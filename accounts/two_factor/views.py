"""Two-factor pages: 账号安全 (the overview), enrol, verify at login, recovery codes, turn off.

The pages that show a key or recovery codes are never cached; recovery codes appear only in the answer to
the POST that made them.
"""

from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from branchlife.views import apply_validation_error, local_path

from . import services
from .forms import DisableForm, RecoveryCodeForm, TokenForm

GET_POST = require_http_methods(["GET", "POST"])


def _next_url(request) -> str:
    return local_path(request, request.POST.get("next") or request.GET.get("next")) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{resolve_url(url_name)}?{urlencode({'next': next_url})}"


def _login_device(request, device) -> None:
    """The session now counts as verified; a new session key, as at password login."""
    request.session.cycle_key()
    django_otp.login(request, device)


def _codes_page(request, codes: list[str]):
    context = {"codes": [services.recovery_code_display(c) for c in codes], "next": _next_url(request)}
    return render(request, "accounts/two_factor/recovery_codes.html", context)


@never_cache
@login_required
def security(request):
    user = request.user
    device = services.totp_device_confirmed(user=user)
    context = {
        "required": services.two_factor_required(user),
        "offered": services.two_factor_offered(user),
        "device": device,
        "codes_left": services.recovery_codes_left(user=user) if device else 0,
        "codes_low": services.RECOVERY_CODES_LOW,
    }
    return render(request, "accounts/two_factor/security.html", context)


@never_cache
@login_required
@GET_POST
def enrol(request):
    user = request.user
    if not services.two_factor_offered(user):
        raise PermissionDenied
    if services.totp_device_confirmed(user=user) is not None and not user.is_verified():
        return redirect(_with_next("accounts:two_factor_verify", request.get_full_path()))
    if request.method == "POST" and "start" in request.POST:
        services.totp_device_start(user=user)
        return redirect(request.get_full_path())
    device = services.totp_device_pending(user=user)
    form = TokenForm(request.POST if request.method == "POST" and device else None)
    if form.is_bound and form.is_valid():
        try:
            codes = services.totp_device_confirm(device=device, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            device.refresh_from_db()
            _login_device(request, device)
            return _codes_page(request, codes)
    context = {
        "device": device,
        "form": form,
        "required": services.two_factor_required(user),
        "replacing": services.totp_device_confirmed(user=user) is not None,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2) if device else "",
        "key_groups": services.totp_key_groups(device) if device else [],
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor/enrol.html", context)


@never_cache
@login_required
@GET_POST
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if services.totp_device_confirmed(user=user) is None:
        return redirect(_with_next("accounts:two_factor_enrol", _next_url(request)))
    use_code = request.method == "POST" and "code" in request.POST
    form = TokenForm(request.POST if request.method == "POST" and not use_code else None)
    code_form = RecoveryCodeForm(request.POST if use_code else None)
    bound = code_form if use_code else form
    if bound.is_bound and bound.is_valid():
        try:
            if use_code:
                device = services.recovery_code_use(user=user, code=code_form.cleaned_data["code"])
            else:
                device = services.totp_verify(user=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_validation_error(bound, exc)
        else:
            _login_device(request, device)
            if use_code:
                left = services.recovery_codes_left(user=user)
                messages.warning(request, _("已使用一个恢复码，还剩 %(left)d 个。") % {"left": left})
            return redirect(_next_url(request))
    context = {"form": form, "code_form": code_form, "use_code": use_code, "next": _next_url(request)}
    return render(request, "accounts/two_factor/verify.html", context)


@never_cache
@login_required
@GET_POST
def recovery(request):
    user = request.user
    if services.totp_device_confirmed(user=user) is None or not user.is_verified():
        return redirect("accounts:two_factor_security")
    if request.method == "POST":
        return _codes_page(request, services.recovery_codes_replace(user=user))
    context = {"codes_left": services.recovery_codes_left(user=user), "codes_low": services.RECOVERY_CODES_LOW}
    return render(request, "accounts/two_factor/recovery.html", context)


@never_cache
@login_required
@GET_POST
def disable(request):
    user = request.user
    if services.two_factor_required(user):
        raise PermissionDenied
    if services.totp_device_confirmed(user=user) is None or not user.is_verified():
        return redirect("accounts:two_factor_security")
    form = DisableForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_disable(user=user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已关闭两步验证。"))
            return redirect("accounts:two_factor_security")
    return render(request, "accounts/two_factor/disable.html", {"form": form})
