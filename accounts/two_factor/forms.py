"""Two-factor forms: the shape of what is typed. Whether a code is right is the services' question."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """The six digits the authenticator app shows (spaces allowed: some apps show 123 456)."""

    token = forms.CharField(
        label=_("6 位验证码"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
                "class": "form-control form-control-lg text-center font-monospace",
                "placeholder": "123456",
            }
        ),
    )

    def clean_token(self) -> str:
        token = re.sub(r"\s", "", self.cleaned_data["token"])
        if not re.fullmatch(r"[0-9]{6}", token):
            raise forms.ValidationError(_("请输入验证器应用中显示的 6 位数字。"))
        return token


class RecoveryCodeForm(forms.Form):
    """One of the printed recovery codes, when the phone is not at hand."""

    code = forms.CharField(
        label=_("恢复码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control font-monospace",
                "placeholder": "abcd-efgh",
            }
        ),
    )


class DisableForm(forms.Form):
    """Turning two-factor off asks for the password again."""

    password = forms.CharField(
        label=_("当前密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("密码不正确。"))
        return password
