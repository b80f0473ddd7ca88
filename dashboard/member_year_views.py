"""The member's year (我的一年) and the county's 先锋指数 settings (issue 18 item 4)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import PioneerIndexSetting
from branchlife.permissions import actor_of
from branchlife.views import get_for_user
from organizations.models import Member, Organization

from .member_year import member_year as member_year_of
from .member_year import year_choices
from .member_year_forms import PioneerIndexForm, YearForm
from .pioneer_index import Rule, clean_weights, pioneer_index_set


@login_required
def member_year(request, member_pk):
    member = get_for_user(request.user, "activities.view_member_year", Member.objects.select_related("branch"), pk=member_pk)
    today = timezone.localdate()
    form = YearForm(request.GET or None, years=year_choices(member=member, today=today))
    year = member_year_of(member=member, year=form.chosen_year(), today=today)
    own = actor_of(request.user).member == member
    return render(request, "dashboard/member_year.html", {"member": member, "y": year, "form": form, "own": own})


def _counties():
    return Organization.objects.filter(level=Organization.Level.COUNTY)


@login_required
def pioneer_index_home(request):
    """The officer's own county's setting (a county officer's node)."""
    org = actor_of(request.user).officer_org
    if org is None or org.level != Organization.Level.COUNTY:
        raise PermissionDenied
    return redirect("dashboard:pioneer_index", org.pk)


@login_required
def pioneer_index(request, org_pk):
    county = get_for_user(request.user, "activities.manage_pioneer_index", _counties(), pk=org_pk)
    setting = PioneerIndexSetting.objects.filter(organization=county).first()
    form = PioneerIndexForm(request.POST or None, setting=setting)
    if request.method == "POST" and form.is_valid():
        pioneer_index_set(organization=county, enabled=form.cleaned_data["enabled"], weights=form.weights())
        messages.success(request, _("先锋指数设置已保存。"))
        return redirect("dashboard:pioneer_index", county.pk)
    rule = Rule(source=county.name, weights=clean_weights(setting.weights if setting else {}))
    return render(request, "dashboard/pioneer_index.html", {"county": county, "setting": setting, "form": form, "rule": rule})
