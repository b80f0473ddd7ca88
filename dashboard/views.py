from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife import xlsx
from branchlife.views import get_for_user, paginate
from meetings.models import Meeting
from meetings.selectors import meeting_phase, record_closed_reason
from organizations.models import Organization

from . import recount, selectors, supervision, tables
from .forms import BranchFilterForm, ItemFilterForm, PeriodForm, ScopeForm
from .scoring import FLAGS, GRADE_LABELS, GRADES, SCORE_PARTS
from .tonight import board_json, tonight_board


@dataclass
class Scope:
    node: Organization
    top: Organization | None
    season: selectors.Season
    years: list[int]
    ancestors: list[Organization]

    @property
    def query(self) -> str:
        """The GET parameters that keep this node and season on every link of the page."""
        return urlencode({"org": self.node.pk, "year": self.season.year, "kind": self.season.kind})


def _scope(request, *, perm: str = "dashboard.view_dashboard") -> Scope:
    """Access first: the user's right to dashboards, then to the node asked for (404, then 403)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied
    top = selectors.home_node(user=request.user)
    form = ScopeForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    if not form.is_valid():
        messages.error(request, _("筛选条件有误，已显示默认范围：%(e)s") % {"e": "; ".join(m for ms in form.errors.values() for m in ms)})
    if data.get("org"):
        node = get_for_user(request.user, "dashboard.view_node", Organization, pk=data["org"])
    elif top is not None:
        node = top
    else:
        raise PermissionDenied
    years = selectors.season_years(node=node)
    year = data.get("year") or selectors.default_year(years=years, today=timezone.localdate())
    season = selectors.Season(year=year, kind=data.get("kind") or Meeting.Kind.ANNUAL)
    return Scope(node=node, top=top, season=season, years=years, ancestors=selectors.ancestors_within(node=node, top=top))


def _refresh(request) -> bool:
    # ?refresh=1 recomputes now instead of waiting for the cache to expire.
    return request.GET.get("refresh") == "1"


def _data(request, scope: Scope) -> selectors.DashboardData:
    return selectors.dashboard_data(node=scope.node, season=scope.season, use_cache=not _refresh(request))


def _charts(data: selectors.DashboardSummary) -> dict:
    t = data.totals

    def pct(part: str, whole: str) -> float:
        return float(t.percent(part, whole) or 0)

    phases = [
        (_("已安排会议"), pct("branches_with_meeting", "branches")),
        (_("已定召开日期"), pct("dated", "meetings")),
        (_("意见已答复或解决"), pct("opinions_done", "opinions")),
        (_("必谈完成"), pct("talks_done", "talks_required")),
        (_("对照检查已交"), pct("reviews_done", "reviews_required")),
        (_("已召开会议"), pct("held", "meetings")),
        (_("已完成评议"), pct("evaluations_determined", "meetings")),
        (_("整改已销号"), pct("items_closed", "items")),
    ]
    grade_labels = dict(zip(GRADES, map(str, GRADE_LABELS), strict=True))
    return {
        "phases": {"labels": [p[0] for p in phases], "values": [round(p[1], 1) for p in phases]},
        "grades": [{"name": grade_labels[g], "value": n} for g, n, _share in t.grade_shares],
        "children": {
            "name": str(_("平均得分")),
            "labels": [c.node.name for c in data.children],
            "scores": [float(c.totals.average_score or 0) for c in data.children],
            "behind": [c.totals.behind for c in data.children],
        },
    }


@login_required
def index(request):
    scope = _scope(request)
    context = {"scope": scope, "flags": FLAGS}
    if scope.node.level == Organization.Level.BRANCH:
        data = _data(request, scope)
        row = data.row(scope.node.pk)
        meeting = Meeting.objects.filter(pk=row.meeting_id).first() if row and row.meeting_id else None
        context.update(
            data=data, totals=data.totals, row=row, meeting=meeting,
            phase=meeting_phase(meeting=meeting) if meeting else None,
            parts=[(label, points, row.parts.get(key)) for key, label, points in SCORE_PARTS] if row else [],
            branch_grades=[(label, row.grades[g]) for g, label in zip(GRADES, GRADE_LABELS, strict=True) if g in row.grades]
            if row else [],
        )
        return render(request, "dashboard/branch.html", context)
    summary, in_background, progress = recount.front_page(node=scope.node, season=scope.season, refresh=_refresh(request))
    context.update(
        recount_in_background=in_background,
        recount=progress,
        data=summary, totals=summary.totals, behind=summary.behind, charts=_charts(summary),
        flag_rows=[(key, label, summary.totals.flag_counts[key]) for key, label in FLAGS.items()],
        grade_rows=[(label, n, share) for (_g, n, share), label in zip(summary.totals.grade_shares, GRADE_LABELS, strict=True)],
    )
    return render(request, "dashboard/index.html", context)


@login_required
@require_POST
def recount_start(request):
    """重新统计 of a node too big for one request: queued (or the one running shown), then back to its page."""
    scope = _scope(request)
    if scope.node.level == Organization.Level.BRANCH:
        raise PermissionDenied
    recount.recount_start(node=scope.node, season=scope.season)
    if recount.progress_of(node=scope.node, season=scope.season) is None:  # the cache is down: no progress bar
        messages.info(request, _("已在后台开始重新统计，稍后刷新本页即可看到新的数字。"))
    return redirect(f"{reverse('dashboard:index')}?{scope.query}")


@login_required
def recount_status(request):
    scope = _scope(request)
    progress = recount.progress_of(node=scope.node, season=scope.season)
    return JsonResponse(progress.as_json() if progress else recount.NO_PROGRESS)


def _branch_filters(request):
    form = BranchFilterForm(request.GET)
    if not form.is_valid():
        return form, {"flag": "", "q": "", "sort": "rank"}
    d = form.cleaned_data
    return form, {"flag": d["flag"], "q": d["q"].strip(), "sort": d["sort"] or "rank"}


@login_required
def branches(request):
    scope = _scope(request)
    data = _data(request, scope)
    form, f = _branch_filters(request)
    rows = selectors.branch_rows(data=data, flag=f["flag"], search=f["q"], sort=f["sort"])
    return render(
        request,
        "dashboard/branches.html",
        {
            "scope": scope, "data": data, "form": form, "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "count": len(rows), "flag_label": FLAGS.get(f["flag"]) or dict(form.fields["flag"].choices).get(f["flag"], ""),
            "ranking": False,
        },
    )


@login_required
def ranking(request):
    scope = _scope(request)
    data = _data(request, scope)
    form, f = _branch_filters(request)
    rows = selectors.branch_rows(data=data, flag=f["flag"], search=f["q"], sort=f["sort"])
    return render(
        request,
        "dashboard/ranking.html",
        {"scope": scope, "data": data, "form": form, "page": Paginator(rows, 50).get_page(request.GET.get("page")),
         "count": len(rows), "parts": SCORE_PARTS},
    )


def _export_name(scope: Scope, what: str) -> str:
    return f"{scope.node.name}-{scope.season.year}-{what}.xlsx"


@login_required
def branches_export(request):
    scope = _scope(request)
    data = _data(request, scope)
    _form, f = _branch_filters(request)
    rows = selectors.branch_rows(data=data, flag=f["flag"], search=f["q"], sort=f["sort"])
    headers, lines = tables.branch_table(rows, with_parts=request.GET.get("parts") == "1")
    title = _("支部排名") if request.GET.get("parts") == "1" else _("支部情况")
    notes = [_("综合得分只按会前准备、会议召开、民主评议和整改的完成情况计算，不统计点击、登录或在线时长。")]
    return xlsx.xlsx_response(filename=_export_name(scope, title), title=title, headers=headers, rows=lines, notes=notes)


@login_required
def children_export(request):
    scope = _scope(request)
    data = _data(request, scope)
    headers, lines = tables.children_table(data.children, data.totals, scope.node.name)
    return xlsx.xlsx_response(
        filename=_export_name(scope, _("下级组织汇总")), title=_("下级组织汇总"), headers=headers, rows=lines
    )


def _item_filters(request):
    form = ItemFilterForm(request.GET)
    if not form.is_valid():
        return form, "", ""
    return form, form.cleaned_data["state"], form.cleaned_data["q"].strip()


@login_required
def items(request):
    scope = _scope(request)
    form, state, q = _item_filters(request)
    qs = selectors.item_list(node=scope.node, season=scope.season, state=state, search=q)
    return render(
        request,
        "dashboard/items.html",
        {"scope": scope, "form": form, "page": paginate(request, qs, per_page=50)},
    )


@login_required
def items_export(request):
    scope = _scope(request)
    _form, state, q = _item_filters(request)
    today = timezone.localdate()
    qs = selectors.item_list(node=scope.node, season=scope.season, state=state, search=q, today=today)
    rows = [
        [i.branch.name, i.title, i.responsible.name, i.deadline, i.get_status_display(),
         _("是") if i.is_overdue else _("否"),
         timezone.localtime(i.closed_at).date() if i.closed_at else None]
        for i in qs.iterator(chunk_size=2000)
    ]
    headers = [_("党支部"), _("整改事项"), _("责任人"), _("完成时限"), _("状态"), _("逾期"), _("销号日期")]
    return xlsx.xlsx_response(filename=_export_name(scope, _("整改事项")), title=_("整改事项"), headers=headers, rows=rows)


# ---------------------------------------------------------------- supervisors (督导)
def _supervisor(request):
    if not request.user.has_perm("dashboard.use_supervisor_home"):
        raise PermissionDenied
    supervisor = request.user.supervisor
    years = supervision.supervisor_years(supervisor=supervisor)
    form = ScopeForm(request.GET)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return supervisor, years, year


@login_required
def supervisor_home(request):
    supervisor, years, year = _supervisor(request)
    meetings = list(supervision.supervisor_meetings(supervisor=supervisor, year=year))
    comments = supervision.supervisor_comments(supervisor=supervisor, meeting_ids=[m.pk for m in meetings])
    today = timezone.localdate()
    for m in meetings:
        m.phase = meeting_phase(meeting=m, today=today)
        m.comment = comments.get(m.pk, "")
        # "尚未点评" links to where the comment is written (the live record's 督导点评), while it can be written.
        m.comment_url = (
            reverse("meetings:record", args=[m.pk]) + "#speaker-supervisor"
            if not m.comment and not record_closed_reason(meeting=m, today=today) and request.user.has_perm("meetings.record_meeting", m)
            else ""
        )
    forums = list(supervision.supervisor_forums(supervisor=supervisor, year=year))
    return render(
        request,
        "dashboard/supervisor_home.html",
        {
            "supervisor": supervisor, "years": years, "year": year, "meetings": meetings, "forums": forums,
            "forum_members": sum(f.member_participants for f in forums),
            "opinions": paginate(request, supervision.supervisor_forum_opinions(supervisor=supervisor, year=year), per_page=30),
            "attended": sum(1 for m in meetings if m.present),
        },
    )


@login_required
def supervisor_export(request):
    supervisor, _years, year = _supervisor(request)
    if request.GET.get("table") == "opinions":
        rows = [
            [o.received_on, o.meeting.branch.name, o.text, o.get_status_display(), o.answer, o.forum.topic]
            for o in supervision.supervisor_forum_opinions(supervisor=supervisor, year=year)
        ]
        headers = [_("日期"), _("党支部"), _("意见建议"), _("状态"), _("答复/办理情况"), _("座谈会")]
        return xlsx.xlsx_response(
            filename=f"{supervisor.name}-座谈会意见建议.xlsx", title=_("座谈会意见建议"), headers=headers, rows=rows
        )
    if request.GET.get("table") == "forums":
        rows = [
            [f.held_on, f.meeting.branch.name, f.topic, f.place, f.member_participants, f.other_participants,
             f.n_opinions, f.n_done]
            for f in supervision.supervisor_forums(supervisor=supervisor, year=year)
        ]
        headers = [_("召开日期"), _("党支部"), _("座谈主题"), _("地点"), _("党员参加人数"), _("群众等其他人员"),
                   _("收集意见建议"), _("当场答复或已解决")]
        return xlsx.xlsx_response(filename=f"{supervisor.name}-座谈会.xlsx", title=_("座谈会"), headers=headers, rows=rows)
    meetings = list(supervision.supervisor_meetings(supervisor=supervisor, year=year))
    comments = supervision.supervisor_comments(supervisor=supervisor, meeting_ids=[m.pk for m in meetings])
    rows = [
        [m.branch.name, m.year, m.get_kind_display(), m.held_on, m.place, _("是") if m.named else _("否"),
         _("是") if m.present else _("否"), meeting_phase(meeting=m), m.n_forums, m.n_opinions, m.n_forum, m.n_done,
         comments.get(m.pk, "")]
        for m in meetings
    ]
    headers = [_("党支部"), _("年度"), _("类型"), _("召开日期"), _("地点"), _("列为本会督导"), _("到会"), _("状态"),
               _("座谈会（场）"), _("意见建议"), _("座谈会收集"), _("已答复或解决"), _("点评")]
    return xlsx.xlsx_response(filename=f"{supervisor.name}-督导工作.xlsx", title=_("督导工作"), headers=headers, rows=rows)


# ---------------------------------------------------------------- seed 001's figures
def _period(request):
    """The period asked for; without one (or with a bad one) the current year up to today."""
    blank = PeriodForm({})
    blank.is_valid()
    start, end = blank.cleaned_data["start"], blank.cleaned_data["end"]
    if "start" not in request.GET and "end" not in request.GET:
        return PeriodForm(initial={"start": start, "end": end}), start, end
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


@login_required
def supervision_stats(request):
    scope = _scope(request)
    form, start, end = _period(request)
    stats = supervision.supervision_stats(node=scope.node, start=start, end=end)
    chart = {
        "labels": [n.name for n, _f in stats.children],
        "series": {
            str(_("参加组织生活会（场）")): [f.meetings_attended for _n, f in stats.children],
            str(_("座谈会（场）")): [f.forums for _n, f in stats.children],
            str(_("座谈会收集意见建议")): [f.opinions for _n, f in stats.children],
            str(_("当场答复或已解决")): [f.opinions_done for _n, f in stats.children],
        },
    }
    period_query = urlencode({"org": scope.node.pk, "start": start.isoformat(), "end": end.isoformat()})
    return render(
        request,
        "dashboard/supervision_stats.html",
        {"scope": scope, "form": form, "stats": stats, "chart": chart, "period_query": period_query, "period_page": True},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def supervision_stats_export(request):
    scope = _scope(request)
    _form, start, end = _period(request)
    stats = supervision.supervision_stats(node=scope.node, start=start, end=end)
    if request.GET.get("table") == "supervisors":
        headers, rows = tables.supervisor_table(stats)
        title = _("督导个人情况")
    else:
        headers, rows = tables.supervision_table(stats)
        title = _("督导工作统计")
    notes = [_("统计区间：%(s)s 至 %(e)s；范围：%(n)s") % {"s": start, "e": end, "n": scope.node.name}]
    return xlsx.xlsx_response(
        filename=f"{scope.node.name}-{title}-{start}-{end}.xlsx", title=title, headers=headers, rows=rows, notes=notes
    )


# ---------------------------------------------------------------- many branches the same evening (issue 17)
@login_required
def tonight(request):
    scope = _scope(request)
    board = tonight_board(node=scope.node)
    return render(request, "dashboard/tonight.html", {"scope": scope, "board": board, "period_page": True})


@login_required
def tonight_json(request):
    scope = _scope(request)
    response = JsonResponse(board_json(tonight_board(node=scope.node)))
    response["Cache-Control"] = "no-store"
    return response
