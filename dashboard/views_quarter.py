"""The quarterly work ranking's pages (issue 18 item 5): an officer's ranking of the branches under a node,
its .xlsx and its publication to a township's branches; the branch-facing page of what was published."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import RankingPublication
from activities.rhythm import QUARTER_LABELS, Quarter
from branchlife import xlsx
from branchlife.views import get_for_user, int_or_none
from organizations.models import Organization

from .forms_quarter import QuarterFilterForm, QuarterForm
from .quarter_ranking import (
    MEETING_STEPS,
    PARTS,
    TOWNSHIP,
    QuarterRow,
    last_ended_quarter,
    published_rows,
    quarter_ranking,
    quarter_rows,
    ranking_publish,
    township_of,
)
from .views import Scope, _scope


@dataclass
class Ranking:
    scope: Scope
    form: QuarterForm
    filters: QuarterFilterForm
    quarter: Quarter
    rows: list[QuarterRow]

    @property
    def query(self) -> str:
        return urlencode({"org": self.scope.node.pk, "year": self.quarter.year, "quarter": self.quarter.quarter})

    @property
    def export_query(self) -> str:
        f = self.filters.cleaned_data if self.filters.is_valid() else {}
        return f"{self.query}&{urlencode({k: f.get(k) or '' for k in ('show', 'q', 'sort')})}"


def _quarter(request, data, today) -> tuple[QuarterForm, Quarter]:
    form = QuarterForm(data, today=today)
    if form.is_valid():
        return form, form.cleaned_data["chosen"]
    messages.error(request, _("季度选择有误，已显示上一季度：%(e)s") % {"e": "；".join(m for ms in form.errors.values() for m in ms)})
    return form, last_ended_quarter(today)


def _ranking(request) -> Ranking:
    """Access first (the dashboards' node, then the ranking's permission on it), then the rows."""
    scope = _scope(request)
    if not request.user.has_perm("activities.view_quarter_ranking", scope.node):
        raise PermissionDenied
    today = timezone.localdate()
    form, quarter = _quarter(request, request.GET, today)
    rows = quarter_ranking(node=scope.node, year=quarter.year, quarter=quarter.quarter, today=today)
    filters = QuarterFilterForm(request.GET)
    f = filters.cleaned_data if filters.is_valid() else {}
    rows = quarter_rows(rows=rows, show=f.get("show", ""), search=f.get("q", "").strip(), sort=f.get("sort") or "rank")
    return Ranking(scope, form, filters, quarter, rows)


@login_required
def quarter_ranking_page(request):
    r = _ranking(request)
    node, today = r.scope.node, timezone.localdate()
    is_township = node.level == TOWNSHIP
    publication = (
        RankingPublication.objects.filter(organization=node, year=r.quarter.year, quarter=r.quarter.quarter)
        .select_related("published_by").defer("rows").first() if is_township else None
    )
    return render(request, "dashboard/quarter_ranking.html", {
        "scope": r.scope, "period_page": True, "form": r.filters, "quarter": r.quarter, "query": r.query,
        "years": sorted({*range(today.year, today.year - 5, -1), r.quarter.year}, reverse=True),
        "quarters": list(QUARTER_LABELS.items()), "export_query": r.export_query, "page": Paginator(r.rows, 50).get_page(request.GET.get("page")), "count": len(r.rows),
        "parts": PARTS, "steps": MEETING_STEPS, "ended": r.quarter.ended(today), "is_township": is_township,
        "publication": publication,
        "can_publish": is_township and r.quarter.ended(today) and request.user.has_perm("activities.publish_quarter_ranking", node),
    })


def export_table(rows: list[QuarterRow]) -> tuple[list[str], list[list]]:
    headers = [_("排名"), _("党支部"), _("上级组织"), _("得分"), *[str(label) for _k, label, _p in PARTS],
               _("上季度排名"), _("位次变化"), _("三会一课已开展（项）"), _("三会一课未开展（项）"), _("未开展的类型"),
               *[str(label) for _k, label, _p in MEETING_STEPS], _("本季度到期整改事项"), _("按期销号"), _("逾期事项")]
    lines = [
        [r.rank, r.name, " / ".join(r.parent_names), r.score, *r.part_values, r.previous_rank, r.movement,
         r.rhythm_met, r.rhythm_missing, "、".join(r.missing_kind_labels),
         *[_("是") if done else _("否") for _label, done in r.step_labels], r.items_due, r.items_on_time, r.items_overdue]
        for r in rows
    ]
    return headers, lines


@login_required
def quarter_ranking_export(request):
    r = _ranking(request)
    headers, lines = export_table(r.rows)
    title = _("季度工作排位")
    notes = [
        _("%(node)s %(quarter)s，统计日期：%(today)s。") % {"node": r.scope.node.name, "quarter": r.quarter.label, "today": timezone.localdate()},
        _("排位只看记录的工作：三会一课和主题党日 50 分，年度组织生活会进度 25 分，整改落实 25 分；不统计点击、登录或在线时长。"),
    ]
    return xlsx.xlsx_response(filename=f"{r.scope.node.name}-{r.quarter.label}-{title}.xlsx", title=title,
                              headers=headers, rows=lines, notes=notes)


@login_required
@require_POST
def quarter_ranking_publish(request):
    node = get_for_user(request.user, "activities.publish_quarter_ranking", Organization, pk=int_or_none(request.POST.get("org")))
    today = timezone.localdate()
    form, quarter = _quarter(request, request.POST, today)
    if form.is_valid():
        try:
            ranking_publish(node=node, year=quarter.year, quarter=quarter.quarter, user=request.user, today=today)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已向所属支部发布%(quarter)s的工作排位。") % {"quarter": quarter.label})
    query = urlencode({"org": node.pk, "year": quarter.year, "quarter": quarter.quarter})
    return redirect(f"{reverse('dashboard:quarter_ranking')}?{query}")


@login_required
def quarter_published(request, branch_pk: int):
    branch = get_for_user(request.user, "activities.view_published_ranking",
                          Organization.objects.filter(level=Organization.Level.BRANCH), pk=branch_pk)
    township = township_of(branch)
    publications = list(
        RankingPublication.objects.filter(organization=township).order_by("-year", "-quarter").defer("rows")
    ) if township else []
    wanted = (int_or_none(request.GET.get("year")), int_or_none(request.GET.get("quarter")))
    chosen = next((p for p in publications if (p.year, p.quarter) == wanted), publications[0] if publications else None)
    rows = published_rows(RankingPublication.objects.get(pk=chosen.pk)) if chosen else []
    return render(request, "dashboard/quarter_published.html", {
        "branch": branch, "township": township, "publications": [(p, Quarter(p.year, p.quarter)) for p in publications],
        "chosen": chosen, "quarter": Quarter(chosen.year, chosen.quarter) if chosen else None, "rows": rows,
        "mine": next((r for r in rows if r.id == branch.pk), None), "parts": PARTS, "steps": MEETING_STEPS,
    })
