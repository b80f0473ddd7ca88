"""The dashboard's tables as (headers, rows) for the .xlsx exports (branchlife.xlsx)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from branchlife.xlsx import Percent

from .scoring import GRADE_LABELS, GRADES, SCORE_PARTS, BranchRow, Totals


def _pct(value) -> Percent:
    return Percent(value)


def branch_table(rows: list[BranchRow], *, with_parts: bool = False) -> tuple[list[str], list[list]]:
    headers = [
        _("排名"), _("党支部"), _("所属"), _("综合得分"), _("党员数"), _("进度"), _("召开日期"),
        _("意见建议"), _("已答复或解决"), _("谈心谈话（已谈）"), _("谈心谈话（应谈）"), _("对照检查（已交）"),
        _("对照检查（应交）"), _("民主评议"), *map(str, GRADE_LABELS),
        _("整改事项"), _("已销号"), _("逾期"), _("待督促事项"),
    ]
    if with_parts:
        headers += [str(label) for _key, label, _points in SCORE_PARTS]
    out = []
    for r in rows:
        line = [
            r.rank, r.name, " / ".join(r.parent_names), r.score, r.members, r.stage, r.held_on,
            r.opinions, r.opinions_done, r.talks_done, r.talks_required, r.reviews_done, r.reviews_required,
            _("已评定") if r.evaluations_determined else (_("已开展") if r.evaluations else _("未开展")),
            *[r.grades.get(g, 0) for g in GRADES],
            r.items, r.items_closed, r.items_overdue, "、".join(r.flag_labels),
        ]
        if with_parts:
            line += [r.parts.get(key) for key, _label, _points in SCORE_PARTS]
        out.append(line)
    return headers, out


def totals_line(name: str, t: Totals) -> list:
    return [
        name, t.branches, t.members, t.branches_with_meeting, t.held, t.opinions, t.opinions_done,
        _pct(t.percent("talks_done", "talks_required")), _pct(t.percent("reviews_done", "reviews_required")),
        t.evaluations_determined, *[t.grades.get(g, 0) for g in GRADES], t.items, t.items_closed,
        t.items_overdue, _pct(t.percent("items_closed", "items")), t.average_score, t.behind,
    ]


def children_table(children, totals: Totals, node_name: str) -> tuple[list[str], list[list]]:
    headers = [
        _("组织"), _("支部数"), _("党员数"), _("已安排会议的支部"), _("已召开"), _("意见建议"), _("已答复或解决"),
        _("谈心谈话完成率"), _("对照检查提交率"), _("已完成评议"), *map(str, GRADE_LABELS), _("整改事项"), _("已销号"),
        _("逾期"), _("销号率"), _("平均得分"), _("待督促支部"),
    ]
    rows = [totals_line(c.node.name, c.totals) for c in children]
    rows.append(totals_line(_("%(name)s 合计") % {"name": node_name}, totals))
    return headers, rows


def supervision_table(stats) -> tuple[list[str], list[list]]:
    headers = [
        _("组织"), _("督导人数"), _("参加组织生活会（场）"), _("督导参会（人次）"), _("会议到会党员（人次）"),
        _("座谈会（场）"), _("党员参加座谈会（人次）"), _("群众等其他人员（人次）"), _("座谈会收集意见建议"),
        _("当场答复或已解决"),
    ]

    def line(name, f):
        return [name, f.supervisors_active, f.meetings_attended, f.attendances, f.members_present, f.forums,
                f.members_reached, f.others_reached, f.opinions, f.opinions_done]

    rows = [line(n.name, f) for n, f in stats.children]
    rows.append(line(_("合计"), stats.totals))
    return headers, rows


def supervisor_table(stats) -> tuple[list[str], list[list]]:
    headers = [_("督导"), _("职务"), _("参加组织生活会（场）"), _("会议到会党员（人次）"), _("座谈会（场）"),
               _("党员参加座谈会（人次）"), _("群众等其他人员（人次）"), _("座谈会收集意见建议"), _("当场答复或已解决")]
    rows = [[name, title, f.meetings_attended, f.members_present, f.forums, f.members_reached, f.others_reached,
             f.opinions, f.opinions_done]
            for name, title, f in stats.by_supervisor]
    return headers, rows
