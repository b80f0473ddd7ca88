"""党小组长责任清单 (issue 18 item 3): the branch's page of its groups' lists, a group's page (recording what
was done, on a phone), the list's editing, the quarterly assessment, and the officer's templates.

Every view: permission (on the branch, whose the groups are) → form → one call into activities.duties →
redirect; with errors the form comes back with what was typed and a 400."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife.views import apply_validation_error, get_for_user
from organizations.models import Organization

from .. import duties
from ..duties_forms import AssessmentForm, DutyRecordForm, DutyTemplateForm, GroupDutyForm
from ..models import DutyRecord, DutyTemplate, GroupAssessment, GroupDuty

BRANCH = {"level": Organization.Level.BRANCH}


# ---------------------------------------------------------------- access
def _branch(request, branch_pk: int, perm: str) -> Organization:
    return get_for_user(request.user, perm, Organization, pk=branch_pk, **BRANCH)


def _group(request, group_pk: int, perm: str) -> tuple[Organization, Organization]:
    """A party group and its branch; 404 if no such group, 403 unless `perm` holds on the branch."""
    group = get_object_or_404(Organization, pk=group_pk, level=Organization.Level.GROUP)
    branch = duties.branch_of_group(group)
    if branch is None:
        raise Http404
    if not request.user.has_perm(perm, branch):
        raise PermissionDenied
    return group, branch


def _duty(request, pk: int, perm: str) -> tuple[GroupDuty, Organization]:
    duty = get_object_or_404(GroupDuty.objects.select_related("party_group"), pk=pk)
    _group_, branch = _group(request, duty.party_group_id, perm)
    return duty, branch


def _quarter(request) -> duties.Quarter:
    today = timezone.localdate()
    return duties.quarter_parse(request.GET.get("quarter"), today=today) or duties.Quarter.of(today)


def _group_url(group, quarter: duties.Quarter | None = None) -> str:
    url = reverse("activities:duty_group", args=[group.pk])
    return f"{url}?quarter={quarter.value}" if quarter else url


def _quarter_context(quarter: duties.Quarter) -> dict:
    choices = duties.quarter_choices(today=timezone.localdate())
    if quarter not in choices:
        choices.append(quarter)
    return {"quarter": quarter, "quarters": choices}


# ---------------------------------------------------------------- the branch's page
@login_required
def branch_duties(request, branch_pk):
    branch = _branch(request, branch_pk, "activities.view_duties")
    quarter = _quarter(request)
    groups = duties.branch_duties(branch=branch, quarter=quarter)
    can_record = request.user.has_perm("activities.record_duty", branch)
    missing = duties.duties_missing_count(branch=branch, groups=[g.group for g in groups]) if can_record else 0
    return render(request, "activities/duties/branch.html", {
        "branch": branch, "groups": groups, "missing": missing, "can_record": can_record,
        "can_assess": request.user.has_perm("activities.assess_groups", branch),
        **_quarter_context(quarter),
    })


@login_required
@require_POST
def branch_duties_ensure(request, branch_pk):
    branch = _branch(request, branch_pk, "activities.record_duty")
    n = duties.duties_ensure(branch=branch)
    if n:
        messages.success(request, _("已为各党小组加入 %(n)s 项上级下发的职责。") % {"n": n})
    else:
        messages.info(request, _("各党小组已有全部上级下发的职责。"))
    return redirect("activities:duties", branch_pk=branch.pk)


# ---------------------------------------------------------------- a group's page, and recording what was done
@login_required
def group_duties(request, group_pk):
    group, branch = _group(request, group_pk, "activities.view_duties")
    quarter = _quarter(request)
    can_record = request.user.has_perm("activities.record_duty", branch)
    form = None
    if can_record:
        form = DutyRecordForm(initial={"done_on": timezone.localdate()}, duties=_active_duties(group))
    return _render_group(request, group, branch, quarter, form, can_record)


def _active_duties(group):
    return GroupDuty.objects.filter(party_group=group, is_active=True).order_by("order", "id")


def _render_group(request, group, branch, quarter, form, can_record, status=200):
    entry = duties.branch_duties(branch=branch, quarter=quarter, group=group)[0]
    return render(request, "activities/duties/group.html", {
        "branch": branch, "group": group, "entry": entry, "form": form, "can_record": can_record,
        "can_assess": request.user.has_perm("activities.assess_groups", branch),
        **_quarter_context(quarter),
    }, status=status)


@login_required
def duty_record_create(request, group_pk):
    group, branch = _group(request, group_pk, "activities.record_duty")
    initial = {"done_on": timezone.localdate(), "duty": request.GET.get("duty")}
    form = DutyRecordForm(request.POST or None, initial=initial, duties=_active_duties(group))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record = duties.duty_record_add(duty=d["duty"], done_on=d["done_on"], note=d["note"], user=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已记录：%(duty)s。") % {"duty": record.duty.title})
            return redirect(_group_url(group, duties.Quarter.of(record.done_on)))
    return render(request, "activities/duties/record_form.html", {"branch": branch, "group": group, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def duty_record_delete(request, pk):
    record = get_object_or_404(DutyRecord.objects.select_related("duty__party_group"), pk=pk)
    group, _branch_ = _group(request, record.duty.party_group_id, "activities.record_duty")
    duties.duty_record_delete(record=record)
    messages.success(request, _("已删除这条记录。"))
    return redirect(_group_url(group, duties.Quarter.of(record.done_on)))


# ---------------------------------------------------------------- the branch edits a group's list
@login_required
def group_duty_create(request, group_pk):
    group, branch = _group(request, group_pk, "activities.record_duty")
    form = GroupDutyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            duties.group_duty_add(party_group=group, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已添加职责。"))
            return redirect(_group_url(group))
    return render(request, "activities/duties/duty_form.html",
                  {"branch": branch, "group": group, "form": form, "title": _("添加职责")},
                  status=400 if request.method == "POST" else 200)


@login_required
def group_duty_edit(request, pk):
    duty, branch = _duty(request, pk, "activities.record_duty")
    initial = {f: getattr(duty, f) for f in ("title", "area", "detail", "order", "is_active")}
    form = GroupDutyForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            duties.group_duty_update(duty=duty, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_group_url(duty.party_group))
    return render(request, "activities/duties/duty_form.html",
                  {"branch": branch, "group": duty.party_group, "duty": duty, "form": form, "title": _("修改职责")},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def group_duty_toggle(request, pk):
    duty, _branch_ = _duty(request, pk, "activities.record_duty")
    duties.group_duty_set_active(duty=duty, active=not duty.is_active)
    messages.success(request, _("已恢复“%(t)s”。") % {"t": duty.title} if duty.is_active else _("已停用“%(t)s”，已有记录保留。") % {"t": duty.title})
    return redirect(_group_url(duty.party_group))


# ---------------------------------------------------------------- the quarterly assessment
@login_required
def group_assess(request, group_pk):
    group, branch = _group(request, group_pk, "activities.assess_groups")
    quarter = _quarter(request)
    current = GroupAssessment.objects.filter(party_group=group, year=quarter.year, quarter=quarter.quarter).first()
    initial = {"grade": current.grade, "comment": current.comment} if current else {}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            duties.group_assess(party_group=group, quarter=quarter, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存%(group)s%(quarter)s的评定。") % {"group": group.name, "quarter": quarter.label})
            return redirect(f"{reverse('activities:duties', args=[branch.pk])}?quarter={quarter.value}")
    entry = duties.branch_duties(branch=branch, quarter=quarter, group=group)[0]
    return render(request, "activities/duties/assess_form.html", {
        "branch": branch, "group": group, "entry": entry, "form": form, "current": current, **_quarter_context(quarter),
    }, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- the officer's templates
@login_required
def duty_templates(request, org_pk):
    org = get_for_user(request.user, "activities.manage_duty_templates", Organization, pk=org_pk)
    form = DutyTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            duties.duty_template_create(organization=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已添加，并已下发到所辖各党小组。"))
            return redirect("activities:duty_templates", org_pk=org.pk)
    inherited = [t for t in duties.duty_templates_applicable(branch=org) if t.organization_id != org.pk]
    return render(request, "activities/duties/templates.html", {
        "org": org, "templates": duties.duty_templates_of(organization=org), "inherited": inherited, "form": form,
        "group_count": Organization.objects.filter(path__startswith=org.path, level=Organization.Level.GROUP).count(),
    }, status=400 if request.method == "POST" else 200)


@login_required
def duty_template_edit(request, pk):
    template = get_object_or_404(DutyTemplate.objects.select_related("organization"), pk=pk)
    org = get_for_user(request.user, "activities.manage_duty_templates", Organization, pk=template.organization_id)
    form = DutyTemplateForm(request.POST or None, initial={"title": template.title, "detail": template.detail, "order": template.order})
    if request.method == "POST" and form.is_valid():
        try:
            duties.duty_template_update(template=template, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("activities:duty_templates", org_pk=org.pk)
    return render(request, "activities/duties/template_form.html", {"org": org, "template": template, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def duty_template_delete(request, pk):
    template = get_object_or_404(DutyTemplate, pk=pk)
    org = get_for_user(request.user, "activities.manage_duty_templates", Organization, pk=template.organization_id)
    duties.duty_template_delete(template=template)
    messages.success(request, _("已删除模板“%(t)s”；各党小组已有的这项职责及其记录仍保留。") % {"t": template.title})
    return redirect("activities:duty_templates", org_pk=org.pk)
