from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from branchlife import xlsx
from branchlife.http import client_ip_key
from branchlife.navigation import frame_urls
from branchlife.pdf import pdf_response, render_pdf
from branchlife.permissions import actor_of
from branchlife.reads import CompiledGet
from branchlife.views import apply_validation_error, get_for_user, paginate
from meetings.models import Meeting
from organizations.models import Member

from . import selectors, services
from .forms import (
    BallotForm,
    DeterminationForm,
    EvaluationFilterForm,
    EvaluationForm,
    FollowUpTalkForm,
    HandlingForm,
    PaperTotalsForm,
    PaperVotersForm,
    PublishForm,
    ReceiptForm,
    RosterForm,
    ballot_posted,
)
from .models import Candidate, CommitteeGrade, Evaluation, Grade, Qualification, Status, Voter
from .policy import default_correction_until

# The grade, qualification and committee columns every ballot, tally and print template iterates over.
BALLOT_CHOICES = {
    "grades": Grade.choices,
    "qualifications": Qualification.choices,
    "committee_grades": CommitteeGrade.choices,
}


def _evaluations():
    return Evaluation.objects.select_related("meeting__branch")


# Every evaluation page, the ballot's POST among them, starts by reading its evaluation: compiled once.
_evaluation_by_pk = CompiledGet(_evaluations)


def _get(request, perm: str, pk: int) -> Evaluation:
    return get_for_user(request.user, perm, _evaluation_by_pk, pk=pk)


# ---------------------------------------------------------------- list
@login_required
def evaluation_list(request):
    form = EvaluationFilterForm(request.GET or None)
    evaluations = selectors.evaluation_list(user=request.user, **form.filters())
    if request.GET.get("export") == "xlsx":
        return xlsx.xlsx_response(
            filename="民主评议.xlsx",
            title=_("民主评议"),
            headers=[_("支部"), _("年度"), _("组织生活会"), _("状态"), _("开始投票"), _("投票截止"), _("评议对象"), _("投票人"), _("已投票"), _("已公示")],
            rows=(
                [
                    e.meeting.branch.name,
                    e.meeting.year,
                    str(e.meeting),
                    str(e.get_status_display()),
                    e.opens_at,
                    e.closes_at,
                    e.n_candidates,
                    e.n_voters,
                    e.n_voted,
                    str(_("是") if e.published_at else _("否")),
                ]
                for e in evaluations
            ),
        )
    return render(request, "evaluations/evaluation_list.html", {"form": form, "page": paginate(request, evaluations)})


# ---------------------------------------------------------------- set-up
def _initial_times(meeting: Meeting) -> dict:
    now = timezone.localtime().replace(second=0, microsecond=0)
    opens = now
    if meeting.held_on:  # voting opens with the meeting at the earliest (services._clean_times)
        held = timezone.make_aware(timezone.datetime.combine(meeting.held_on, meeting.starts_at or timezone.datetime.min.time()))
        opens = max(held, now)
    closes = meeting.ballot_closes_at if meeting.ballot_closes_at and meeting.ballot_closes_at > opens else opens + timezone.timedelta(days=3)
    return {"opens_at": timezone.localtime(opens), "closes_at": timezone.localtime(closes)}


@login_required
def evaluation_create(request, meeting_pk):
    meeting = get_for_user(request.user, "evaluations.create_evaluation", Meeting.objects.select_related("branch"), pk=meeting_pk)
    existing = selectors.evaluation_for_meeting(meeting=meeting)
    if existing:
        return redirect("evaluations:evaluation_detail", existing.pk)
    initial = _initial_times(meeting)
    form = EvaluationForm(
        request.POST or None,
        initial={**initial, "excellent_quota": meeting.excellent_quota},
        candidates=len(services.default_candidates(meeting=meeting)),
    )
    roster = _creation_roster(request, meeting)
    starts_now = initial["opens_at"] <= timezone.now()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_now = data["opens_at"] <= timezone.now()
        try:
            evaluation = _create_evaluation(meeting, data, roster, starts_now)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if evaluation.has_started():
                messages.success(request, _("已创建民主评议，投票已经开始。"))
                return redirect("evaluations:evaluation_detail", evaluation.pk)
            messages.success(request, _("已创建民主评议。请核对评议对象和投票人。"))
            return redirect("evaluations:evaluation_roster", evaluation.pk)
    context = {"form": form, "meeting": meeting, "evaluation": None, "roster": roster if starts_now or roster.is_bound else None}
    return render(request, "evaluations/evaluation_form.html", context)


