"""Form fields shared by the apps."""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organizations.selectors import member_ids_named, member_name_naming_only

# C0 control characters other than tab and newline (a carriage return is turned into a newline first).
# Nobody types them; pasted or posted on purpose they break exports (openpyxl refuses them), PDFs and
# PostgreSQL (NUL).
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b-\x1f]")


def without_control_characters(value: str) -> str:
    return CONTROL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class CleanTextMixin:
    """For every form that takes text from people: its text fields (CharField and subclasses, so also a
    model's TextField) lose control characters before anything else reads them.

    Done on the submitted data, just before cleaning, so that it covers fields a form adds in its own
    __init__ and what is shown again when the form has errors."""

    def full_clean(self):
        if self.is_bound:
            self.data = self._without_control_characters(self.data)
        super().full_clean()

    def _without_control_characters(self, data):
        multi = hasattr(data, "getlist")  # a QueryDict, or a plain dict (the autosave views' JSON)
        changed = {}
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if not isinstance(field, forms.CharField) or key not in data:
                continue
            values = data.getlist(key) if multi else [data[key]]
            cleaned = [without_control_characters(v) if isinstance(v, str) else v for v in values]
            if cleaned != values:
                changed[key] = cleaned
        if not changed:
            return data
        data = data.copy()  # the request's QueryDict is immutable; its copy is not
        for key, values in changed.items():
            if multi:
                data.setlist(key, values)
            else:
                data[key] = values[0]
        return data


# A search term is a few words. Without a cap one ?q= of a megabyte makes SQLite give up on the LIKE
# pattern ("pattern too complex", a 500) and costs PostgreSQL a long scan.
SEARCH_MAX_LENGTH = 100


def search_term(value) -> str:
    """A list page's search term: without NUL (PostgreSQL refuses it in a query), trimmed, capped."""
    return str(value or "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


class SearchField(forms.CharField):
    """The ?q= of a filter form: never invalid (a list shows its rows whatever is typed), capped by search_term."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)  # the input's maxlength; to_python has cut it already
        super().__init__(**kwargs)

    def to_python(self, value):
        return search_term(super().to_python(value))

    def bound_data(self, data, initial):
        return search_term(data)  # the search box shows what was searched for, not the megabyte sent


# Dates people enter belong to the app's years, as the year fields do (2000–2100). Year 1 is a typing
# error, and at the ends of Python's calendar converting to UTC or adding a day raises OverflowError.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class MemberNameField(SearchField):
    """A list filter's member, typed rather than picked from a dropdown of the whole branch (issue 23 item 5):
    part of a name, or a member's id (what links carry), resolved by organizations.selectors.member_ids_named
    to the matching ids of the branch the form sets as `branch` (one query, only when something is typed).
    A name nobody in the branch has is this field's error; the text typed stays in the box and the form's
    other filters still apply. The talks' 党员, the opinions' 针对 and 认领人 and the ledger's 责任人 use it."""

    branch = None

    def __init__(self, *, placeholder, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": placeholder, "autocomplete": "off"}))
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        """A member's id from a link shows in the box as their name, where the name finds them alone (two
        queries, only when an id was given): 王芳, not 4821. Otherwise what was typed stays as it was."""
        text = (data or "").strip() if isinstance(data, str) else ""
        if self.branch is not None and text.isdigit():
            return member_name_naming_only(branch=self.branch, text=text) or data
        return data

    def clean(self, value) -> tuple[int, ...]:
        text = super().clean(value)
        if not text:
            return ()
        ids = member_ids_named(branch=self.branch, text=text)
        if not ids:
            raise ValidationError(_("本支部没有姓名包含“%(name)s”的党员。"), params={"name": text})
        return ids


class DateTimeField(forms.DateTimeField):
    default_error_messages = {
        "out_of_range": _("日期超出范围。请填写 %(earliest)s 至 %(latest)s 之间的日期。"),
    }

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise ValidationError(
                self.error_messages["out_of_range"], code="out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, except that an id too large for the database's integers is an invalid choice.

    Django checks each submitted id with a query and turns ValueError and TypeError into "invalid
    choice", but on SQLite a 20-digit id raises OverflowError from the driver: a 500 instead of a
    message next to the field, and whatever the user had entered lost."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            too_large = next((v for v in value if str(v).strip().lstrip("-").isdigit() and abs(int(v)) >= 2**63), value)
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": too_large}
            ) from None


class AttendanceRowsMixin:
    """The roll of a meeting or a 三会一课 record: per member a status (present unless changed) and a reason,
    which whoever did not attend must give. Rendered by templates/includes/_attendance_rows.html."""

    def add_attendance_rows(self, *, members, existing: dict, choices, attended) -> None:
        self.members, self.existing, self.attended = members, existing, attended
        for m in members:
            a = existing.get(m.pk)
            self.fields[f"status_{m.pk}"] = forms.ChoiceField(
                label=m.name, choices=choices, initial=a.status if a else choices[0][0], widget=forms.RadioSelect,
            )
            self.fields[f"reason_{m.pk}"] = forms.CharField(
                label=_("原因"), required=False, max_length=200, initial=a.reason if a else "",
                widget=forms.TextInput(attrs={"placeholder": _("缺席、请假须填原因")}),
            )

    def member_rows(self):
        return [(m, self[f"status_{m.pk}"], self[f"reason_{m.pk}"], self.existing.get(m.pk)) for m in self.members]

    def clean_attendance(self, data) -> None:
        for m in self.members:
            status, reason = data.get(f"status_{m.pk}"), (data.get(f"reason_{m.pk}") or "").strip()
            if status and status not in self.attended and not reason:
                self.add_error(f"reason_{m.pk}", _("请注明原因。"))
        missing = [m.name for m in self.members if f"reason_{m.pk}" in self.errors]
        if missing:
            self.add_error(None, _("缺席或请假须注明原因：%(names)s。") % {"names": "、".join(missing)})

    def attendance_rows(self) -> list[tuple]:
        """(member, status, reason) for every member on the roll."""
        return [
            (m, self.cleaned_data[f"status_{m.pk}"], self.cleaned_data.get(f"reason_{m.pk}", "").strip())
            for m in self.members
        ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several optional files in one input (evidence, photos): a list of uploads."""

    def __init__(self, *args, accept: str = ".jpg,.jpeg,.png,.pdf,.docx,.xlsx", **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []
