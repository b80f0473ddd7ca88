"""Getting in: the login page (username or phone), activation with a one-time code, forgotten passwords."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django_ratelimit.decorators import ratelimit

from branchlife.http import client_ip_key
from branchlife.views import apply_validation_error
from organizations import accounts

from . import backends
from .forms import ActivationForm, CodeForm, ForgotForm, LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def _origin_referrer_only(response):
    # The URL may hold the code (from a slip's QR): later requests get only the origin as Referer, not the
    # query ("no-referrer" would also blank the Origin header, which the CSRF check needs).
    response["Referrer-Policy"] = "origin"
    response["Cache-Control"] = "no-store"
    return response


def _code_step(request, code: str):
    """The usable code behind what was typed (or None) and the code form, with the reason when not."""
    if not code:
        return None, CodeForm()
    code_form = CodeForm({"code": code})
    code_form.is_valid()
    if getattr(request, "limited", False):
        code_form.add_error(None, _("尝试次数过多，请一小时后再试，或请支部书记当面帮您激活。"))
        return None, code_form
    try:
        return accounts.find_code(code), code_form
    except accounts.CodeError as exc:
        code_form.add_error("code", exc.messages)
        return None, code_form


@never_cache
@sensitive_variables("code")
@sensitive_post_parameters()
# Generous per address: a village's members activate together at a meeting, behind one Wi-Fi or one
# carrier NAT. Guessing stays hopeless: 300 an hour for the 14 days a code lives is ~10^5 of 8.5·10^11.
@ratelimit(key=client_ip_key, rate="300/h", method=["GET", "POST"], block=False, group="accounts.activate")
def activate(request):
    """Code → confirm the name → set a password → logged in, on 我的待办. One transaction."""
    code = request.POST.get("code") or request.GET.get("code") or ""
    found, code_form = _code_step(request, code)
    if found is None:
        status = 400 if code else 200
        return _origin_referrer_only(render(request, "accounts/activate.html", {"code_form": code_form}, status=status))

    form = ActivationForm(request.POST or None, initial={"code": code})
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.activate(raw_code=code, password1=form.cleaned_data["password1"], password2=form.cleaned_data["password2"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            login(request, user, backend=backends.PATH)
            messages.success(request, _("账号已激活。以后请用用户名 %(username)s 或手机号登录。") % {"username": user.get_username()})
            return redirect("home")
    who = accounts.person(found.user)
    context = {"form": form, "name": who.name, "username": found.user.get_username(), "where": who.place,
               "reset": found.purpose == found.Purpose.RESET}
    return _origin_referrer_only(render(request, "accounts/activate_password.html", context, status=400 if form.errors else 200))


@never_cache
@ratelimit(key=client_ip_key, rate="10/h", method="POST", block=False, group="accounts.forgot")
def forgot_password(request):
    """Email where the person has one (Django's reset flow); otherwise a new code from the secretary.
    The answer is the same whoever was named, so the page tells no one who has an account."""
    form = ForgotForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        if getattr(request, "limited", False):
            form.add_error(None, _("尝试次数过多，请稍后再试。"))
        else:
            try:
                username = accounts.username_for_login(form.cleaned_data["identifier"])
            except accounts.PhoneLookupError:
                username = None  # a shared phone: the same answer as any other, so nobody learns it is shared
            if username:
                user = get_user_model().objects.filter(username=username, is_active=True).exclude(email="").first()
                if user is not None:
                    reset = PasswordResetForm({"email": user.email})
                    if reset.is_valid():
                        reset.save(
                            request=request,
                            use_https=request.is_secure(),
                            email_template_name="registration/password_reset_email.txt",
                            subject_template_name="registration/password_reset_subject.txt",
                        )
            sent = True
    return render(request, "accounts/forgot_password.html", {"form": form, "sent": sent})
