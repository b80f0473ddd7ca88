"""Forms of 座谈会."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin, ModelMultipleChoiceField
from organizations.models import Member, Supervisor

from ..models import Opinion
from .fields import DATE, OPINION_LENGTH_MESSAGES, MemberChoiceField, branch_members


class SupervisorsField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.title}）" if obj.title else obj.name


class ForumForm(CleanTextMixin, forms.Form):
    held_on = forms.DateField(label=_("召开日期"), widget=DATE, initial=timezone.localdate)
    topic = forms.CharField(label=_("座谈主题"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    member_participants = forms.IntegerField(label=_("党员参加人数"), min_value=0, max_value=100000)
    other_participants = forms.IntegerField(
        label=_("群众等其他人员"), min_value=0, max_value=100000, initial=0, help_text=_("群众、服务对象等，没有可填 0")
    )
    supervisors = SupervisorsField(
        label=_("参加的督导"), queryset=Supervisor.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("本次会议或本支部的督导"),
    )
    notes = forms.CharField(label=_("备注"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, supervisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = supervisors
        if not supervisors.exists():
            del self.fields["supervisors"]


class ForumOpinionForm(CleanTextMixin, forms.Form):
    """The quick form on a forum's page: one opinion heard there, perhaps answered on the spot."""

    STATUS_CHOICES = [
        ("", _("未当场答复（待办理）")),
        (Opinion.Status.ANSWERED, _("当场答复")),
        (Opinion.Status.RESOLVED, _("已解决")),
    ]

    text = forms.CharField(
        label=_("意见建议"), min_length=5, max_length=Opinion.MAX_LENGTH, error_messages=OPINION_LENGTH_MESSAGES,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Opinion.MAX_LENGTH}),
    )
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("未分类"))] + Opinion.Category.choices, required=False)
    target_member = MemberChoiceField(label=_("针对"), queryset=Member.objects.none(), required=False, empty_label=_("支部班子"))
    status = forms.ChoiceField(label=_("当场答复"), choices=STATUS_CHOICES, required=False)
    answer = forms.CharField(
        label=_("答复/办理情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("当场答复或已经解决的，写明答复内容"),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_member"].queryset = branch_members(meeting.branch_id)

    def clean(self):
        data = super().clean()
        if data.get("answer", "").strip() and not data.get("status"):
            # "未当场答复" with an answer typed is ambiguous; the figures count only what was answered.
            self.add_error("status", _("填写了答复，请选择“当场答复”或“已解决”；未当场答复的请不要填写答复。"))
        return data
