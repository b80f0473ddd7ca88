"""Forms of the party-group leaders' duty lists (activities.duties holds the rules; these only read input)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin

from .duties import NOTE_MAX
from .models import GroupAssessment, GroupDuty

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TOO_LONG = _("最多 %(limit_value)d 个字（现在 %(show_value)d 个字），请精简后再保存。")
BAD_DATE = _("请按“年-月-日”填写日期，例如 2026-11-25。")
ORDER_HELP = _("数字小的排在前面。")


def _order_field():
    return forms.IntegerField(
        label=_("顺序"), min_value=0, max_value=32767, initial=0, help_text=ORDER_HELP,
        error_messages={"invalid": _("顺序请填写整数。"), "min_value": _("顺序不能小于 0。"), "max_value": _("顺序不能大于 32767。")},
    )


class DutyTemplateForm(CleanTextMixin, forms.Form):
    title = forms.CharField(
        label=_("职责"), max_length=200, error_messages={"required": _("请填写职责名称。"), "max_length": TOO_LONG},
        widget=forms.TextInput(attrs={"placeholder": _("例如：河道养护")}),
    )
    detail = forms.CharField(
        label=_("要求"), required=False, max_length=2000, error_messages={"max_length": TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    order = _order_field()


class GroupDutyForm(CleanTextMixin, forms.Form):
    title = forms.CharField(
        label=_("职责"), max_length=200, error_messages={"required": _("请填写职责名称。"), "max_length": TOO_LONG}
    )
    area = forms.CharField(
        label=_("责任区域"), required=False, max_length=200, error_messages={"max_length": TOO_LONG},
        widget=forms.TextInput(attrs={"placeholder": _("例如：第三村民组至河口段")}),
    )
    detail = forms.CharField(
        label=_("要求"), required=False, max_length=2000, error_messages={"max_length": TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    order = _order_field()
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True, help_text=_("取消勾选即停用：不再列入清单，已有记录保留。"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]


class DutyRecordForm(CleanTextMixin, forms.Form):
    duty = forms.ModelChoiceField(
        label=_("职责"), queryset=GroupDuty.objects.none(), empty_label=None,
        error_messages={"required": _("请选择职责。"), "invalid_choice": _("请选择本党小组在用的职责。")},
    )
    done_on = forms.DateField(
        label=_("日期"), widget=DATE_INPUT, error_messages={"required": _("请填写日期。"), "invalid": BAD_DATE}
    )
    note = forms.CharField(
        label=_("完成情况"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写完成情况。"), "max_length": TOO_LONG},
        help_text=_("做了什么、在哪里、多少人参加，最多 500 字。"),
    )

    def __init__(self, *args, duties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].queryset = duties
        self.fields["duty"].label_from_instance = lambda d: f"{d.title}（{d.area}）" if d.area else d.title


class AssessmentForm(CleanTextMixin, forms.Form):
    grade = forms.ChoiceField(
        label=_("评定"), choices=GroupAssessment.Grade.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请选择评定等次。"), "invalid_choice": _("请选择评定等次。")},
    )
    comment = forms.CharField(
        label=_("评语"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )
