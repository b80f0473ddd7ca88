"""三会一课 and 主题党日 records: the branch's list and year, one record, entering it on a phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife.permissions import actor_of
from branchlife.views import apply_validation_error, get_for_user, paginate
from organizations.models import Organization

from .. import rhythm, selectors, services
from ..forms import ActivityFilterForm, ActivityForm, RhythmRulesForm, WorkTipForm
from ..models import Activity, ActivityPhoto, Kind, RhythmRule, WorkTip

BRANCHES = Organization.objects.filter(level=Organization.Level.BRANCH)


@login_required
def my_activities(request):
    """The navigation's 三会一课: the member's own branch."""
    member = actor_of(request.user).member
    if member is None:
        raise Http404
    return redirect("activities:list", branch_pk=member.branch_id)


@login_required
def activity_list(request, branch_pk):
    branch = get_for_user(request.user, "activities.view_activities", BRANCHES, pk=branch_pk)
    today = timezone.localdate()
    form = ActivityFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    year = f.get("year") or today.year
    calendar, months = selectors.branch_calendar(branch=branch, year=year, today=today)
    return render(
        request,
        "activities/activity_list.html",
        {
            "branch": branch, "form": form, "year": year, "today": today,
            "page": paginate(request, selectors.activity_list(branch=branch, kind=f.get("kind", ""), search=f.get("q", ""), year=year)),
            "calendar": calendar, "months": months,
            "tips": selectors.work_tips_for(branch=branch, month=today),
            "can_record": request.user.has_perm("activities.record_activity", branch),
        },
    )


def _save(request, form, *, branch, activity=None):
    """The service saves the record and its roll, then the optional photos; a photo refused keeps the record."""
    try:
        saved = services.activity_save(
            branch=branch, activity=activity, user=request.user, attendance=form.attendance_rows(),
            data={name: form.cleaned_data.get(name) for name in services.ACTIVITY_FIELDS},
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    for upload in form.cleaned_data.get("photos") or []:
        try:
            with transaction.atomic():
                services.photo_add(activity=saved, upload=upload)
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
    return saved


@login_required
def activity_create(request, branch_pk):
    branch = get_for_user(request.user, "activities.record_activity", BRANCHES, pk=branch_pk)
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in Kind.values else {}
    form = ActivityForm(request.POST or None, request.FILES or None, branch=branch, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, branch=branch)
        if saved is not None:
            messages.success(request, _("已记录%(kind)s：%(topic)s。") % {"kind": saved.get_kind_display(), "topic": saved.topic})
            return redirect("activities:detail", pk=saved.pk)
    return render(request, "activities/activity_form.html", {"branch": branch, "form": form}, status=400 if form.errors else 200)


@login_required
def activity_detail(request, pk):
    activity = get_for_user(
        request.user, "activities.view_activities", Activity.objects.select_related("branch", "led_by", "party_group"), pk=pk
    )
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity, "branch": activity.branch, "roll": selectors.activity_roll(activity=activity),
            "photos": list(activity.photos.all()),
            "can_record": request.user.has_perm("activities.record_activity", activity.branch),
        },
    )


@login_required
def activity_edit(request, pk):
    activity = get_for_user(request.user, "activities.record_activity", Activity.objects.select_related("branch"), pk=pk)
    branch = activity.branch
    if request.method == "POST" and "delete" in request.POST:
        services.activity_delete(activity=activity)
        messages.success(request, _("已删除这条记录。"))
        return redirect("activities:list", branch_pk=branch.pk)
    form = ActivityForm(request.POST or None, request.FILES or None, branch=branch, instance=activity)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, branch=branch, activity=activity)
        if saved is not None:
            messages.success(request, _("已保存修改。"))
            return redirect("activities:detail", pk=saved.pk)
    return render(
        request, "activities/activity_form.html",
        {"branch": branch, "form": form, "activity": activity, "photos": list(activity.photos.all())},
        status=400 if form.errors else 200,
    )


@login_required
def photo_file(request, pk):
    photo = get_object_or_404(ActivityPhoto.objects.select_related("activity__branch"), pk=pk)
    if not request.user.has_perm("activities.view_activity_photos", photo.activity.branch):
        raise Http404
    try:
        fh = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(fh, content_type=photo.content_type)


@login_required
@require_POST
def photo_delete(request, pk):
    photo = get_object_or_404(ActivityPhoto.objects.select_related("activity__branch"), pk=pk)
    get_for_user(request.user, "activities.record_activity", Activity, pk=photo.activity_id)
    services.photo_delete(photo=photo)
    messages.success(request, _("已删除照片。"))
    return redirect("activities:edit", pk=photo.activity_id)


@login_required
def rhythm_rules(request, org_pk):
    """三会一课要求: how often each kind is due under this node (usually set once by the county)."""
    org = get_for_user(request.user, "activities.manage_rhythm", Organization, pk=org_pk)
    current = rhythm.rules_for([org])[org.pk]  # what applies here now (own, from above, or the default)
    own = {r.kind: rhythm.Rule(r.kind, r.period, r.times) for r in RhythmRule.objects.filter(organization=org)}
    above = rhythm.rules_above(org)
    form = RhythmRulesForm(request.POST or None, current=current, own=own)
    if request.method == "POST" and form.is_valid():
        services.rhythm_rules_save(organization=org, rules=form.rules())
        messages.success(request, _("已保存三会一课要求，%(org)s所属支部按此计算。") % {"org": org.name})
        return redirect("activities:rhythm_rules", org_pk=org.pk)
    return render(
        request, "activities/rhythm_rules.html",
        {"org": org, "form": form, "above": [(label, above[k]) for k, label in Kind.choices]},
        status=400 if form.errors else 200,
    )


@login_required
def work_tips(request, org_pk):
    """本月工作提示: the township's (or county's) plan for a month, shown on its branches' pages."""
    org = get_for_user(request.user, "activities.publish_work_tip", Organization, pk=org_pk)
    today = timezone.localdate()
    form = WorkTipForm(request.POST or None, initial={"month": today.replace(day=1)})
    if request.method == "POST" and form.is_valid():
        try:
            services.work_tip_save(organization=org, month=form.cleaned_data["month"], text=form.cleaned_data["text"], user=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            month = form.cleaned_data["month"]
            messages.success(request, _("已发布%(y)s年%(m)s月的工作提示。") % {"y": month.year, "m": month.month})
            return redirect("activities:work_tips", org_pk=org.pk)
    return render(
        request, "activities/work_tips.html",
        {"org": org, "form": form, "tips": WorkTip.objects.filter(organization=org)[:24]},
        status=400 if form.errors else 200,
    )
