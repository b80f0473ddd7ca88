"""扫码测评 (issue 17): opening the vote from the meeting room, and the projector's turnout screen."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branchlife.permissions import actor_of
from branchlife.views import apply_validation_error, get_for_user
from meetings.models import Meeting

from . import selectors, services
from .forms import PeerReviewForm
from .models import Candidate, Evaluation, Grade, Status


@login_required
@require_POST
def in_room_open(request, meeting_pk):
    meeting = get_for_user(request.user, "evaluations.create_evaluation", Meeting.objects.select_related("branch"), pk=meeting_pk)
    try:
        evaluation = services.evaluation_open_in_room(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("meetings:attendance", pk=meeting.pk)
    return redirect("evaluations:screen", pk=evaluation.pk)


def _state(request, evaluation: Evaluation) -> dict:
    """What the room may see while voting: how many of those on the roll have voted. Never a grade, never
    a running count by grade; the results are for the results page, after the close."""
    p = selectors.participation(evaluation=evaluation)
    closed = evaluation.status == Status.CLOSED
    return {
        "state": "closed" if closed else evaluation.status,
        "voted": p.voted,
        "eligible": p.eligible,
        "below_floor": services.turnout_below_floor(voted=p.voted, eligible=p.eligible),
    }


@never_cache
@login_required
def screen(request, pk):
    """The big screen for the projector: the ballot's QR code and 已投票 N/M, turning to 投票结束."""
    evaluation = Evaluation.objects.select_related("meeting__branch").filter(pk=pk).first()
    if evaluation is None or not request.user.has_perm("evaluations.manage_evaluation", evaluation):
        raise PermissionDenied(_("投影页面只有支部书记等评议组织者可以打开；党员请扫描投影上的二维码投票。"))
    if evaluation.is_closed():
        services.evaluation_seal_if_due(evaluation=evaluation)
    state = _state(request, evaluation)
    if request.GET.get("format") == "json":
        return JsonResponse(state)
    vote_url = request.build_absolute_uri(reverse("evaluations:vote", args=[evaluation.pk]))
    return render(
        request, "evaluations/screen.html",
        {
            "evaluation": evaluation, "s": state, "vote_url": vote_url,
            "qr_svg": segno.make(vote_url, error="m").svg_inline(scale=8, border=2, omitsize=True, title=_("扫码测评")),
            "floor": services.turnout_floor_words(),
        },
    )


@login_required
@require_POST
def voter_add(request, pk):
    """补登: a member who arrived after 扫码测评 began gets a vote, on the secretary's word."""
    evaluation = get_for_user(request.user, "evaluations.manage_evaluation", Evaluation.objects.select_related("meeting"), pk=pk)
    member = next((m for m in selectors.attendees_not_on_roster(evaluation=evaluation) if str(m.pk) == request.POST.get("member")), None)
    if member is None:
        messages.error(request, _("请选择已登记到会、尚不在投票人名单中的党员。"))
    else:
        try:
            services.in_room_voter_add(evaluation=evaluation, member=member)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已将%(name)s补登为投票人。") % {"name": member.name})
    return redirect("evaluations:evaluation_detail", evaluation.pk)


@never_cache
@login_required
def peer_review(request, pk):
    """个人自评和党小组互评 (issue 17 item 5), for members of the branch on the voters' list."""
    evaluation = get_for_user(request.user, "evaluations.vote", Evaluation.objects.select_related("meeting__branch"), pk=pk)
    if not evaluation.with_peer_review:
        raise Http404
    member = actor_of(request.user).member
    own = Candidate.objects.filter(evaluation=evaluation, member=member).first()
    peers = services.peer_candidates(evaluation=evaluation, member=member)
    form = PeerReviewForm(request.POST if request.method == "POST" else None, own=own, peers=peers)
    if request.method == "POST" and form.is_valid():
        try:
            services.peer_review_cast(
                evaluation=evaluation, member=member, self_grade=form.cleaned_data.get("self_grade") or "", grades=form.grades()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已提交个人自评和党小组互评。"))
            return redirect("evaluations:vote", evaluation.pk)
    voter = selectors.voter_for(evaluation=evaluation, member=member)
    return render(
        request, "evaluations/peer_review.html",
        {"evaluation": evaluation, "form": form, "voter": voter, "peers": peers, "grades": Grade.choices,
         "group": member.party_group if member else None},
        status=400 if form.errors else 200,
    )
