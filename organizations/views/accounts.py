"""Accounts from the roster: who can log in, opening accounts with one-time codes, slips, resets.

Codes are shown once, in the response that issued them; the slip PDF is made from codes posted back
from that page and checked against their hashes, so no plain code is ever stored or put in a URL.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from branchlife.pdf import pdf_response, qr_data_uri, render_pdf
from branchlife.permissions import users_managed_by
from branchlife.views import int_or_none, local_path, paginate, search_text

from .. import accounts, selectors
from ..forms import AccountFilterForm, OpenAccountsForm
from ..models import Member
from .common import branch_for


def code_issuing(view):
    """For views whose response holds a plain code: POST only, logged in, never cached, and the posted
    codes kept out of error reports."""
    return never_cache(sensitive_post_parameters()(login_required(require_POST(view))))


def _branch(request, pk):
    return branch_for(request, pk, "organizations.manage_accounts")


@login_required
def branch_accounts(request, pk):
    branch = _branch(request, pk)
    form = AccountFilterForm(request.GET or None, statuses=selectors.ACCOUNT_STATUSES)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    members = selectors.branch_accounts(branch=branch, search=search_text(request), status=status)
    return render(
        request,
        "organizations/accounts.html",
        {
            "branch": branch,
            "filter_form": form,
            "page": paginate(request, members, per_page=100),
            "counts": selectors.account_counts(branch=branch),
            "statuses": selectors.ACCOUNT_STATUSES,
            "code_days": settings.ACTIVATION_CODE_DAYS,
        },
    )


def codes_page(request, issued, *, title, back):
    """The codes just issued, shown once, with the button that posts them back for the slip PDF."""
    response = render(
        request,
        "organizations/account_codes.html",
        {"issued": issued, "title": title, "activate_url": accounts.activate_url(), "back": back},
    )
    response["Cache-Control"] = "no-store"
    return response


@code_issuing
def accounts_open(request, pk):
    branch = _branch(request, pk)
    form = OpenAccountsForm(request.POST, branch=branch)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("organizations:branch_accounts", pk=branch.pk)
    issued = accounts.open_accounts(members=form.chosen(), by=request.user)
    if not issued:
        messages.info(request, _("所选党员都已激活账号；忘记密码的，请点“重发激活码”。"))
        return redirect("organizations:branch_accounts", pk=branch.pk)
    return codes_page(request, issued, title=_("已为 %(n)s 人生成激活码") % {"n": len(issued)}, back=_back(branch))


@code_issuing
def account_reset(request, pk, member_pk):
    branch = _branch(request, pk)
    member = get_object_or_404(Member, pk=member_pk, branch=branch, is_active=True)
    if member.user is None:
        issued = accounts.open_accounts(members=[member], by=request.user)
    else:
        issued = [accounts.reset_access(user=member.user, by=request.user)]
    return codes_page(request, issued, title=_("已为%(name)s重发激活码") % {"name": member.name}, back=_back(branch))


@login_required
@require_POST
def account_remove(request, pk, member_pk):
    branch = _branch(request, pk)
    member = get_object_or_404(Member, pk=member_pk, branch=branch, is_active=True)
    accounts.remove_from_roster(member=member)
    messages.success(request, _("%(name)s已移出名册，其账号已停用。") % {"name": member.name})
    return redirect("organizations:branch_accounts", pk=branch.pk)


@code_issuing
def account_slips(request):
    """The A4 sheet of cut-out slips for codes just issued (posted back from the codes page): printed
    only for codes that are still usable and for people the requester may issue codes to."""
    pairs = [
        (user_id, code)
        for user_id, code in zip(map(int_or_none, request.POST.getlist("user")), request.POST.getlist("code"), strict=False)
        if user_id
    ]
    usable = accounts.usable_codes(pairs)
    users = users_managed_by(request.user).in_bulk([user_id for user_id, _code in usable])
    named = accounts.people(users.values())
    slips = [
        {
            "name": named[user_id].name,
            "place": named[user_id].place,
            "username": users[user_id].get_username(),
            "code": code,
            "qr": qr_data_uri(accounts.activate_url(code)),
        }
        for user_id, code in usable
        if user_id in users
    ]
    if not slips:
        messages.error(request, _("这些激活码已失效或已被使用，请重新发放。"))
        return redirect(local_path(request, request.POST.get("back")) or "home")
    pdf = render_pdf(
        "organizations/pdf/account_slips.html",
        {"slips": slips, "activate_url": accounts.activate_url(), "expires_days": settings.ACTIVATION_CODE_DAYS},
    )
    response = pdf_response(pdf, "账号激活码.pdf", inline=False)
    response["Cache-Control"] = "no-store"
    return response


def _back(branch):
    return reverse("organizations:branch_accounts", args=[branch.pk])