def _creation_roster(request, meeting: Meeting) -> RosterForm:
    """The roster shown on the creation page when voting would start at once (issue 24 item 13): once the vote
    has started the roster can no longer change, so it is checked before the evaluation exists, not after."""
    members = Member.objects.filter(branch=meeting.branch, is_active=True).order_by("name", "id")
    initial = {
        "candidates": [m.pk for m in services.default_candidates(meeting=meeting)],
        "voters": [m.pk for m in services.default_voters(meeting=meeting)],
    }
    data = request.POST if request.method == "POST" and request.POST.get("roster_shown") == "1" else None
    return RosterForm(data, members=members, initial=initial)


def _create_evaluation(meeting: Meeting, data: dict, roster: RosterForm, starts_now: bool):
    if starts_now and not roster.is_bound:
        raise ValidationError(_("投票开始时间已到：保存后立即开始投票，名单不能再改。请先核对下面的评议对象和投票人，再保存；或把开始时间改晚，先保存再调整名单。"))
    chosen = {}
    if roster.is_bound:
        if not roster.is_valid():
            raise ValidationError(_("评议对象或投票人有误，请重新勾选。"))
        chosen = {"candidates": roster.cleaned_data["candidates"], "voters": roster.cleaned_data["voters"]}
    return services.evaluation_create(
        meeting=meeting, opens_at=data["opens_at"], closes_at=data["closes_at"], self_rating=data["self_rating"],
        with_qualifications=data["with_qualifications"], with_committee_rating=data["with_committee_rating"],
        with_peer_review=data["with_peer_review"], excellent_quota=data["excellent_quota"], **chosen,
    )


