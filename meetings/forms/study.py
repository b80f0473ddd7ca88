"""Forms of 会前学习."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin
from organizations.models import Member

from .fields import DATE, MembersField, branch_members


class StudySessionForm(CleanTextMixin, forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    topic = forms.CharField(label=_("学习主题"), max_length=200)
    form = forms.CharField(label=_("学习形式"), max_length=100, required=False, help_text=_("如：书记领读、分组讨论、交流发言"))
    materials = forms.CharField(label=_("学习材料"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attendees = MembersField(label=_("参加人员"), queryset=Member.objects.none(), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = branch_members(meeting.branch_id)
