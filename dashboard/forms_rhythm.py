"""The rhythm board's GET forms (issue 18 item 2): which quarter, and the filter of its list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.rhythm import Quarter

from .forms_quarter import QuarterForm
from .rhythm_board import SORT_CHOICES, show_choices


class RhythmQuarterForm(QuarterForm):
    """The quarter shown: by default the running one (what is missing so far and what is still due),
    never one that has not begun."""

    def clean(self):
        if not self.data.get("year") and not self.data.get("quarter"):
            data = forms.Form.clean(self)
            data["chosen"] = Quarter.of(self.today)
            return data
        return super().clean()


class RhythmFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("筛选"), required=False)
    q = forms.CharField(label=_("支部名称"), required=False, max_length=50)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show"].choices = show_choices()
