"""Pages of the upward review: a meeting's plan or report as filed (state, what was sent, history, the
branch's submit form and the reviewer's decision form), an attachment, and the reviewer's inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.http.response import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife.permissions import actor_of
from branchlife.views import apply_validation_error, get_for_user
from meetings.models import Meeting
from organizations.models import Organization

from . import selectors, services
from .forms import ReviewForm, ReviewLevelForm, SubmitForm
from .models import Filing, FilingAttachment, Kind, ReviewRule


def _kind(kind: str) -> str:
    if kind not in Kind.values:
        raise Http404
    return kind


def _detail(request, meeting: Meeting, kind: str, *, submit_form=None, review_form=None, status=200):
    filing = Filing.objects.filter(meeting=meeting, kind=kind).select_related("reviewer").first()
    user = request.user
    can_submit = user.has_perm("filings.submit_filing", meeting)
    blocked = services.why_not_submittable(meeting=meeting, kind=kind, filing=filing)
    can_review = filing is not None and user.has_perm("filings.review_filing", filing) and filing.state == "pending"
    return render(request, "filings/detail.html", {
        "meeting": meeting, "kind": kind, "kind_label": Kind(kind).label, "filing": filing,
        "status": selectors.FilingStatus(kind, filing),
        "history": selectors.filing_history(filing=filing) if filing else [],
        "reviewer": filing.reviewer if filing else selectors.reviewer_for(branch=meeting.branch),
        "can_submit": can_submit and not blocked, "blocked": blocked if can_submit else "",
        "submit_form": submit_form or SubmitForm(with_attachments=kind == Kind.REPORT),
        "can_review": can_review, "review_form": review_form or ReviewForm(),
    }, status=status)


@login_required
def filing_detail(request, meeting_pk, kind):
    meeting = get_for_user(request.user, "filings.view_filing", Meeting.objects.select_related("branch"), pk=meeting_pk)
    return _detail(request, meeting, _kind(kind))


@login_required
@require_POST
def filing_submit(request, meeting_pk, kind):
    meeting = get_for_user(request.user, "filings.submit_filing", Meeting.objects.select_related("branch"), pk=meeting_pk)
    kind = _kind(kind)
    form = SubmitForm(request.POST, request.FILES, with_attachments=kind == Kind.REPORT)
    if form.is_valid():
        try:
            services.filing_submit(meeting=meeting, kind=kind, user=request.user, note=form.cleaned_data["note"],
                                   attachments=form.cleaned_data.get("attachments") or [])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已报送%(kind)s，等待上级审核。") % {"kind": Kind(kind).label})
            return redirect("filings:detail", meeting_pk=meeting.pk, kind=kind)
    if request.FILES:
        messages.warning(request, _("报送未成功，已填写的说明仍在；附件请重新选择。"))
    return _detail(request, meeting, kind, submit_form=form, status=400)


@login_required
@require_POST
def filing_review(request, pk):
    filing = get_for_user(request.user, "filings.review_filing", Filing.objects.select_related("meeting__branch", "branch"), pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.filing_review(filing=filing, user=request.user, approve=approve, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已审核通过。") if approve else _("已退回，支部将看到驳回原因。"))
            return redirect("filings:detail", meeting_pk=filing.meeting_id, kind=filing.kind)
    return _detail(request, filing.meeting, filing.kind, review_form=form, status=400)


@login_required
def attachment_file(request, pk):
    attachment = get_object_or_404(FilingAttachment.objects.select_related("filing__branch"), pk=pk)
    if not request.user.has_perm("filings.view_filing", attachment.filing):
        raise Http404  # an attachment of another branch does not exist for this user
    try:
        fh = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(fh, content_type=attachment.content_type, as_attachment=True, filename=attachment.name)


@login_required
def inbox(request):
    """待审核: what the officer's node (and the nodes below it) has to review, oldest first."""
    if not request.user.has_perm("filings.use_review_inbox"):
        raise PermissionDenied
    node = actor_of(request.user).officer_org
    if node is None:  # a superuser without a node reviews everything
        node = Organization.get_root_nodes().first()
    pending = list(selectors.filings_to_review(node=node)) if node else []
    return render(request, "filings/inbox.html", {"node": node, "pending": pending})


@login_required
def review_level(request, org_pk):
    """上报审核层级: which level above the branches under this node reviews their filings."""
    org = get_for_user(request.user, "filings.set_review_level", Organization, pk=org_pk)
    if org.level in (Organization.Level.BRANCH, Organization.Level.GROUP):
        raise Http404
    own = ReviewRule.objects.filter(organization=org).values_list("level", flat=True).first() or ""
    form = ReviewLevelForm(request.POST or None, initial={"level": own})
    if request.method == "POST" and form.is_valid():
        services.review_rule_set(organization=org, level=form.cleaned_data["level"])
        messages.success(request, _("已保存，%(org)s所属支部此后报送的材料按此确定审核组织。") % {"org": org.name})
        return redirect("filings:review_level", org_pk=org.pk)
    return render(request, "filings/review_level.html", {"org": org, "form": form}, status=400 if form.errors else 200)
