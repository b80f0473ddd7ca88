from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Member


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("花名册文件(.xlsx)"), help_text=_("请使用本页提供的模板,不超过 5 MB"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("文件超过 5 MB。"))
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("只接受 .xlsx 格式的表格(Excel 2007 及以后版本)。"))
        return f


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("姓名或电话")}))
    category = forms.ChoiceField(label=_("党员类别"), required=False, choices=[("", _("全部"))] + Member.Category.choices)
    in_service = forms.ChoiceField(
        label=_("在职/退休"), required=False, choices=[("", _("全部")), ("1", _("在职")), ("0", _("退休"))]
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        result = {"category": data.get("category")}
        if data.get("in_service") in ("0", "1"):
            result["in_service"] = data["in_service"] == "1"
        return result
