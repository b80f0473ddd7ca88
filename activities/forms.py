from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.forms import AttendanceRowsMixin, CleanTextMixin, MultipleFileField, SearchField
from branchlife.views import apply_validation_error
from organizations.models import Member, Organization

from . import services
from .models import Activity, ActivityAttendance, Kind, Period

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(AttendanceRowsMixin, CleanTextMixin, forms.ModelForm):
    """One record, typed on a phone right after the event: kind, date and topic, who led it, the roll
    (everyone present unless changed), what was done, optional photos."""

    photos = MultipleFileField(label=_("照片（可选）"), required=False, accept="image/*")

    class Meta:
        model = Activity
        fields = ["kind", "party_group", "held_on", "topic", "place", "led_by", "service", "others_count", "minutes"]
        widgets = {
            "held_on": DATE,
            "minutes": forms.Textarea(attrs={"rows": 3}),
            "service": forms.TextInput(attrs={"placeholder": _("如：义务耕种 31 亩、清理河道 2 公里")}),
        }

    def __init__(self, *args, branch: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.branch = branch
        groups = Organization.objects.filter(path__startswith=branch.path, depth=branch.depth + 1, level=Organization.Level.GROUP)
        self.fields["party_group"].queryset = groups
        self.fields["party_group"].required = False
        self.fields["party_group"].help_text = _("党小组会须选择")
        members = list(Member.objects.filter(branch=branch, is_active=True).order_by("id"))
        self.fields["led_by"].queryset = Member.objects.filter(branch=branch, is_active=True)
        self.fields["others_count"].required = False
        if not self.instance.pk:
            self.fields["held_on"].initial = timezone.localdate
        existing = {a.member_id: a for a in self.instance.attendance.all()} if self.instance.pk else {}
        self.add_attendance_rows(
            members=members, existing=existing, choices=ActivityAttendance.Status.choices, attended=ActivityAttendance.ATTENDED
        )
        self.all_members = members

    def clean_others_count(self):
        return self.cleaned_data.get("others_count") or 0

    def clean(self):
        data = super().clean()
        # The roll of a 党小组会 is its group: the other members' rows are not part of the record.
        self.members = services.on_roll(self.all_members, kind=data.get("kind"), party_group=data.get("party_group"))
        self.clean_attendance(data)
        try:
            services.activity_clean(branch=self.branch, data=data)
        except ValidationError as exc:
            apply_validation_error(self, exc)
        return data

    def save(self, commit=True):  # the service saves (roll and all)
        raise NotImplementedError


class ActivityFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部类型")), *Kind.choices], required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    q = SearchField(label=_("搜索"), required=False)


class RhythmRulesForm(forms.Form):
    """Per kind: inherit (from above, or the default), or the node's own period and number."""

    def __init__(self, *args, current: dict, own: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            rule = own.get(kind) or current[kind]
            self.fields[f"own_{kind}"] = forms.BooleanField(label=label, required=False, initial=kind in own)
            self.fields[f"period_{kind}"] = forms.ChoiceField(label=_("周期"), choices=Period.choices, initial=rule.period)
            self.fields[f"times_{kind}"] = forms.IntegerField(label=_("至少次数"), min_value=0, max_value=31, initial=rule.times)

    def rows(self):
        return [(label, self[f"own_{k}"], self[f"period_{k}"], self[f"times_{k}"]) for k, label in Kind.choices]

    def rules(self) -> dict:
        d = self.cleaned_data
        return {k: (d[f"period_{k}"], d[f"times_{k}"]) if d[f"own_{k}"] else None for k in Kind.values}


class WorkTipForm(CleanTextMixin, forms.Form):
    month = forms.DateField(label=_("月份"), widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            input_formats=["%Y-%m", "%Y-%m-%d"])
    text = forms.CharField(label=_("本月工作提示"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6}))
