from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchlife.forms import CleanTextMixin, DateTimeField, ModelMultipleChoiceField, SearchField
from meetings.forms import QuotaField

from .models import (
    Candidate,
    CommitteeGrade,
    Evaluation,
    FollowUpTalk,
    Grade,
    Handling,
    Qualification,
    Status,
)
from .services import BallotContent, Decision, PaperTotals


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EvaluationForm(forms.ModelForm):
    excellent_quota = QuotaField()

    class Meta:
        model = Evaluation
        fields = [
            "opens_at", "closes_at", "excellent_quota", "self_rating", "with_qualifications", "with_committee_rating",
            "with_peer_review",
        ]
        widgets = {"opens_at": DateTimeLocalInput(), "closes_at": DateTimeLocalInput()}
        # Year 1 or 9999 is a form error, not an OverflowError while the times are converted to UTC.
        field_classes = {"opens_at": DateTimeField, "closes_at": DateTimeField}

    def __init__(self, *args, started: bool = False, candidates: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            self.initial.setdefault("excellent_quota", self.instance.excellent_quota)
        self.fields["excellent_quota"].describe(
            self["excellent_quota"], candidates=candidates, sentence=_("按 %(n)s 名评议对象计，优秀最多 %(count)s 名。")
        )
        if started:
            # Once voting has started only the closing time may move (the service enforces it too).
            for name in self.fields:
                if name != "closes_at":
                    self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("投票截止时间须晚于开始时间。"))
        return data

    def _post_clean(self):
        # The service validates the model (and the rules around it); skip ModelForm's instance checks here.
        pass


