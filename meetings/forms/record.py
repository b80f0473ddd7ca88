"""Forms of the meeting itself (issue 5): attendance, agenda, the record."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branchlife.forms import AttendanceRowsMixin, CleanTextMixin, ModelMultipleChoiceField
from organizations.models import Supervisor

from ..models import AgendaItem, Attendance
from .fields import DATE


class AttendanceForm(AttendanceRowsMixin, CleanTextMixin, forms.Form):
    supervisors_present = ModelMultipleChoiceField(
        label=_("到会督导"), queryset=Supervisor.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, meeting, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors_present"].queryset = meeting.supervisors.all()
        self.fields["supervisors_present"].initial = list(meeting.supervisors_present.all())
        self.add_attendance_rows(
            members=members, existing={a.member_id: a for a in meeting.attendance.all()},
            choices=Attendance.Status.choices, attended=Attendance.ATTENDED,
        )

    def clean(self):
        data = super().clean()
        self.clean_attendance(data)
        return data

    def rows(self):
        from ..services.record import AttendanceInput

        return [AttendanceInput(member=m, status=status, reason=reason) for m, status, reason in self.attendance_rows()]


class AgendaItemForm(CleanTextMixin, forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("议程"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=AgendaItem.Kind.choices, required=False)


AgendaFormSet = forms.formset_factory(AgendaItemForm, extra=1, can_order=True, can_delete=True, max_num=20, absolute_max=30)


class RecordEntryForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("criticism", _("批评")), ("claim", _("当场认领")), ("commitment", _("承诺"))])
    member = forms.CharField(required=False, max_length=20)  # receiver / claimant / committer; "" = the committee
    giver = forms.CharField(required=False, max_length=20)
    giver_label = forms.CharField(label=_("提出人"), required=False, max_length=100)
    text = forms.CharField(label=_("内容"), max_length=5000, required=False)
    criticism = forms.IntegerField(required=False)
    due_on = forms.DateField(label=_("完成时限"), required=False, widget=DATE)
    client_id = forms.UUIDField(required=False)
    agenda_item = forms.IntegerField(required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not (data.get("kind") == "claim" and data.get("criticism")):
            self.add_error("text", _("请填写内容。"))
        return data


class NextStepsForm(CleanTextMixin, forms.Form):
    next_steps = forms.CharField(
        label=_("下一步工作打算"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一条，写入情况报告"),
    )
