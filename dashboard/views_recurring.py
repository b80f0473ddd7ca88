"""The recurring-problems page (issue 20 item 4, "屡改屡在"): a branch's or an officer's subtree's problems
that came back, by theme, by child node (drill-down) and by branch, the members with most recurrences
(names only for one branch), 整改不到位, the 约谈督促 flag, a chart and the .xlsx. Reads in
dashboard/recurring.py; who may see what in branchlife/permissions.py (`dashboard.view_recurring*`)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from branchlife import xlsx
from branchlife.permissions import actor_of
from branchlife.views import get_for_user, int_or_none
from organizations.models import Organization

from . import selectors
from .recurring import (
    RecurringBoard,
    board_rows,
    export_table,
    recurring_board,
    recurring_years,
    show_choices,
)


@dataclass
class Recurring:
    node: Organization
    ancestors: list[Organization]
    years: list[int]
    board: RecurringBoard
    show: str

    @property
    def query(self) -> str:
        return urlencode({"org": self.node.pk, "year": self.board.year})


def _recurring(request) -> Recurring:
    """Access first: the node asked for (404, then 403) or the user's own (an officer's node, a committee
    member's branch); then the year (the latest with a closed meeting by default) and the board."""
    user = request.user
    pk = int_or_none(request.GET.get("org"))
    top = selectors.home_node(user=user)
    if top is None and actor_of(user).member is not None:
        top = actor_of(user).member.branch
    if request.GET.get("org") and pk is None:
        messages.error(request, _("组织编号有误，已显示您所在的组织。"))
    node = get_for_user(user, "dashboard.view_recurring", Organization, pk=pk) if pk else top
    if node is None or not user.has_perm("dashboard.view_recurring", node):
        raise PermissionDenied
    years, default = recurring_years(node=node)
    year = int_or_none(request.GET.get("year"))
    if request.GET.get("year") and year not in years:
        messages.error(request, _("所选年度没有组织生活会，已显示默认年度。"))
        year = None
    year = year or default or timezone.localdate().year
    names = user.has_perm("dashboard.view_recurring_names", node)
    show = request.GET.get("show", "")
    show = show if show in dict(show_choices()) else ""
    return Recurring(node, selectors.ancestors_within(node=node, top=top), years,
                     recurring_board(node=node, year=year, names=names), show)


def _chart(board: RecurringBoard) -> dict:
    themes = [t for t in board.themes if t.counts.problems]
    return {
        "labels": [t.label for t in themes],
        "series": [
            {"name": _("往年问题再次出现"), "data": [t.counts.recurred for t in themes]},
            {"name": _("连续两年"), "data": [t.counts.running2 for t in themes]},
            {"name": _("连续三年"), "data": [t.counts.running3 for t in themes]},
        ],
    }


@login_required
def recurring_page(request):
    r = _recurring(request)
    rows = board_rows(rows=r.board.rows, show=r.show)
    return render(request, "dashboard/recurring.html", {
        "r": r, "node": r.node, "board": r.board, "totals": r.board.totals, "years": r.years, "count": len(rows),
        "page": Paginator(rows, 50).get_page(request.GET.get("page")), "show_choices": show_choices(),
        "chart": _chart(r.board),
        "is_branch": r.node.level == Organization.Level.BRANCH,
    })


@login_required
def recurring_export(request):
    r = _recurring(request)
    headers, lines = export_table(board_rows(rows=r.board.rows, show=r.show))
    title = _("屡改屡在问题统计")
    notes = [
        _("%(node)s %(year)s 年度，统计日期：%(today)s。")
        % {"node": r.node.name, "year": r.board.year, "today": timezone.localdate()},
        _("“再次出现”：同一党员往年在本支部查摆过的同类问题（按语义比对）；“整改不到位”：往年对应的整改事项已销号，问题又出现；"
          "建议约谈督促：有问题连续三年出现，或整改不到位的问题达到 2 个。"),
    ]
    return xlsx.xlsx_response(filename=f"{r.node.name}-{r.board.year}年度-{title}.xlsx", title=title,
                              headers=headers, rows=lines, notes=notes)
