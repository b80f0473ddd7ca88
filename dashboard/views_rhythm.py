"""The dashboards' quarter view of 三会一课 and 主题党日 (issue 18 item 2): summary, chart, the child nodes'
roll-up, the list of branches with a cell per kind, and its .xlsx."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.rhythm import DEFAULT_RULES, QUARTER_LABELS, Quarter, Rule
from branchlife import xlsx

from .forms_rhythm import RhythmFilterForm, RhythmQuarterForm
from .rhythm_board import RhythmBoard, RhythmRow, export_table, rhythm_board, rhythm_rows
from .views import Scope, _scope


@dataclass
class Rhythm:
    scope: Scope
    form: RhythmQuarterForm
    filters: RhythmFilterForm
    board: RhythmBoard
    rows: list[RhythmRow]

    @property
    def query(self) -> str:
        q = self.board.quarter
        return urlencode({"org": self.scope.node.pk, "year": q.year, "quarter": q.quarter})

    @property
    def list_query(self) -> str:
        f = self.filters.cleaned_data if self.filters.is_valid() else {}
        return f"{self.query}&{urlencode({k: f.get(k) or '' for k in ('show', 'q', 'sort')})}"


def _rhythm(request) -> Rhythm:
    """Access first (the dashboards' node), then the quarter (the running one by default), then the rows."""
    scope = _scope(request)
    today = timezone.localdate()
    form = RhythmQuarterForm(request.GET, today=today)
    if form.is_valid():
        quarter = form.cleaned_data["chosen"]
    else:
        quarter = Quarter.of(today)
        messages.error(request, _("季度选择有误，已显示本季度：%(e)s") % {"e": "；".join(m for ms in form.errors.values() for m in ms)})
    board = rhythm_board(node=scope.node, quarter=quarter, today=today)
    filters = RhythmFilterForm(request.GET)
    f = filters.cleaned_data if filters.is_valid() else {}
    rows = rhythm_rows(rows=board.rows, show=f.get("show", ""), search=f.get("q", "").strip(), sort=f.get("sort") or "missing")
    return Rhythm(scope, form, filters, board, rows)


def _chart(board: RhythmBoard) -> dict:
    kinds = board.totals.kind_rows
    return {
        "labels": [label for _k, label, _m, _p, _t in kinds],
        "missing": {"name": _("未开展的支部"), "data": [m for _k, _l, m, _p, _t in kinds]},
        "pending": {"name": _("本期待开展的支部"), "data": [p for _k, _l, _m, p, _t in kinds]},
    }


@login_required
def rhythm_page(request):
    r = _rhythm(request)
    today, q = timezone.localdate(), r.board.quarter
    show = r.filters.cleaned_data.get("show", "") if r.filters.is_valid() else ""
    return render(request, "dashboard/rhythm.html", {
        "scope": r.scope, "period_page": True, "board": r.board, "totals": r.board.totals, "quarter": q,
        "form": r.filters, "query": r.query, "list_query": r.list_query, "count": len(r.rows),
        "page": Paginator(r.rows, 50).get_page(request.GET.get("page")),
        "show_label": dict(r.filters.fields["show"].choices).get(show, "") if show else "",
        "years": sorted({*range(today.year, today.year - 5, -1), q.year}, reverse=True),
        "quarters": list(QUARTER_LABELS.items()), "chart": _chart(r.board),
        "default_rules": [Rule(kind=k, period=p, times=n) for k, (p, n) in DEFAULT_RULES.items()],
    })


@login_required
def rhythm_export(request):
    r = _rhythm(request)
    headers, lines = export_table(r.rows)
    title = _("三会一课开展情况")
    notes = [
        _("%(node)s %(quarter)s，统计日期：%(today)s。")
        % {"node": r.scope.node.name, "quarter": r.board.quarter.label, "today": timezone.localdate()},
        _("“应开展”按各周期（每月、每季度等）的要求计，只计在本季度内结束的周期，党小组会按每个党小组计；"
          "周期已结束仍未开展的计为“未开展”，尚在进行中的计为“本期待开展”。"),
    ]
    return xlsx.xlsx_response(filename=f"{r.scope.node.name}-{r.board.quarter.label}-{title}.xlsx", title=title,
                              headers=headers, rows=lines, notes=notes)
