from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import BranchChannels, Kind


class NotificationFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), ("unread", _("未读")), ("read", _("已读"))]
    )
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Kind.choices])

    def filters(self) -> dict:
        if not self.is_valid():
            return {"search": "", "state": "", "kind": ""}
        data = self.cleaned_data
        return {"search": data["q"].strip(), "state": data["state"], "kind": data["kind"]}


class PreferenceForm(forms.Form):
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, help_text=_("留空则只在站内通知中心提醒。")
    )
    email_enabled = forms.BooleanField(
        label=_("接收邮件提醒"),
        required=False,
        help_text=_("站内通知始终开启；22:00 至次日 07:00 不发邮件，早上再发。"),
    )
    sms_enabled = forms.BooleanField(
        label=_("接收短信提醒"),
        required=False,
        help_text=_("发到支部名册中登记的手机号码；号码有变化请告诉支部书记。夜间不发短信。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存"), css_class="btn-danger"))

    def clean(self):
        data = super().clean()
        if data.get("email_enabled") and not data.get("email"):
            self.add_error("email", _("要接收邮件提醒，请填写电子邮箱。"))
        return data


def _https_first(field, **kwargs):
    """A webhook typed without a scheme is an https one (and Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class BranchChannelsForm(forms.ModelForm):
    """The branch's group robots; the SMS budget only for the department above (`can_set_budget`)."""

    class Meta:
        model = BranchChannels
        fields = ["wecom_webhook", "dingtalk_webhook", "dingtalk_secret", "sms_monthly_budget"]
        widgets = {"dingtalk_secret": forms.PasswordInput(render_value=True)}
        formfield_callback = _https_first

    def __init__(self, *args, can_set_budget: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_set_budget:
            del self.fields["sms_monthly_budget"]
        else:
            self.fields["sms_monthly_budget"].help_text = _("留空则使用全县默认额度；填 0 表示本支部不发短信。")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存"), css_class="btn-danger"))

    def clean_wecom_webhook(self):
        url = self.cleaned_data["wecom_webhook"].strip()
        if url and not url.startswith("https://"):
            raise forms.ValidationError(_("请填写以 https:// 开头的企业微信机器人地址。"))
        return url

    def clean_dingtalk_webhook(self):
        url = self.cleaned_data["dingtalk_webhook"].strip()
        if url and not url.startswith("https://"):
            raise forms.ValidationError(_("请填写以 https:// 开头的钉钉机器人地址。"))
        return url

    def clean(self):
        data = super().clean()
        secret = (data.get("dingtalk_secret") or "").strip()
        data["dingtalk_secret"] = secret
        if secret and not data.get("dingtalk_webhook"):
            self.add_error("dingtalk_webhook", _("填写了加签密钥，请同时填写钉钉机器人地址。"))
        return data
