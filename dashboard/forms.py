import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting

from .scoring import FLAGS

FLAG_CHOICES = [("", _("全部支部")), ("behind", _("有待督促事项")), ("held", _("已召开会议")),
                ("evaluated", _("已完成民主评议")), *FLAGS.items()]
SORT_CHOICES = [
    ("rank", _("按得分从高到低")),
    ("-rank", _("按得分从低到高")),
    ("name", _("按组织顺序")),
    ("talks", _("谈心谈话完成率从低到高")),
    ("reviews", _("对照检查提交率从低到高")),
    ("overdue", _("逾期整改事项从多到少")),
]
ITEM_STATE_CHOICES = [
    ("", _("全部事项")),
    ("overdue", _("已逾期")),
    ("open", _("未销号")),
    ("not_started", _("未开始")),
    ("in_progress", _("整改中")),
    ("pending", _("待核验")),
    ("closed", _("已销号")),
]


class ScopeForm(forms.Form):
    """Which node and season a dashboard page shows (GET parameters shared by every page)."""

    org = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=Meeting.Kind.choices)


class BranchFilterForm(forms.Form):
    flag = forms.ChoiceField(label=_("筛选"), required=False, choices=FLAG_CHOICES)
    q = forms.CharField(label=_("支部名称"), required=False, max_length=50)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_CHOICES)


class ItemFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=ITEM_STATE_CHOICES)
    q = forms.CharField(label=_("搜索"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("事项、责任人或支部")}))


class PeriodForm(forms.Form):
    """The period of seed 001's figures; defaults to the current year up to today."""

    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or dt.date(today.year, 1, 1)
        data["end"] = data.get("end") or today
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        if (data["end"] - data["start"]).days > 366 * 5:
            raise forms.ValidationError(_("统计区间最长 5 年。"))
        return data