class RosterForm(forms.Form):
    candidates = ModelMultipleChoiceField(
        label=_("评议对象"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    voters = ModelMultipleChoiceField(
        label=_("投票人"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = members
        self.fields["voters"].queryset = members


class CodeField(forms.CharField):
    """One code out of a fixed set. The template renders the radio buttons itself, so unlike ChoiceField
    this field carries no choices to normalize: building 30 of them per request is cheap."""

    def __init__(self, *, codes, **kwargs):
        self.codes = frozenset(codes)
        super().__init__(required=False, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value not in self.codes:
            raise ValidationError(_("选项无效。"), code="invalid_choice")


class CodesField(forms.Field):
    """Several codes out of a fixed set (checkboxes rendered by the template)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, codes, **kwargs):
        self.codes = frozenset(codes)
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return [str(v) for v in value] if value else []

    def validate(self, value):
        if not set(value) <= self.codes:
            raise ValidationError(_("选项无效。"), code="invalid_choice")


GRADE_CODES = frozenset(Grade.values)
QUALIFICATION_CODES = frozenset(Qualification.values)


class BallotForm(forms.Form):
    """One ballot: a grade per candidate, optional “four qualifications” marks, the committee rating.

    Fields are named g_<candidate id>, q_<candidate id>, committee_grade. Whether every candidate must be
    graded and the quota are the service's business, so that a refused ballot comes back with every
    choice as entered.
    """

    committee_grade = CodeField(codes=CommitteeGrade.values, label=_("对支部班子的总体评价"))

    def __init__(self, *args, evaluation: Evaluation, candidates: list[Candidate], skip_member_id=None, paper=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation, self.candidates, self.skip_member_id = evaluation, candidates, skip_member_id
        self.rows = []
        for c in candidates:
            skipped = skip_member_id is not None and c.member_id == skip_member_id
            if skipped:
                self.rows.append({"candidate": c, "skipped": True})
                continue
            self.fields[f"g_{c.pk}"] = CodeField(codes=GRADE_CODES, label=c.member.name)
            if evaluation.with_qualifications:
                self.fields[f"q_{c.pk}"] = CodesField(codes=QUALIFICATION_CODES, label=_("未达到"))
            self.rows.append({"candidate": c, "skipped": False})
        if not evaluation.with_committee_rating:
            del self.fields["committee_grade"]
        if paper:
            self.fields["spoiled"] = forms.BooleanField(
                label=_("这张票无法辨认或不符合要求（计为无效票）"), required=False
            )

    def bound_rows(self):
        for row in self.rows:
            c = row["candidate"]
            yield {
                **row,
                "grade": None if row["skipped"] else self[f"g_{c.pk}"],
                "value": None if row["skipped"] else (self[f"g_{c.pk}"].value() or ""),
                "unmet": self[f"q_{c.pk}"] if not row["skipped"] and f"q_{c.pk}" in self.fields else None,
                "unmet_values": (self[f"q_{c.pk}"].value() or []) if not row["skipped"] and f"q_{c.pk}" in self.fields else [],
            }

    def content(self) -> BallotContent:
        """What the (valid) form's ballot says: the same reading as the vote's lean path below."""
        return ballot_posted(self.data, evaluation=self.evaluation, candidates=self.candidates, skip_member_id=self.skip_member_id)


def ballot_posted(data, *, evaluation: Evaluation, candidates: list[Candidate], skip_member_id=None) -> BallotContent:
    """A ballot read straight from the submitted fields (g_<candidate id>, q_<candidate id>,
    committee_grade), as BallotForm's fields read them. The online vote takes this path without building
    the form's 30 fields first (issue 23: about 0.3 ms of a ballot's ~4 ms): nothing is checked here,
    services.ballot_cast checks every value the form would (the codes) and the rest (a grade for everyone,
    the quota), and a refusal brings the form back with its own messages."""
    grades, unmet = {}, {}
    for c in candidates:
        if skip_member_id is not None and c.member_id == skip_member_id:
            continue
        grade = (data.get(f"g_{c.pk}") or "").strip()
        if grade:
            grades[c.pk] = grade
            codes = set(data.getlist(f"q_{c.pk}")) if evaluation.with_qualifications else set()
            if codes:
                unmet[c.pk] = codes
    committee = (data.get("committee_grade") or "").strip() if evaluation.with_committee_rating else ""
    return BallotContent(grades=grades, unmet=unmet, committee_grade=committee)


def _count_input(*, narrow: bool = True) -> forms.NumberInput:
    # A narrow numeric box (bl-count-input, 4.5rem): 28 rows × 4 grades must fit a laptop, and bring up the
    # digit pad on a phone. A class, not a style attribute: the Content-Security-Policy refuses those.
    css = "form-control form-control-sm" + (" bl-count-input" if narrow else "")
    return forms.NumberInput(attrs={"class": css, "inputmode": "numeric", "min": 0})


class PeerReviewForm(forms.Form):
    """个人自评和党小组互评: one's own grade, then a grade for each other member of one's 党小组."""

    def __init__(self, *args, own: Candidate | None, peers: list[Candidate], **kwargs):
        super().__init__(*args, **kwargs)
        self.peers = peers
        if own is not None:
            self.fields["self_grade"] = CodeField(codes=GRADE_CODES, label=_("个人自评"))
        for c in peers:
            self.fields[f"g_{c.pk}"] = CodeField(codes=GRADE_CODES, label=c.member.name)

    def rows(self):
        """(label, bound field) for the template: oneself first, then the group."""
        out = [(_("我给自己的等次"), self["self_grade"])] if "self_grade" in self.fields else []
        return out + [(c.member.name, self[f"g_{c.pk}"]) for c in self.peers]

    def grades(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"g_{c.pk}") or "" for c in self.peers}


class PaperTotalsForm(forms.Form):
    ballots = forms.IntegerField(label=_("票箱中的票数"), min_value=1, widget=_count_input(narrow=False))
    invalid = forms.IntegerField(label=_("其中无效票"), min_value=0, initial=0, widget=_count_input(narrow=False))

    def __init__(self, *args, evaluation: Evaluation, candidates: list[Candidate], **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation, self.candidates = evaluation, candidates
        for c in candidates:
            for g in Grade:
                self.fields[f"c_{c.pk}_{g.value}"] = forms.IntegerField(
                    label=g.label, min_value=0, initial=0, required=False, widget=_count_input()
                )
            if evaluation.with_qualifications:
                for q in Qualification:
                    self.fields[f"u_{c.pk}_{q.value}"] = forms.IntegerField(
                        label=q.label, min_value=0, initial=0, required=False, widget=_count_input()
                    )
        if evaluation.with_committee_rating:
            for g in CommitteeGrade:
                self.fields[f"committee_{g.value}"] = forms.IntegerField(
                    label=g.label, min_value=0, initial=0, required=False, widget=_count_input(narrow=False)
                )

    def rows(self):
        for c in self.candidates:
            yield {
                "candidate": c,
                "cells": [self[f"c_{c.pk}_{g.value}"] for g in Grade],
                "unmet": [self[f"u_{c.pk}_{q.value}"] for q in Qualification] if self.evaluation.with_qualifications else [],
                "error_key": f"c_{c.pk}",
            }

    def committee_cells(self):
        return [self[f"committee_{g.value}"] for g in CommitteeGrade] if self.evaluation.with_committee_rating else []

    def add_error(self, field, error):
        # Per-candidate problems come back keyed c_<id>: show them on the candidate's 优秀 cell.
        if isinstance(field, str) and field.startswith("c_") and field not in self.fields:
            field = f"{field}_{Grade.EXCELLENT.value}"
        super().add_error(field, error)

    def totals(self) -> PaperTotals:
        data = self.cleaned_data
        counts = {c.pk: {g.value: data.get(f"c_{c.pk}_{g.value}") or 0 for g in Grade} for c in self.candidates}
        unmet = {}
        if self.evaluation.with_qualifications:
            unmet = {c.pk: {q.value: data.get(f"u_{c.pk}_{q.value}") or 0 for q in Qualification} for c in self.candidates}
        committee = {}
        if self.evaluation.with_committee_rating:
            committee = {g.value: data.get(f"committee_{g.value}") or 0 for g in CommitteeGrade}
        return PaperTotals(ballots=data["ballots"], invalid=data.get("invalid") or 0, counts=counts, unmet=unmet, committee=committee)


class PaperVotersForm(forms.Form):
    members = forms.MultipleChoiceField(label=_("投纸质票的党员"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = voters
        self.fields["members"].choices = [(str(v.member_id), v.member.name) for v in voters]


class DeterminationForm(CleanTextMixin, forms.Form):
    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.tally_rows = rows
        for r in rows:
            c = r.candidate
            self.fields[f"grade_{c.pk}"] = forms.ChoiceField(
                label=_("评定等次"), choices=[("", "—")] + Grade.choices, required=False,
                initial=c.final_grade or r.suggested,
            )
            self.fields[f"reason_{c.pk}"] = forms.CharField(
                label=_("理由"), required=False, initial=c.departure_reason,
                widget=forms.Textarea(attrs={"rows": 1, "placeholder": _("与建议不一致时必填")}),
            )
            self.fields[f"appraisal_{c.pk}"] = forms.CharField(
                label=_("一句话鉴定"), required=False, max_length=200, initial=c.appraisal
            )

    def bound_rows(self):
        for r in self.tally_rows:
            c = r.candidate
            yield {"tally": r, "grade": self[f"grade_{c.pk}"], "reason": self[f"reason_{c.pk}"], "appraisal": self[f"appraisal_{c.pk}"]}

    def decisions(self) -> dict[int, Decision]:
        data = self.cleaned_data
        return {
            r.candidate.pk: Decision(
                grade=data.get(f"grade_{r.candidate.pk}") or "",
                reason=data.get(f"reason_{r.candidate.pk}") or "",
                appraisal=data.get(f"appraisal_{r.candidate.pk}") or "",
            )
            for r in self.tally_rows
        }


class FollowUpTalkForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = FollowUpTalk
        fields = ["talked_on", "talked_by", "notes"]
        widgets = {"talked_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "notes": forms.Textarea(attrs={"rows": 3})}


class HandlingForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Handling
        fields = ["outcome", "decided_on", "decided_by_body", "correction_until", "notes"]
        widgets = {
            "decided_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "correction_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self):
        pass  # the service validates the row (full_clean), including the one-year limit


class PublishForm(forms.Form):
    ends_on = forms.DateField(label=_("公示截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    breakdown = forms.BooleanField(label=_("同时公示每位党员的得票明细"), required=False)
    risks_acknowledged = forms.BooleanField(label=_("我已知晓上述泄露风险，仍要公示得票明细"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].initial = timezone.localdate() + dt.timedelta(days=5)


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("回执码"), max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "XXXX-XXXX-XXXX", "autocomplete": "off", "autocapitalize": "characters"}),
    )


class EvaluationFilterForm(forms.Form):
    q = SearchField(label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("支部名称")}))
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + Status.choices + [("published", _("已公示"))]
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "search": self.cleaned_data.get("q") or "",
            "year": self.cleaned_data.get("year"),
            "status": self.cleaned_data.get("status") or "",
        }
