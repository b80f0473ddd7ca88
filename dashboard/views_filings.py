"""The dashboards' upward-review page (issue 19 item 1): each branch's plan and report state for the node and
season, counts per state, the child nodes' roll-up with drill-down, a filtered list and its .xlsx."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchlife import xlsx

from .filings_board import FilingBoard, FilingRow, export_table, filing_board, filing_rows, show_choices
from .views import Scope, _scope


class FilingFilterForm(forms.Form):
    show = forms.ChoiceField(label=gettext_lazy("筛选"), required=False)
    q = forms.CharField(label=gettext_lazy("支部名称"), required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show"].choices = show_choices()


@dataclass
class Filings:
    scope: Scope
    filters: FilingFilterForm
    board: FilingBoard
    rows: list[FilingRow]

    @property
    def list_query(self) -> str:
        f = self.filters.cleaned_data if self.filters.is_valid() else {}
        return f"{self.scope.query}&{urlencode({k: f.get(k) or '' for k in ('show', 'q')})}"


def _filings(request) -> Filings:
    """Access first (the dashboards' node and season), then the rows."""
    scope = _scope(request)
    board = filing_board(node=scope.node, year=scope.season.year, kind=scope.season.kind)
    filters = FilingFilterForm(request.GET)
    f = filters.cleaned_data if filters.is_valid() else {}
    return Filings(scope, filters, board, filing_rows(rows=board.rows, show=f.get("show", ""), search=f.get("q", "").strip()))


@login_required
def filings_page(request):
    r = _filings(request)
    show = r.filters.cleaned_data.get("show", "") if r.filters.is_valid() else ""
    return render(request, "dashboard/filings.html", {
        "scope": r.scope, "board": r.board, "totals": r.board.totals, "form": r.filters, "list_query": r.list_query,
        "count": len(r.rows), "page": Paginator(r.rows, 50).get_page(request.GET.get("page")),
        "show_label": dict(r.filters.fields["show"].choices).get(show, "") if show else "",
    })


@login_required
def filings_export(request):
    r = _filings(request)
    headers, lines = export_table(r.rows)
    title = _("上报审核情况")
    season = r.scope.season
    notes = [
        _("%(node)s %(year)s年度%(kind)s，统计日期：%(today)s。")
        % {"node": r.scope.node.name, "year": season.year, "kind": _("专题组织生活会") if season.kind == "special" else _("组织生活会"),
           "today": timezone.localdate()},
        _("状态：未报（尚未报送）、待审（已报送，等待审核）、退回（上级退回，待支部修改后重新报送）、已通过。"),
    ]
    return xlsx.xlsx_response(filename=f"{r.scope.node.name}-{season.year}-{title}.xlsx", title=title,
                              headers=headers, rows=lines, notes=notes)
