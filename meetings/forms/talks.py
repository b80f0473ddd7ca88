"""Forms of 谈心谈话."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin, MemberNameField, SearchField
from organizations.models import Member

from ..models import Talk
from .fields import DATE, MemberChoiceField, branch_members


class TalkForm(CleanTextMixin, forms.Form):
    member_a = MemberChoiceField(label=_("谈话人"), queryset=Member.objects.none())
    member_b = MemberChoiceField(label=_("谈话对象（本支部党员）"), queryset=Member.objects.none(), required=False, empty_label=_("—— 支部以外的对象 ——"))
    other_kind = forms.ChoiceField(label=_("支部以外的对象"), choices=Talk.Other.choices, required=False)
    other_name = forms.CharField(label=_("对象姓名/单位"), max_length=100, required=False)
    held_on = forms.DateField(label=_("谈话日期"), widget=DATE, initial=timezone.localdate)
    topics = forms.CharField(label=_("谈话主题"), max_length=300)
    summary = forms.CharField(
        label=_("谈话要点"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("只有谈话双方和支部书记能看到"),
    )

    def __init__(self, *args, meeting, fixed_member=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = branch_members(meeting.branch_id)
        self.fields["member_a"].queryset = members
        self.fields["member_b"].queryset = members
        self.fixed_member = fixed_member
        if fixed_member is not None:
            self.fields["member_a"].initial = fixed_member.pk
            self.fields["member_a"].disabled = True

    def clean(self):
        data = super().clean()
        a, b, kind = data.get("member_a"), data.get("member_b"), data.get("other_kind")
        if self.fixed_member is not None and a and b and self.fixed_member.pk not in (a.pk, b.pk):
            self.add_error("member_b", _("只能记录自己参加的谈话。"))
        if not b and not kind:
            self.add_error("member_b", _("请选择谈话对象，或选择支部以外的对象类型。"))
        if a and b and a.pk == b.pk:
            self.add_error("member_b", _("不能与自己谈话。"))
        return data


class TalkDisputeForm(CleanTextMixin, forms.Form):
    """未进行/有异议 on a talk the other side recorded, with an optional short note."""

    note = forms.CharField(
        label=_("说明（可不填）"), max_length=Talk._meta.get_field("dispute_note").max_length, required=False,
    )


class TalkFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("姓名或主题")}))
    member = MemberNameField(label=_("党员"), placeholder=_("姓名"))

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].branch = branch

    def filters(self) -> dict:
        """selectors.talks.talk_list's filters; one that does not make sense is left out (its message shows)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        d = self.cleaned_data
        return {"search": d.get("q") or "", "member_ids": d.get("member") or ()}
