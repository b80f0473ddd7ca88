from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


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
        help_text=_("站内通知始终开启;22:00 至次日 07:00 不发邮件,早上再发。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存"), css_class="btn-danger"))

    def clean(self):
        data = super().clean()
        if data.get("email_enabled") and not data.get("email"):
            self.add_error("email", _("要接收邮件提醒,请填写电子邮箱。"))
        return data
