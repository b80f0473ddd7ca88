"""Fields and widgets the meetings forms share."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branchlife.forms import ModelMultipleChoiceField
from organizations.models import Member

from ..quota import QUOTA_MAX_LENGTH, Quota

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


OPINION_LENGTH_MESSAGES = {
    "min_length": _("意见建议至少写 %(limit_value)d 个字，请把问题说具体一些（现在 %(show_value)d 个字）。"),
    "max_length": _("意见建议最多 %(limit_value)d 个字（现在 %(show_value)d 个字），请精简或分成几条提交。"),
}


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        post = obj.get_committee_post_display() if obj.committee_post else ""
        return f"{obj.name}（{post}）" if post else obj.name


class MembersField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def branch_members(branch_id):
    return Member.objects.filter(branch_id=branch_id, is_active=True).order_by("name", "id")


class QuotaField(forms.Field):
    """优秀比例上限 as people state it: "30%", "1/3", "三分之一"; empty is no cap (evaluations.policy.Quota).

    Shows its value the way it is typed ("1/3", not 33.33) and, beside the field, how many 优秀 that
    allows; static/js/quota.js updates that count as one types."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("优秀比例上限"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"maxlength": QUOTA_MAX_LENGTH, "autocomplete": "off", "data-quota-ratio": "", "placeholder": _("如 30% 或 1/3")}
        )

    def prepare_value(self, value):
        return value.text if isinstance(value, Quota) else value

    def to_python(self, value):
        return value if isinstance(value, Quota) else Quota.parse(value)

    def describe(self, bound_field, *, candidates: int | None, sentence: str) -> None:
        """The help text: the accepted forms and, for `candidates` people, the resulting number of 优秀 for
        the value shown (none while it does not read: the error says why). `sentence` says whom it counts,
        with %(n)s and %(count)s; quota.js fills in the count as one types."""
        explained = _("可填 30%、1/3 或“三分之一”；留空表示不设上限。")
        no_cap = _("不设上限。")
        self.widget.attrs.update(
            {"data-quota-help": explained, "data-quota-none": no_cap, "data-quota-invalid": _("请填写比例，如 30% 或 1/3。")}
        )
        result = ""
        if candidates is not None:
            self.widget.attrs["data-quota-candidates"] = candidates
            self.widget.attrs["data-quota-sentence"] = sentence % {"n": candidates, "count": "{count}"}
            try:
                quota = Quota.parse(bound_field.value())
            except forms.ValidationError:
                pass
            else:
                result = no_cap if quota is None else sentence % {"n": candidates, "count": quota.count(candidates)}
        # The bound field copied the help text when it was made (to read the value above): set both.
        self.help_text = bound_field.help_text = f"{explained} {result}".strip()
