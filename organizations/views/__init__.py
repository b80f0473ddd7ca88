from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from branchlife import xlsx
from branchlife.permissions import actor_of
from branchlife.views import get_for_user, paginate, search_text

from .. import roster, selectors, services
from ..forms import MemberFilterForm, RosterUploadForm
from ..models import Organization
from .accounts import codes_page
from .common import branch_for


@login_required
def home(request):
    actor = actor_of(request.user)
    if actor.officer_org is not None:
        return redirect("dashboard:index")
    if actor.member is not None:
        return redirect("meetings:my_home")
    if hasattr(request.user, "supervisor"):
        return redirect("dashboard:supervisor_home")
    return redirect("organizations:branch_list")


@login_required
def my_branch(request):
    member = actor_of(request.user).member
    if member is None:
        raise PermissionDenied
    return redirect("organizations:branch_detail", pk=member.branch_id)


@login_required
def my_organization(request):
    org = actor_of(request.user).officer_org
    if org is None:
        raise PermissionDenied
    return redirect("organizations:organization_detail", pk=org.pk)


@login_required
def branch_list(request):
    q = search_text(request)
    branches = selectors.branch_list(user=request.user, search=q)
    return render(request, "organizations/branch_list.html", {"page": paginate(request, branches), "q": q})


def _ancestors(user, org) -> list[tuple[Organization, bool]]:
    """The breadcrumb: each ancestor, and whether the user may open it (a link that answers 403 is worse
    than plain text)."""
    return [(a, user.has_perm("organizations.view_organization", a)) for a in org.get_ancestors()]


@login_required
def organization_detail(request, pk):
    org = get_for_user(request.user, "organizations.view_organization", Organization, pk=pk)
    if org.is_branch:
        return redirect("organizations:branch_detail", pk=org.pk)
    q = search_text(request)
    children = list(selectors.child_organizations(user=request.user, parent=org))
    counts = selectors.subtree_counts(parent=org)
    for child in children:
        child.counts = counts.get(child.path, {"branches": 0, "members": 0})
    branches = selectors.branch_list(user=request.user, within=org, search=q) if q else None
    return render(
        request,
        "organizations/organization_detail.html",
        {"org": org, "ancestors": _ancestors(request.user, org), "children": children, "branches": branches, "q": q},
    )


@login_required
def branch_detail(request, pk):
    branch = branch_for(request, pk, "organizations.view_branch")
    form = MemberFilterForm(request.GET or None)
    members = selectors.member_list(branch=branch, search=search_text(request), filters=form.filters())
    return render(
        request,
        "organizations/branch_detail.html",
        {
            "branch": branch,
            "ancestors": _ancestors(request.user, branch),
            "facts": selectors.branch_facts(branch=branch),
            "filter_form": form,
            "page": paginate(request, members, per_page=50),
            "can_manage": request.user.has_perm("organizations.manage_roster", branch),
        },
    )


@login_required
def roster_export(request, pk):
    branch = branch_for(request, pk, "organizations.manage_roster")
    members = selectors.member_list(branch=branch)
    return xlsx.xlsx_response(
        filename=f"{branch.name}-花名册.xlsx",
        title=_("花名册"),
        headers=roster.HEADERS,
        rows=roster.roster_rows(members),
    )


@login_required
def roster_template(request):
    if not request.user.has_perm("organizations.download_roster_template"):
        raise PermissionDenied
    return xlsx.xlsx_response(
        filename="花名册导入模板.xlsx",
        title=_("花名册"),
        headers=roster.HEADERS,
        rows=[["张三", "男", "本科", "正式党员", "在职", "否", "2015-07-01", "13800000000", "第一党小组", "组织委员"]],
        notes=[f"{h}:{d}" for h, d in roster.COLUMNS],
    )


@login_required
def roster_import(request, pk):
    branch = branch_for(request, pk, "organizations.manage_roster")
    result = None
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.roster_import(
                branch=branch,
                fileobj=form.cleaned_data["file"],
                open_accounts_by=request.user if form.cleaned_data["open_accounts"] else None,
            )
        except services.RosterError as exc:
            form.add_error("file", str(exc))
        else:
            if result.ok and result.issued:
                title = _("导入成功：新增 %(created)s 人，更新 %(updated)s 人；已为新增党员生成激活码") % {
                    "created": result.created, "updated": result.updated
                }
                return codes_page(request, result.issued, title=title, back=reverse("organizations:branch_accounts", args=[branch.pk]))
            if result.ok:
                messages.success(
                    request,
                    _("导入成功：新增 %(created)s 人，更新 %(updated)s 人。") % {"created": result.created, "updated": result.updated},
                )
                return redirect("organizations:branch_detail", pk=branch.pk)
    return render(
        request,
        "organizations/roster_import.html",
        {"branch": branch, "form": form, "result": result, "columns": roster.COLUMNS},
        status=400 if request.method == "POST" else 200,
    )
