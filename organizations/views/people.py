"""Officers and supervisors, appointed in the app by the officers above them (not in the Django admin)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife.views import get_for_user, paginate

from .. import accounts, history
from ..forms import OfficerForm, SupervisorBranchesForm, SupervisorForm
from ..models import Officer, Organization, Supervisor
from .accounts import code_issuing, codes_page


def _node(request, pk):
    return get_for_user(request.user, "organizations.manage_officers", Organization, pk=pk)


def _supervisors_of(node):
    within = Q(branches__path__startswith=node.path) | Q(organization__path__startswith=node.path)
    return Supervisor.objects.filter(within).distinct().select_related("user", "organization").order_by("name", "pk")


def _page(request, node, *, officer_form=None, supervisor_form=None, status=200):
    supervisors = list(_supervisors_of(node).prefetch_related("branches"))
    for supervisor in supervisors:
        supervisor.branches_here = [b for b in supervisor.branches.all() if b.path.startswith(node.path)]
    return render(
        request,
        "organizations/people.html",
        {
            "node": node,
            "officers": Officer.objects.filter(organization=node).select_related("user").order_by("name", "pk"),
            "children": node.get_children().exclude(level=Organization.Level.GROUP),
            "supervisors": supervisors,
            "officer_form": officer_form or OfficerForm(),
            "supervisor_form": supervisor_form or SupervisorForm(within=node),
        },
        status=status,
    )


@login_required
def org_people(request, pk):
    return _page(request, _node(request, pk))


def _back(node):
    return reverse("organizations:org_people", args=[node.pk])


@code_issuing
def officer_add(request, pk):
    node = _node(request, pk)
    form = OfficerForm(request.POST)
    if not form.is_valid():
        return _page(request, node, officer_form=form, status=400)
    issued = accounts.add_officer(organization=node, by=request.user, **form.cleaned_data)
    return codes_page(request, [issued], title=_("已添加干部%(name)s") % {"name": issued.name}, back=_back(node))


@login_required
@require_POST
def officer_remove(request, pk, officer_pk):
    node = _node(request, pk)
    officer = get_object_or_404(Officer, pk=officer_pk, organization=node)
    if not request.user.has_perm("organizations.remove_officer", officer):
        messages.error(request, _("不能撤销自己，请由上级组织部门办理。"))
    else:
        accounts.remove_officer(officer=officer)
        messages.success(request, _("已撤销%(name)s的干部权限。") % {"name": officer.name})
    return redirect(_back(node))


@code_issuing
def person_code(request, pk, user_pk):
    """A new code for an officer or supervisor here (a forgotten password): old password and sessions end."""
    node = _node(request, pk)
    officer = Officer.objects.filter(organization=node, user_id=user_pk).select_related("user").first()
    target = officer.user if officer else get_object_or_404(_supervisors_of(node), user_id=user_pk).user
    if not request.user.has_perm("organizations.manage_person", target):
        raise PermissionDenied
    issued = accounts.reset_access(user=target, by=request.user)
    return codes_page(request, [issued], title=_("已为%(name)s重发激活码") % {"name": issued.name}, back=_back(node))


@code_issuing
def supervisor_add(request, pk):
    node = _node(request, pk)
    form = SupervisorForm(request.POST, within=node)
    if not form.is_valid():
        return _page(request, node, supervisor_form=form, status=400)
    issued = accounts.add_supervisor(by=request.user, **form.cleaned_data)
    return codes_page(request, [issued], title=_("已添加督导%(name)s") % {"name": issued.name}, back=_back(node))


@login_required
@require_POST
def supervisor_assign(request, pk, sup_pk):
    node = _node(request, pk)
    supervisor = get_object_or_404(_supervisors_of(node), pk=sup_pk)
    form = SupervisorBranchesForm(request.POST, within=node)
    if form.is_valid():
        accounts.assign_supervisor(supervisor=supervisor, branches=form.cleaned_data["branches"], within=node)
        messages.success(request, _("已更新%(name)s联系督导的支部。") % {"name": supervisor.name})
    else:
        messages.error(request, _("所选支部不在本组织之下，请刷新页面后重选。"))
    return redirect(_back(node))


@login_required
@require_POST
def supervisor_remove(request, pk, sup_pk):
    node = _node(request, pk)
    supervisor = get_object_or_404(_supervisors_of(node), pk=sup_pk)
    accounts.remove_supervisor(supervisor=supervisor, within=node)
    messages.success(request, _("%(name)s不再联系督导本组织的支部。") % {"name": supervisor.name})
    return redirect(_back(node))


@login_required
def people_history(request, pk):
    node = _node(request, pk)
    events = history.people_history(node=node)
    return render(request, "organizations/people_history.html", {"node": node, "page": paginate(request, events, per_page=50)})
