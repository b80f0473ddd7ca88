"""Demo data for the upward review (上报审核): on 皋兰县's season, 水阜镇机关党支部's plan was returned by the
county with a reason (the secretary sees it on the meeting page and resubmits), 燕儿坪村党支部's plan and
report were approved, and 砂岗村第二党支部's report (it met yesterday) waits for review. 水阜镇 has no officer
account in the demo, so `county` (赵组织, above the township) reviews."""

from __future__ import annotations

from meetings.models import Meeting

from . import selectors
from .models import Filing, FilingEvent, Kind, State

SEASON_BRANCHES = ("office", "shagang1", "shagang2", "yanerping")
RETURN_REASON = "议程中缺少书记对每名党员的讲评环节，会前学习也未列出时间和内容，请补充后重新报送。"


def _file(meeting: Meeting, kind: str, steps: list[tuple[str, object, str, object, str]]) -> None:
    """A filing with its history: steps are (action, user, name, at, reason), oldest first."""
    if Filing.objects.filter(meeting=meeting, kind=kind).exists():
        return  # a second seed_demo within the season keeps what people did with it
    content = selectors.content_for(meeting=meeting, kind=kind)
    submits = [s for s in steps if s[0] in ("submit", "resubmit")]
    last_submit, last = submits[-1], steps[-1]
    state = {"submit": State.PENDING, "resubmit": State.PENDING, "return": State.RETURNED, "approve": State.APPROVED}[last[0]]
    returns = [s for s in steps if s[0] == "return"]
    filing = Filing.objects.create(
        meeting=meeting, branch=meeting.branch, kind=kind, state=state,
        reviewer=selectors.reviewer_for(branch=meeting.branch), content=content,
        submitted_at=last_submit[3], submissions=len(submits),
        reviewed_at=last[3] if last[0] in ("return", "approve") else None,
        return_reason=returns[-1][4] if returns else "",
    )
    FilingEvent.objects.bulk_create(
        FilingEvent(filing=filing, action=action, actor=user, actor_name=name, at=at, reason=reason,
                    content=content if action in ("submit", "resubmit") else [])
        for action, user, name, at, reason in steps
    )


def seed(ctx) -> None:
    season, users = ctx.season, ctx.users
    secretary, county = users.get("secretary"), users.get("county")
    office = Meeting.objects.filter(branch=ctx.orgs["office"], year=season.year, kind=Meeting.Kind.ANNUAL).first()
    if office is not None and office.held_on:
        _file(office, Kind.PLAN, [
            ("submit", secretary, "李建国", season.at(-3, 9, 30), ""),
            ("return", county, "赵组织", season.at(-1, 15, 10), RETURN_REASON),
        ])
    for key, with_report_approved in (("yanerping", True), ("shagang2", False)):
        meeting = Meeting.objects.filter(branch=ctx.orgs[key], year=season.year, kind=Meeting.Kind.ANNUAL,
                                         closed_at__isnull=False, held_on__isnull=False).first()
        if meeting is None:
            continue
        secretary_name = next((m.name for m in ctx.members[key].values() if m.is_secretary), "")
        offset = (meeting.held_on - season.anchor).days
        _file(meeting, Kind.PLAN, [
            ("submit", None, secretary_name, season.at(offset - 12, 10), ""),
            ("approve", county, "赵组织", season.at(offset - 11, 16), "方案完整，同意按期召开。"),
        ])
        report = [("submit", None, secretary_name, season.at(offset + 1 if with_report_approved else offset, 20), "")]
        if with_report_approved:
            report.append(("approve", county, "赵组织", season.at(offset + 3, 11), ""))
        _file(meeting, Kind.REPORT, report)


def reset(ctx) -> None:
    Filing.objects.filter(branch__in=[ctx.orgs[key] for key in SEASON_BRANCHES]).delete()
