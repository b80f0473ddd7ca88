"""Forms of 征求意见."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin, MemberNameField, SearchField
from organizations.models import Member

from ..models import Opinion
from .fields import DATE, OPINION_LENGTH_MESSAGES, MemberChoiceField, branch_members


class MemberOpinionForm(CleanTextMixin, forms.Form):
    target_member = MemberChoiceField(
        label=_("针对"), queryset=Member.objects.none(), required=False, empty_label=_("支部班子"),
        help_text=_("不选则是对支部班子的意见"),
    )
    text = forms.CharField(
        label=_("意见建议"), min_length=5, max_length=Opinion.MAX_LENGTH, error_messages=OPINION_LENGTH_MESSAGES, widget=forms.Textarea(attrs={"rows": 5, "maxlength": Opinion.MAX_LENGTH})
    )
    is_anonymous = forms.BooleanField(
        label=_("匿名提交"), required=False,
        help_text=_("匿名意见不记录提交人、IP 地址和提交时间（只记日期），提交后连您自己也无法再查到是哪一条。"),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_member"].queryset = branch_members(meeting.branch_id)


class PublicOpinionForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label=_("您的意见建议"), min_length=5, max_length=Opinion.MAX_LENGTH, error_messages=OPINION_LENGTH_MESSAGES,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": Opinion.MAX_LENGTH}),
        help_text=_("5 至 1000 字"),
    )
    target_text = forms.CharField(
        label=_("针对的党员或班子（可不填）"), max_length=50, required=False,
        widget=forms.TextInput(attrs={"maxlength": 50}),
    )
    author_label = forms.CharField(
        label=_("署名（可不填）"), max_length=50, required=False, widget=forms.TextInput(attrs={"maxlength": 50}),
        help_text=_("不填即为匿名：系统不记录您的姓名、IP 地址或提交时间。"),
    )
    # A field people never see: bots fill it in.
    website = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)


class OfflineOpinionForm(CleanTextMixin, forms.Form):
    # Forum opinions are recorded on their forum's page, so that every one is counted with its forum.
    channel = forms.ChoiceField(
        label=_("渠道"),
        choices=[(c, Opinion.Channel(c).label) for c in Opinion.OFFLINE_CHANNELS if c != Opinion.Channel.FORUM],
    )
    received_on = forms.DateField(label=_("收到日期"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(
        label=_("意见建议"), min_length=5, max_length=Opinion.MAX_LENGTH, error_messages=OPINION_LENGTH_MESSAGES, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_anonymous = forms.BooleanField(label=_("匿名"), required=False, initial=True)
    author_label = forms.CharField(label=_("提出人（署名时）"), max_length=50, required=False)
    target_member = MemberChoiceField(label=_("针对"), queryset=Member.objects.none(), required=False, empty_label=_("支部班子"))
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("未分类"))] + Opinion.Category.choices, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_member"].queryset = branch_members(meeting.branch_id)


class OpinionSortForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("未分类"))] + Opinion.Category.choices, required=False)
    target_member = MemberChoiceField(label=_("针对"), queryset=Member.objects.none(), required=False, empty_label=_("支部班子"))
    merged_into = forms.ChoiceField(label=_("与哪条意见重复（合并）"), required=False)

    def __init__(self, *args, opinion, **kwargs):
        super().__init__(*args, **kwargs)
        self.opinion = opinion
        self.fields["target_member"].queryset = branch_members(opinion.meeting.branch_id)
        others = (
            Opinion.objects.filter(meeting_id=opinion.meeting_id, merged_into__isnull=True)
            .exclude(pk=opinion.pk)
            .order_by("received_on", "sort_key")
        )
        self._others = {str(o.pk): o for o in others}
        self.fields["merged_into"].choices = [("", _("不重复"))] + [(k, o.text[:40]) for k, o in self._others.items()]

    def clean_merged_into(self):
        value = self.cleaned_data.get("merged_into")
        return self._others.get(value) if value else None


class OpinionAnswerForm(CleanTextMixin, forms.Form):
    answer = forms.CharField(label=_("答复/办理情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(label=_("状态"), choices=Opinion.Status.choices)


class OpinionFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("内容或答复")}))
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("全部"))] + Opinion.Channel.choices)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + Opinion.Status.choices)
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), ("none", _("未分类"))] + Opinion.Category.choices
    )
    # Issue 23 item 5: the fixed choices stay a select, the member is typed (no dropdown of the whole branch).
    target = forms.ChoiceField(label=_("针对"), required=False, choices=[("", _("全部")), ("committee", _("支部班子"))])
    target_name = MemberNameField(label=_("针对（姓名）"), placeholder=_("姓名"))
    claimed = forms.ChoiceField(
        label=_("认领"), required=False, choices=[("", _("全部")), ("no", _("无人认领")), ("yes", _("已有人认领"))]
    )
    claimed_name = MemberNameField(label=_("认领人（姓名）"), placeholder=_("姓名"))

    # Links made when 针对 and 认领 listed every member carried the member's id there (?target=<id>).
    LEGACY = {"target": "target_name", "claimed": "claimed_name"}

    def __init__(self, data=None, *args, branch, **kwargs):
        if data is not None and any(str(data.get(old, "")).isdigit() for old in self.LEGACY):
            data = data.copy()
            for old, new in self.LEGACY.items():
                if str(data.get(old, "")).isdigit():
                    data[new] = data.get(new) or data[old]
                    data[old] = ""
        super().__init__(data, *args, **kwargs)
        self.fields["target_name"].branch = branch
        self.fields["claimed_name"].branch = branch

    def filters(self) -> dict:
        """selectors.opinions.opinion_list's filters; one that does not make sense is left out (its message
        shows), the others apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        d = self.cleaned_data
        return {
            "search": d.get("q") or "", "channel": d.get("channel") or "", "status": d.get("status") or "",
            "category": d.get("category") or "", "target": d.get("target") or "",
            "target_ids": d.get("target_name") or (), "claimed": d.get("claimed") or "",
            "claimed_ids": d.get("claimed_name") or (),
        }
