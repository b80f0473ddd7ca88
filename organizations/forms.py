from django import forms
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin

from .models import Member, Organization


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("花名册文件（.xlsx）"), help_text=_("请使用本页提供的模板，不超过 5 MB"))
    open_accounts = forms.BooleanField(
        label=_("同时为新增的党员开通账号"),
        required=False,
        help_text=_("导入后显示每人的激活码，可下载打印成纸条。"),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("文件超过 5 MB。"))
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("只接受 .xlsx 格式的表格（Excel 2007 及以后版本）。"))
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


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("姓名或电话")}))
    status = forms.ChoiceField(label=_("账号状态"), required=False)

    def __init__(self, *args, statuses: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部"))] + list(statuses.items())


class OpenAccountsForm(forms.Form):
    """Which roster members get an account now: those ticked, or everyone not yet activated."""

    members = forms.ModelMultipleChoiceField(queryset=Member.objects.none(), required=False)
    everyone = forms.BooleanField(required=False)

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = branch.members.filter(is_active=True)
        self.fields["members"].error_messages["invalid_choice"] = _("所选党员不在本支部名册中，请刷新页面后重选。")

    def clean(self):
        data = super().clean()
        if not data.get("everyone") and not data.get("members"):
            raise forms.ValidationError(_("请先勾选要开通账号的党员，或选择“为全部未激活者开通”。"))
        return data

    def chosen(self):
        if self.cleaned_data.get("everyone"):
            return list(self.fields["members"].queryset)
        return list(self.cleaned_data["members"])


class OfficerForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    title = forms.CharField(label=_("职务"), max_length=100, required=False)


class SupervisorForm(CleanTextMixin, forms.Form):
    """A supervisor: who, from where, and which branches under the officer's node they follow."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    title = forms.CharField(label=_("职务"), max_length=100, required=False)
    organization = forms.ModelChoiceField(label=_("所在单位"), queryset=None, required=False)
    branches = forms.ModelMultipleChoiceField(
        label=_("联系督导的支部"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, within, **kwargs):
        super().__init__(*args, **kwargs)
        nodes = Organization.objects.filter(path__startswith=within.path).order_by("path")
        self.fields["organization"].queryset = nodes.exclude(level=Organization.Level.GROUP)
        self.fields["branches"].queryset = nodes.filter(level=Organization.Level.BRANCH)


class SupervisorBranchesForm(SupervisorForm):
    """Only the branches, for a supervisor who already exists."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "title", "organization"):
            del self.fields[name]