@login_required
def evaluation_edit(request, pk):
    evaluation = _get(request, "evaluations.manage_evaluation", pk)
    started = evaluation.has_started()
    form = EvaluationForm(
        request.POST or None, instance=evaluation, started=started,
        candidates=selectors.candidates_count(evaluation=evaluation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_update(evaluation=evaluation, data=form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("设置已保存。"))
            return redirect("evaluations:evaluation_detail", evaluation.pk)
    return render(
        request, "evaluations/evaluation_form.html", {"form": form, "meeting": evaluation.meeting, "evaluation": evaluation, "started": started}
    )


@login_required
def evaluation_roster(request, pk):
    evaluation = _get(request, "evaluations.manage_evaluation", pk)
    members = Member.objects.filter(branch=evaluation.meeting.branch, is_active=True).order_by("name", "id")
    initial = {
        "candidates": [c.member_id for c in Candidate.objects.filter(evaluation=evaluation)],
        "voters": [v.member_id for v in Voter.objects.filter(evaluation=evaluation)],
    }
    form = RosterForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_roster_set(
                evaluation=evaluation, candidates=form.cleaned_data["candidates"], voters=form.cleaned_data["voters"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("评议对象和投票人已保存。"))
            return redirect("evaluations:evaluation_detail", evaluation.pk)
    return render(
        request,
        "evaluations/evaluation_roster.html",
        {"evaluation": evaluation, "form": form, "started": evaluation.has_started(), "members": members},
    )


# ---------------------------------------------------------------- overview
@login_required
def evaluation_detail(request, pk):
    evaluation = _get(request, "evaluations.view_evaluation", pk)
    services.evaluation_seal_if_due(evaluation=evaluation)
    user = request.user
    member = actor_of(user).member
    can = {
        "manage": user.has_perm("evaluations.manage_evaluation", evaluation),
        "paper": user.has_perm("evaluations.enter_paper", evaluation),
        "print": user.has_perm("evaluations.print_paper_ballot", evaluation),
        "results": user.has_perm("evaluations.view_results", evaluation),
        "determine": user.has_perm("evaluations.determine", evaluation),
        "vote": user.has_perm("evaluations.vote", evaluation),
    }
    candidates = selectors.candidates_of(evaluation=evaluation)
    context = {
        "evaluation": evaluation,
        "can": can,
        "voter": selectors.voter_for(evaluation=evaluation, member=member) if can["vote"] else None,
        "candidates": candidates,
        "quota": selectors.ballot_quota(evaluation=evaluation, candidate_count=len(candidates)),
        "participation": selectors.participation(evaluation=evaluation),
        "roster": selectors.roster(evaluation=evaluation) if can["results"] else None,
        "own": selectors.own_result(evaluation=evaluation, member=member),
        "publicly_shown": selectors.is_publicly_shown(evaluation=evaluation),
        "Status": Status,
        "late_attendees": selectors.attendees_not_on_roster(evaluation=evaluation) if can["manage"] else [],
    }
    return render(request, "evaluations/evaluation_detail.html", context)


@login_required
@require_POST
def close_now(request, pk):
    evaluation = _get(request, "evaluations.manage_evaluation", pk)
    reason = request.POST.get("reason", "")
    back = "evaluations:screen" if request.POST.get("next") == "screen" else "evaluations:evaluation_detail"
    try:
        services.evaluation_close_now(evaluation=evaluation, reason=reason)
    except ValidationError as exc:
        if getattr(exc, "error_dict", {}).get("reason"):  # below the turnout floor: ask why, keep what was typed
            return render(
                request, "evaluations/close_confirm.html",
                {"evaluation": evaluation, "error": "；".join(exc.messages), "reason": reason, "next": request.POST.get("next", "")},
                status=400,
            )
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("投票已截止，选票已封存。"))
    return redirect(back, evaluation.pk)


# ---------------------------------------------------------------- voting
# The receipt is the same page for every voter of an evaluation but for the code (issue 23: rendering it,
# with the request's context processors, was a tenth of a ballot's CPU). It is rendered once per evaluation,
# language and script prefix in each process, without the context processors (the slim page needs none of
# them), with a slot where the code goes; the code is put in on each ballot, escaped as the template would.
RECEIPT_CODE_SLOT = "\x00receipt-code\x00"
_receipt_pages: dict[tuple[int, str, str], str] = {}


def receipt_page(evaluation: Evaluation, code: str) -> str:
    key = (evaluation.pk, get_language(), get_script_prefix())
    page = _receipt_pages.get(key)
    if page is None:
        context = {"evaluation": evaluation, "code": RECEIPT_CODE_SLOT, "frame_urls": frame_urls()}
        page = render_to_string("evaluations/receipt.html", context)
        if not settings.DEBUG:  # while developing, an edited template shows at once
            if len(_receipt_pages) >= 512:
                _receipt_pages.clear()
            _receipt_pages[key] = page
    return page.replace(RECEIPT_CODE_SLOT, escape(code))


@never_cache
@sensitive_post_parameters()  # a ballot never reaches an error report or log
@login_required
def vote(request, pk):
    evaluation = _get(request, "evaluations.vote", pk)
    member = actor_of(request.user).member
    candidates = selectors.ballot_candidates(evaluation=evaluation)
    quota = selectors.ballot_quota(evaluation=evaluation, candidate_count=len(candidates))
    skip = None if evaluation.self_rating else member.pk
    ballot = {"evaluation": evaluation, "candidates": candidates, "skip_member_id": skip}
    form = None
    # On a submission the service itself decides (open? on the roster? first vote? every value valid?); the
    # form is built only to show the page or a refusal, and the participation row read only then.
    if request.method == "POST":
        try:
            code = services.ballot_cast(
                evaluation=evaluation,
                member=member,
                content=ballot_posted(request.POST, **ballot),
                candidates={c.pk: c.member_id for c in candidates},
            )
        except ValidationError as exc:
            form = BallotForm(request.POST, **ballot)
            if form.is_valid():  # a value the form itself refuses is said in the form's words, as before
                apply_validation_error(form, exc)
        else:
            # The code is rendered in this response only: never stored in the clear, never put in the
            # session or a message (both live in the database), never cached.
            return HttpResponse(receipt_page(evaluation, code), headers={"Cache-Control": "no-store"})
    form = form or BallotForm(None, **ballot)
    voter = selectors.voter_for(evaluation=evaluation, member=member)
    if voter is None:
        state = "not_on_roster"
    elif voter.channel:
        state = "voted"
    else:
        state = evaluation.status
    return render(
        request,
        "evaluations/vote.html",
        {"evaluation": evaluation, "form": form, "quota": quota, "state": state, "voter": voter, **BALLOT_CHOICES},
    )


@sensitive_post_parameters()
@login_required
@ratelimit(key="user", rate="20/m", method="POST", block=False)
@ratelimit(key=client_ip_key, rate="60/10m", method="POST", block=False, group="evaluations.receipt_check.ip")
def receipt_check(request):
    if not request.user.has_perm("evaluations.check_receipt"):
        raise PermissionDenied
    form = ReceiptForm(request.POST or None)
    result = None
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, _("查询过于频繁，请稍后再试。"))
        elif form.is_valid():
            result = selectors.receipt_counted(code=form.cleaned_data["code"])
    response = render(request, "evaluations/receipt_check.html", {"form": form, "result": result})
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- paper
@login_required
def paper_ballot_pdf(request, pk):
    evaluation = _get(request, "evaluations.print_paper_ballot", pk)
    candidates = selectors.candidates_of(evaluation=evaluation)
    content = render_pdf(
        "evaluations/pdf/paper_ballot.html",
        {
            "evaluation": evaluation,
            "meeting": evaluation.meeting,
            "candidates": candidates,
            "quota": selectors.ballot_quota(evaluation=evaluation, candidate_count=len(candidates)),
            **BALLOT_CHOICES,
        },
    )
    return pdf_response(content, f"{evaluation.meeting.branch.name}-民主测评表.pdf")


@login_required
def paper_voters(request, pk):
    evaluation = _get(request, "evaluations.enter_paper", pk)
    voters = selectors.roster(evaluation=evaluation)
    ticked = [str(v.member_id) for v in voters if v.channel == Voter.Channel.PAPER]
    form = PaperVotersForm(request.POST or None, voters=voters, initial={"members": ticked})
    if request.method == "POST" and form.is_valid():
        chosen = {int(x) for x in form.cleaned_data["members"]}
        try:
            n = services.paper_voters_set(
                evaluation=evaluation, members=[v.member for v in voters if v.member_id in chosen], by=request.user
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已勾选 %(n)d 名纸质投票人。") % {"n": n})
            return redirect("evaluations:evaluation_detail", evaluation.pk)
    return render(
        request,
        "evaluations/paper_voters.html",
        {"evaluation": evaluation, "form": form, "voters": voters, "participation": selectors.participation(evaluation=evaluation)},
    )


@login_required
def paper_entry(request, pk):
    evaluation = _get(request, "evaluations.enter_paper", pk)
    candidates = selectors.candidates_of(evaluation=evaluation)
    form = BallotForm(request.POST or None, evaluation=evaluation, candidates=candidates, paper=True)
    if request.method == "POST" and form.is_valid():
        try:
            ballot = services.paper_ballot_enter(
                evaluation=evaluation, content=form.content(), spoiled=form.cleaned_data.get("spoiled", False), by=request.user
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if ballot.is_valid:
                messages.success(request, _("已录入 1 张有效纸质票。"))
            else:
                messages.warning(request, _("已录入 1 张无效纸质票（超过优秀名额或无法辨认）。"))
            return redirect("evaluations:paper_entry", evaluation.pk)
    return render(
        request,
        "evaluations/paper_entry.html",
        {
            "evaluation": evaluation,
            "form": form,
            "quota": selectors.ballot_quota(evaluation=evaluation, candidate_count=len(candidates)),
            "participation": selectors.participation(evaluation=evaluation),
            "entries": selectors.paper_entries(evaluation=evaluation)[:20],
            **BALLOT_CHOICES,
        },
    )


@login_required
def paper_totals(request, pk):
    evaluation = _get(request, "evaluations.enter_paper", pk)
    candidates = selectors.candidates_of(evaluation=evaluation)
    form = PaperTotalsForm(request.POST or None, evaluation=evaluation, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.paper_totals_enter(evaluation=evaluation, totals=form.totals(), by=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已录入 %(n)d 张纸质票（其中无效 %(k)d 张）。") % {"n": entry.ballots, "k": entry.invalid})
            return redirect("evaluations:evaluation_detail", evaluation.pk)
    return render(
        request,
        "evaluations/paper_totals.html",
        {
            "evaluation": evaluation,
            "form": form,
            "quota": selectors.ballot_quota(evaluation=evaluation, candidate_count=len(candidates)),
            "participation": selectors.participation(evaluation=evaluation),
            **BALLOT_CHOICES,
        },
    )


# ---------------------------------------------------------------- results
@login_required
def results(request, pk):
    evaluation = _get(request, "evaluations.view_results", pk)
    services.evaluation_seal_if_due(evaluation=evaluation)  # the first look after the close seals
    tally = selectors.tally(evaluation=evaluation)
    return render(
        request,
        "evaluations/results.html",
        {
            "evaluation": evaluation,
            "tally": tally,
            "chart": tally.chart() if tally else None,
            "entries": selectors.paper_entries(evaluation=evaluation) if tally else [],
            **BALLOT_CHOICES,
        },
    )


@login_required
def results_export(request, pk):
    evaluation = _get(request, "evaluations.view_results", pk)
    services.evaluation_seal_if_due(evaluation=evaluation)  # the first look after the close seals
    tally = selectors.tally(evaluation=evaluation)
    if tally is None:
        messages.info(request, _("投票截止后才能导出结果。"))
        return redirect("evaluations:results", evaluation.pk)
    quals = evaluation.with_qualifications
    headers = [_("姓名"), *[g.label for g in Grade], _("合计"), _("建议等次"), _("评定等次"), _("一句话鉴定")]
    if quals:
        headers += [_("%(q)s：不合格票") % {"q": q.label} for q in Qualification]
    rows = []
    for r in tally.rows:
        row = [r.candidate.member.name, *r.cells, r.total, str(r.suggested_label), str(r.candidate.get_final_grade_display()), r.candidate.appraisal]
        if quals:
            row += r.unmet_cells
        rows.append(row)
    notes = [
        _("有效票 %(v)d 张，无效票 %(i)d 张；应投 %(e)d 人，实投 %(n)d 人（网上 %(o)d、纸质 %(p)d）。")
        % {"v": tally.valid, "i": tally.invalid, "e": tally.participation.eligible, "n": tally.participation.voted,
           "o": tally.participation.online, "p": tally.participation.paper},
    ]
    if tally.committee:
        notes.append(_("班子测评：") + "、".join(f"{label} {n}" for _c, label, n in tally.committee))
    return xlsx.xlsx_response(
        filename=f"{evaluation.meeting.branch.name}-{evaluation.meeting.year}-民主测评结果.xlsx",
        title=_("测评结果"),
        headers=headers,
        rows=rows,
        notes=notes,
    )


@login_required
def determination(request, pk):
    evaluation = _get(request, "evaluations.determine", pk)
    services.evaluation_seal_if_due(evaluation=evaluation)  # the first look after the close seals
    tally = selectors.tally(evaluation=evaluation)
    if tally is None:
        messages.info(request, _("投票截止后才能评定。"))
        return redirect("evaluations:evaluation_detail", evaluation.pk)
    form = DeterminationForm(request.POST or None, rows=tally.rows)
    if request.method == "POST" and form.is_valid():
        finalize = "finalize" in request.POST
        try:
            services.evaluation_determine(
                evaluation=evaluation,
                decisions=form.decisions(),
                suggestions={r.candidate.pk: r.suggested for r in tally.rows},
                by=request.user,
                finalize=finalize,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("评定结果已确定。") if finalize else _("已暂存评定。"))
            return redirect("evaluations:evaluation_detail" if finalize else "evaluations:determination", evaluation.pk)
    peers = selectors.peer_summaries(evaluation=evaluation)
    for row in tally.rows:  # 个人自评 and 党小组互评 beside the branch ballot (issue 17)
        row.peer = peers.get(row.candidate.pk)
    return render(request, "evaluations/determination.html", {"evaluation": evaluation, "tally": tally, "form": form})


@login_required
def follow_up(request, candidate_pk):
    candidate = get_object_or_404(
        Candidate.objects.select_related("member", "evaluation__meeting__branch"), pk=candidate_pk
    )
    evaluation = candidate.evaluation
    if not request.user.has_perm("evaluations.determine", evaluation):
        raise PermissionDenied
    handling = getattr(candidate, "handling", None)  # reverse one-to-one: None when absent
    today = timezone.localdate()
    me = actor_of(request.user).member
    talk_form = FollowUpTalkForm(
        request.POST if request.POST.get("form") == "talk" else None,
        initial={"talked_on": today, "talked_by": me.name if me else ""},
        prefix="talk",
    )
    handling_form = HandlingForm(
        request.POST if request.POST.get("form") == "handling" else None,
        instance=handling,
        initial={"decided_on": today, "correction_until": default_correction_until(today), "decided_by_body": _("支部党员大会")},
        prefix="handling",
    )
    if request.method == "POST":
        form = talk_form if request.POST.get("form") == "talk" else handling_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is talk_form:
                    services.follow_up_talk_record(candidate=candidate, by=request.user, **data)
                else:
                    services.handling_record(candidate=candidate, by=request.user, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("evaluations:follow_up", candidate.pk)
    return render(
        request,
        "evaluations/follow_up.html",
        {
            "evaluation": evaluation,
            "candidate": candidate,
            "talks": candidate.follow_up_talks.all(),
            "handling": handling,
            "talk_form": talk_form,
            "handling_form": handling_form,
            "needs_handling": candidate.final_grade == Grade.UNQUALIFIED,
        },
    )


# ---------------------------------------------------------------- publication
@login_required
def publish(request, pk):
    evaluation = _get(request, "evaluations.determine", pk)
    services.evaluation_seal_if_due(evaluation=evaluation)  # the first look after the close seals
    tally = selectors.tally(evaluation=evaluation)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_publish(
                evaluation=evaluation,
                ends_on=form.cleaned_data["ends_on"],
                breakdown=form.cleaned_data["breakdown"],
                risks=tally.risks if tally else [],
                risks_acknowledged=form.cleaned_data["risks_acknowledged"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("评议结果已公示。"))
            return redirect("evaluations:published", evaluation.pk)
    return render(request, "evaluations/publish.html", {"evaluation": evaluation, "tally": tally, "form": form})


@login_required
def published(request, pk):
    evaluation = _get(request, "evaluations.view_published", pk)
    insider = request.user.has_perm("evaluations.view_results", evaluation)
    shown = evaluation.published_at is not None and (insider or selectors.is_publicly_shown(evaluation=evaluation))
    if shown and evaluation.publish_breakdown:
        services.evaluation_seal_if_due(evaluation=evaluation)  # the first look after the close seals
    tally = selectors.tally(evaluation=evaluation) if shown and evaluation.publish_breakdown else None
    counts = {r.candidate.pk: r.cells for r in tally.rows} if tally else {}
    rows = [(c, counts.get(c.pk)) for c in selectors.candidates_of(evaluation=evaluation)] if shown else []
    return render(
        request,
        "evaluations/published.html",
        {"evaluation": evaluation, "shown": shown, "rows": rows, "tally": tally, **BALLOT_CHOICES},
    )


@login_required
def my_result(request, pk):
    evaluation = _get(request, "evaluations.view_own_result", pk)
    member = actor_of(request.user).member
    candidate = selectors.own_result(evaluation=evaluation, member=member)
    if request.method == "POST" and candidate is not None:
        try:
            services.result_acknowledge(candidate=candidate, member=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已确认收到评议反馈。"))
        return redirect("evaluations:my_result", evaluation.pk)
    return render(request, "evaluations/my_result.html", {"evaluation": evaluation, "candidate": candidate})
