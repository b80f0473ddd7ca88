from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import gongwen


class GongwenForm(forms.Form):
    """A download's 公文 options, read from its query string (the options page submits them by GET)."""

    red_header = forms.ChoiceField(
        label=_("红头"),
        required=False,
        choices=[("", _("按本县设置")), ("1", _("加红头")), ("0", _("不加红头"))],
    )
    doc_number = forms.CharField(
        label=_("发文字号"),
        required=False,
        # Checked in clean_doc_number with a message that says how long it is; the browser limit only helps.
        widget=forms.TextInput(attrs={"placeholder": _("如：水阜机党〔2026〕3号"), "maxlength": gongwen.DOC_NUMBER_MAX}),
        help_text=_("可不填；年份写在六角括号〔〕内，输入 [2026] 也会自动改为〔2026〕。"),
    )

    def clean_doc_number(self):
        try:
            return gongwen.clean_doc_number(self.cleaned_data.get("doc_number", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def options(self, *, branch, day) -> gongwen.Options:
        """The options of a valid form; the 红头 left to the county's setting when not chosen."""
        choice = self.cleaned_data.get("red_header", "")
        red = gongwen.red_header_default(branch) if choice == "" else choice == "1"
        return gongwen.Options(
            red_header=red, doc_number=self.cleaned_data.get("doc_number", ""), organ=gongwen.organ_name(branch), day=day
        )
