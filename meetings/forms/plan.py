"""Forms of the plan."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin, ModelMultipleChoiceField, SearchField
from branchlife.views import int_or_none
from organizations.models import Member, Supervisor
from organizations.selectors import supervisors_in_reach

from .. import talks
from ..models import Meeting
from .fields import DATE, DATETIME, TIME, MembersField, QuotaField, branch_members


class MeetingForm(CleanTextMixin, forms.ModelForm):
    branch = forms.ModelChoiceField(label=_("党支部"), queryset=None, required=False)
    custom_talk_rules = forms.MultipleChoiceField(
        label=_("自定义必谈规则"), choices=list(talks.RULES.items()), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("仅在“谈心谈话规则”选“自定义”时使用"),
    )
    review_aspects_text = forms.CharField(
        label=_("对照检查的方面"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一个方面；默认是六个方面（参照安岳县青少年宫支部 2020 年度组织生活会）"),
    )
    supervisors = ModelMultipleChoiceField(
        label=_("督导"), queryset=Supervisor.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    recorders = MembersField(
        label=_("记录员"), queryset=Member.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("除书记和督导外，可在会上记录的党员"),
    )
    excellent_quota = QuotaField()

    class Meta:
        model = Meeting
        fields = [
            "kind", "theme", "year", "held_on", "starts_at", "place", "basis",
            "opinions_close_on", "talks_due_on", "self_reviews_due_on", "ballot_closes_at", "rectification_plans_due_on",
            "talk_rule_set", "claim_target_member", "claim_target_committee", "video_link",
        ]
        widgets = {
            "held_on": DATE, "starts_at": TIME, "opinions_close_on": DATE, "talks_due_on": DATE,
            "self_reviews_due_on": DATE, "ballot_closes_at": DATETIME, "rectification_plans_due_on": DATE,
        }

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            del self.fields["branch"]
            branch_id = instance.branch_id
            self.fields["supervisors"].initial = list(instance.supervisors.all())
            self.fields["recorders"].initial = list(instance.recorders.all())
            self.fields["custom_talk_rules"].initial = instance.custom_talk_rules
            self.fields["review_aspects_text"].initial = "\n".join(instance.review_aspects)
        else:
            self.fields["branch"].queryset = branches
            self.fields["branch"].required = True
            only = list(branches[:2]) if branches is not None else []
            if len(only) == 1:
                self.fields["branch"].initial = only[0]
            branch_id = self.data.get("branch") or (only[0].pk if len(only) == 1 else None)
            self.fields["review_aspects_text"].initial = "\n".join(instance.review_aspects)
            # The empty instance's year (None) would win over a field initial.
            self.initial["year"] = self.initial.get("year") or timezone.localdate().year
        if int_or_none(branch_id) is not None:
            self.fields["recorders"].queryset = branch_members(int_or_none(branch_id))
        # A supervisor named here sees the branch's meeting: only those in reach of the branch are offered
        # (and accepted); before a branch is chosen, those in reach of any branch offered.
        offered = [instance.branch] if instance.pk else list(branches if branches is not None else [])
        chosen = [b for b in offered if b.pk == int_or_none(branch_id)]
        self.fields["supervisors"].queryset = supervisors_in_reach(branches=chosen or offered)
        self.initial.setdefault("excellent_quota", instance.excellent_quota)
        members = branch_members(int_or_none(branch_id)).count() if int_or_none(branch_id) is not None else None
        self.fields["excellent_quota"].describe(
            self["excellent_quota"], candidates=members,
            sentence=_("按本支部现有 %(n)s 名党员计，优秀最多 %(count)s 名。"),
        )

    def clean_review_aspects_text(self):
        lines = [line.strip() for line in self.cleaned_data["review_aspects_text"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(_("请至少填写一个方面。"))
        if any(len(line) > 100 for line in lines):
            raise forms.ValidationError(_("每个方面不超过 100 字。"))
        return lines

    def service_fields(self) -> dict:
        data = {k: self.cleaned_data[k] for k in [*self.Meta.fields, "excellent_quota"]}
        data["custom_talk_rules"] = list(self.cleaned_data.get("custom_talk_rules") or [])
        data["review_aspects"] = self.cleaned_data["review_aspects_text"]
        return data


class MeetingFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("支部、主题或地点")}))
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部"))] + Meeting.Kind.choices)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), ("open", _("进行中")), ("closed", _("已召开"))]
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "search": self.cleaned_data["q"].strip(),
            "year": self.cleaned_data["year"],
            "kind": self.cleaned_data["kind"],
            "status": self.cleaned_data["status"],
        }


class ReadyForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("未完成事项说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("必谈未全部完成时必须写明原因"),
    )
