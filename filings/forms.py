"""Forms of the upward review: what the branch adds when it sends, and the reviewer's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin, MultipleFileField

from .models import ReviewLevel
from .services import ATTACHMENT_ACCEPT


class SubmitForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("报送说明（可选）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("重新报送时，可说明按驳回原因修改了哪些内容。"),
    )
    attachments = MultipleFileField(
        label=_("附件（可选）"), required=False, accept=ATTACHMENT_ACCEPT,
        help_text=_("PDF、图片、Word 或 Excel，每个不超过 10 MB，最多 5 个。不要求上传照片等留痕材料。"),
    )

    def __init__(self, *args, with_attachments: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_attachments:
            del self.fields["attachments"]


class ReviewForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), widget=forms.RadioSelect,
        choices=[("approve", _("审核通过")), ("return", _("退回修改"))],
    )
    reason = forms.CharField(
        label=_("驳回原因或审核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填，支部会看到这段话。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("退回时请填写驳回原因。"))
        return data


class ReviewLevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("审核层级"), required=False,
        choices=[("", _("沿用上级或系统默认设置"))] + list(ReviewLevel.choices),
    )
