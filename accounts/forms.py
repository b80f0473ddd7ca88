from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from organizations import accounts


class LoginForm(AuthenticationForm):
    """Username or the phone number on the roster; a deactivated account is told so (after the right
    password only, so the message reveals nothing to a guesser)."""

    error_messages = {
        "invalid_login": _("用户名（或手机号）或密码不正确。请注意密码区分大小写。"),
        "inactive": _("该账号已停用，请联系支部书记。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名或手机号")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})

    def clean(self):
        identifier = self.cleaned_data.get("username")
        if identifier:
            try:
                self.cleaned_data["username"] = accounts.username_for_login(
                    identifier, self.cleaned_data.get("password") or ""
                )
            except accounts.PhoneLookupError as exc:
                raise forms.ValidationError(exc.messages) from exc
        try:
            return super().clean()
        except forms.ValidationError:
            self._inactive_with_right_password()
            raise

    def _inactive_with_right_password(self):
        user = get_user_model().objects.filter(username=self.cleaned_data.get("username"), is_active=False).first()
        if user is not None and user.check_password(self.cleaned_data.get("password") or ""):
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("激活码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "placeholder": "XXXX-XXXX"}
        ),
    )


class ActivationForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    password1 = forms.CharField(
        label=_("设置密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("再输入一次"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class ForgotForm(forms.Form):
    identifier = forms.CharField(label=_("用户名或手机号"), max_length=150)
