"""Forms of the member's year and of the county's 先锋指数 (issue 18 item 4)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .pioneer_index import FACTS, MAX_POINTS, clean_weights


class YearForm(forms.Form):
    """Which year a member's page shows (GET)."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)

    def __init__(self, data=None, *, years: list[int]):
        super().__init__(data)
        self.fields["year"].choices = [(y, _("%(y)s年") % {"y": y}) for y in years]
        self.default = years[0]

    def chosen_year(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return self.default


class PioneerIndexForm(forms.Form):
    """A county turns its 先锋指数 on or off and publishes the points per unit of each fact."""

    enabled = forms.BooleanField(label=_("启用先锋指数"), required=False)

    def __init__(self, data=None, *, setting=None):
        initial = {"enabled": bool(setting and setting.enabled)}
        weights = clean_weights(setting.weights if setting else {})
        super().__init__(data, initial=initial)
        for key, fact in FACTS.items():
            self.fields[key] = forms.DecimalField(
                label=fact.field_label,
                min_value=Decimal(0),
                max_value=MAX_POINTS,
                max_digits=4,
                decimal_places=1,
                initial=weights[key],
                required=False,
            )

    @property
    def weight_fields(self):
        return [self[fact] for fact in FACTS]

    def weights(self) -> dict[str, Decimal]:
        return {fact: self.cleaned_data.get(fact) or Decimal(0) for fact in FACTS}
