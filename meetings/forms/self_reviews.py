"""Forms of 对照检查材料."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin, SearchField

from ..models import SelfReview


class SelfReviewForm(CleanTextMixin, forms.Form):
    root_causes = forms.CharField(label=_("原因剖析"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    measures = forms.CharField(label=_("整改措施"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    direction = forms.CharField(label=_("努力方向"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ProblemForm(CleanTextMixin, forms.Form):
    aspect = forms.ChoiceField(label=_("方面"), required=False)
    text = forms.CharField(label=_("存在问题"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.CharField(label=_("整改措施"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, aspects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aspect"].choices = [("", _("请选择方面"))] + [(a, a) for a in aspects]


ProblemFormSet = forms.formset_factory(ProblemForm, extra=0, max_num=50, absolute_max=60, validate_max=True)


class ReviewDecisionForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核"), choices=[("approve", _("审核通过")), ("return", _("退回修改"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class SelfReviewFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("姓名")}))
    status = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[("", _("全部")), ("missing", _("未提交（含草稿、退回）"))] + SelfReview.Status.choices,
    )
