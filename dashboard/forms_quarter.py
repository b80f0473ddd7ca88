"""The quarter ranking's GET forms: which quarter, and the filter of its list (issue 18 item 5)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.rhythm import QUARTER_LABELS, Quarter

from .quarter_ranking import last_ended_quarter

SHOW_CHOICES = [
    ("", _("全部支部")),
    ("up", _("排位上升的支部")),
    ("down", _("排位下降的支部")),
    ("rhythm_missing", _("有三会一课未按期开展的支部")),
    ("not_held", _("年度组织生活会尚未召开的支部")),
    ("overdue", _("有逾期整改事项的支部")),
]
SORT_CHOICES = [
    ("rank", _("按得分从高到低")),
    ("-rank", _("按得分从低到高")),
    ("name", _("按组织顺序")),
    ("up", _("按上升位次从多到少")),
    ("down", _("按下降位次从多到少")),
    ("rhythm", _("三会一课得分从低到高")),
]


class QuarterForm(forms.Form):
    """The quarter shown: by default the last one that has ended; never one that has not begun."""

    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), required=False, coerce=int, empty_value=None,
                                     choices=[("", "—"), *QUARTER_LABELS.items()])

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        default = last_ended_quarter(self.today)
        quarter = Quarter(data.get("year") or default.year, data.get("quarter") or default.quarter)
        if quarter.start > self.today:
            raise forms.ValidationError(_("该季度尚未开始。"))
        data["chosen"] = quarter
        return data


class QuarterFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("筛选"), required=False, choices=SHOW_CHOICES)
    q = forms.CharField(label=_("支部名称"), required=False, max_length=50)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_CHOICES)
