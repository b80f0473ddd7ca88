from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.forms import (
    CleanTextMixin,
    MemberNameField,
    ModelMultipleChoiceField,
    MultipleFileField,
    SearchField,
)
from organizations.models import Member

from . import selectors, services
from .models import PROBLEM_TEXT_MAX, FollowUpReview, PrintJob, Problem, RectificationItem
from .themes import Theme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The bounds of what is printed (models.PROBLEM_TEXT_MAX, ITEM_*_MAX), said with the count typed.
TOO_LONG = _("最多 %(limit_value)d 个字（现在 %(show_value)d 个字），请精简后再保存。")


class LedgerFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("事项、措施或责任人")}))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + RectificationItem.Status.choices)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    # Issue 23 item 5: a name typed (part of it is enough), not a dropdown of every member of the branch.
    person = MemberNameField(label=_("责任人"), placeholder=_("输入姓名"))
    source = forms.ChoiceField(label=_("问题来源"), required=False, choices=[("", _("全部"))] + Problem.SourceKind.choices)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("deadline", _("时限由近到远")),
            ("-deadline", _("时限由远到近")),
            ("status", _("按状态")),
            ("person", _("按责任人")),
            ("updated", _("最近更新")),
        ],
    )

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].branch = branch

    def filters(self) -> selectors.LedgerFilters:
        if not self.is_bound:
            return selectors.LedgerFilters()
        self.is_valid()  # a filter that does not make sense is left out (with its message); the others apply
        d = self.cleaned_data
        return selectors.LedgerFilters(
            status=d.get("status") or "",
            overdue=bool(d.get("overdue")),
            person_ids=d.get("person") or (),
            source=d.get("source") or "",
            search=(d.get("q") or "").strip(),
            sort=d.get("sort") or "deadline",
        )


class ProblemForm(CleanTextMixin, forms.Form):
    member = forms.ModelChoiceField(
        label=_("党员"), required=False, queryset=Member.objects.none(), empty_label=_("（支部班子）")
    )
    aspect = forms.CharField(label=_("方面"), required=False, max_length=50)
    text = forms.CharField(
        label=_("问题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=PROBLEM_TEXT_MAX,
        error_messages={"max_length": TOO_LONG},
        help_text=_("写清一个具体问题，最多 %(n)s 字。") % {"n": PROBLEM_TEXT_MAX},
    )

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.members_of(branch=branch)


class ProblemMergeForm(forms.Form):
    target = forms.ModelChoiceField(label=_("合并到"), queryset=Problem.objects.none())
    others = ModelMultipleChoiceField(
        label=_("要合并的问题"), queryset=Problem.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Problem.objects.filter(meeting=meeting, merged_into__isnull=True).select_related("member")
        self.fields["target"].queryset = qs
        self.fields["others"].queryset = qs
        label = lambda p: f"{p.member.name if p.member else _('支部班子')}:{p.text[:40]}"  # noqa: E731
        self.fields["target"].label_from_instance = label
        self.fields["others"].label_from_instance = label


class ItemForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = RectificationItem
        fields = ["problems", "title", "goal", "measures", "responsible", "deadline", "commitment"]
        field_classes = {"problems": ModelMultipleChoiceField}
        widgets = {
            "problems": forms.CheckboxSelectMultiple,
            "goal": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 4, "placeholder": _("每行一条措施")}),
            "commitment": forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：我承诺立行立改，按期完成，接受群众监督。")}),
            "deadline": DATE_INPUT,
        }
        help_texts = {"measures": _("每行一条，写具体：能“一定”就不说“尽量”。")}
        error_messages = {name: {"max_length": TOO_LONG} for name in ("title", "goal", "measures", "commitment")}

    def __init__(self, *args, branch, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = selectors.members_of(branch=branch)
        problems = Problem.objects.filter(meeting__branch=branch, merged_into__isnull=True).select_related("member")
        if meeting is not None:
            problems = problems.filter(meeting=meeting)
        self.fields["problems"].queryset = problems
        self.fields["problems"].label_from_instance = (
            lambda p: f"{p.member.name if p.member else _('支部班子')}【{p.get_source_kind_display()}】{p.text[:50]}"
        )
        self.fields["problems"].required = False

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if self.instance.pk is None and deadline < timezone.localdate():
            raise ValidationError(_("完成时限不能早于今天。"))
        return deadline


class OwnIdsMixin:
    """The item page shows several of these forms at once: give each its own element ids so every label
    points at its own field (they all have a `note`)."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ProgressForm(CleanTextMixin, OwnIdsMixin, forms.Form):
    id_prefix = "progress"
    note = forms.CharField(label=_("进展说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    files = MultipleFileField(
        label=_("佐证材料（可选）"),
        required=False,
        help_text=_("可不上传。支持 jpg、png、pdf、docx、xlsx，每个不超过 10 MB，最多 5 个。"),
    )

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > services.EVIDENCE_MAX_FILES:
            raise ValidationError(_("每次最多上传 %(n)s 个文件。") % {"n": services.EVIDENCE_MAX_FILES})
        for f in files:
            services.evidence_check(f)
        return files


class SubmitForm(CleanTextMixin, OwnIdsMixin, forms.Form):
    id_prefix = "submit"

    note = forms.CharField(label=_("完成情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CloseForm(CleanTextMixin, OwnIdsMixin, forms.Form):
    id_prefix = "close"

    note = forms.CharField(label=_("核验意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ReopenForm(CleanTextMixin, OwnIdsMixin, forms.Form):
    id_prefix = "reopen"

    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class FollowUpForm(CleanTextMixin, OwnIdsMixin, forms.ModelForm):
    id_prefix = "followup"

    class Meta:
        model = FollowUpReview
        fields = ["reviewed_on", "result", "note"]
        widgets = {"reviewed_on": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}


class PrintJobForm(forms.Form):
    kind = forms.ChoiceField(label=_("打印内容"), choices=PrintJob.Kind.choices, initial=PrintJob.Kind.CARDS)
    layout = forms.ChoiceField(label=_("提醒卡版式"), choices=PrintJob.Layout.choices, initial=PrintJob.Layout.A6,
                               required=False, help_text=_("A4 四合一：用普通打印机双面打印（长边翻转），沿虚线裁成四张。"))
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100,
                              help_text=_("留空表示各支部最近一次组织生活会"))

    def clean_layout(self):
        return self.cleaned_data.get("layout") or PrintJob.Layout.A6


class ProblemThemeForm(forms.Form):
    """The secretary's correction of a problem's theme (issue 20); empty hands it back to the keyword rule."""

    theme = forms.ChoiceField(
        label=_("主题"), required=False, choices=[("", _("按规则自动"))] + list(Theme.choices),
        error_messages={"invalid_choice": _("请选择列表中的主题。")},
    )
