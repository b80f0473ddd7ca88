"""Who changed what of people and roles under a node, read from django-simple-history's tables.

The history is append-only and kept by the library (HistoricalRecords on Member, Officer, Supervisor and
ActivationCode, the request's user recorded by its middleware). Ballots, ballot marks and participation
rows are never registered with it: the anonymity of a vote must not gain a second copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from .accounts import people
from .models import ActivationCode, Member, Officer, Organization, Supervisor


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    by: str
    subject: str
    what: str


@dataclass(frozen=True)
class _Raw:
    """An event before names are put on the people in it (all at once, see people_history)."""

    at: dt.datetime
    by: object  # the acting user, or None for the system / an anonymous activation
    subject: object  # a name, or a user whose name is looked up
    what: str


def _previous(model, rows) -> dict[int, object]:
    """Each row's previous version, in one query (history_id → row)."""
    if not rows:
        return {}
    history = model.history.model
    ids = {r.id for r in rows}
    earlier = history.objects.filter(id__in=ids, history_date__lte=max(r.history_date for r in rows)).order_by(
        "id", "history_date", "history_id"
    )
    previous, last = {}, {}
    for row in earlier:
        previous[row.history_id] = last.get(row.id)
        last[row.id] = row
    return previous


def _member_events(node: Organization, limit: int) -> list[_Raw]:
    rows = list(
        Member.history.filter(branch__path__startswith=node.path)
        .select_related("history_user", "branch")
        .order_by("-history_date")[:limit]
    )
    previous = _previous(Member, rows)
    posts = dict(Member.Post.choices)
    events = []
    for row in rows:
        before = previous.get(row.history_id)
        changes = []
        if row.history_type == "+" or before is None:
            changes.append(_("加入%(branch)s名册") % {"branch": row.branch})
        else:
            if before.committee_post != row.committee_post:
                changes.append(
                    _("支委职务：%(a)s → %(b)s") % {"a": posts.get(before.committee_post), "b": posts.get(row.committee_post)}
                )
            if before.is_active and not row.is_active:
                changes.append(_("移出名册，账号停用"))
            if not before.is_active and row.is_active:
                changes.append(_("恢复在册"))
            if before.user_id is None and row.user_id is not None:
                changes.append(_("开通账号"))
            if before.branch_id != row.branch_id:
                changes.append(_("转入%(branch)s") % {"branch": row.branch})
        if row.history_change_reason:
            changes.append(row.history_change_reason)
        if changes:
            events.append(_Raw(row.history_date, row.history_user, row.name, "；".join(changes)))
    return events


def _officer_events(node: Organization, limit: int) -> list[_Raw]:
    rows = Officer.history.filter(organization__path__startswith=node.path).select_related(
        "history_user", "organization"
    ).order_by("-history_date")[:limit]
    words = {"+": _("任命为%(org)s干部"), "-": _("撤销%(org)s干部权限"), "~": _("干部信息修改（%(org)s）")}
    return [
        _Raw(r.history_date, r.history_user, r.name, words[r.history_type] % {"org": r.organization}) for r in rows
    ]


def _supervisor_events(node: Organization, limit: int) -> list[_Raw]:
    current = Supervisor.objects.filter(
        Q(branches__path__startswith=node.path) | Q(organization__path__startswith=node.path)
    ).values("pk")
    rows = list(
        Supervisor.history.filter(Q(id__in=current) | Q(organization__path__startswith=node.path))
        .select_related("history_user")
        .prefetch_related("historicalsupervisor_branches_set__organization")
        .order_by("-history_date")[:limit]
    )
    events = []
    for row in rows:
        branches = [link.organization for link in row.historicalsupervisor_branches_set.all()]
        here = "、".join(sorted(b.name for b in branches if b.path.startswith(node.path)))
        if row.history_type == "+":
            what = _("添加为督导")
        elif row.history_type == "-":
            what = _("撤销督导")
        else:
            what = _("联系督导的支部：%(names)s") % {"names": here or _("无")}
        events.append(_Raw(row.history_date, row.history_user, row.name, what))
    return events


def _code_events(node: Organization, limit: int) -> list[_Raw]:
    within = node.path
    users = (
        Q(user__member__branch__path__startswith=within)
        | Q(user__officer__organization__path__startswith=within)
        | Q(user__supervisor__organization__path__startswith=within)
    )
    rows = list(
        ActivationCode.history.filter(
            user_id__in=ActivationCode.objects.filter(users).values("user_id")
        )
        .select_related("history_user", "user")
        .order_by("-history_date")[:limit]
    )
    previous = _previous(ActivationCode, rows)
    purposes = dict(ActivationCode.Purpose.choices)
    events = []
    for row in rows:
        before = previous.get(row.history_id)
        if row.history_type == "+":
            what = _("发放激活码（%(purpose)s）") % {"purpose": purposes[row.purpose]}
        elif before is not None and before.used_at is None and row.used_at is not None:
            what = _("用激活码设置了密码（%(purpose)s）") % {"purpose": purposes[row.purpose]}
        elif before is not None and before.revoked_at is None and row.revoked_at is not None:
            what = _("旧激活码作废")
        else:
            continue
        events.append(_Raw(row.history_date, row.history_user, row.user, what))
    return events


def people_history(*, node: Organization, limit: int = 300) -> list[Event]:
    """The latest account and role events under `node`, newest first (a handful of queries whatever the
    size of the history or the number of people in it)."""
    raw = sorted(
        [*_member_events(node, limit), *_officer_events(node, limit), *_supervisor_events(node, limit), *_code_events(node, limit)],
        key=lambda e: e.at,
        reverse=True,
    )[:limit]
    users = {e.by.pk: e.by for e in raw if e.by is not None}
    users.update({e.subject.pk: e.subject for e in raw if not isinstance(e.subject, str)})
    named = people(users.values())

    def name(who) -> str:
        if who is None:
            return _("系统")
        return who if isinstance(who, str) else named[who.pk].name

    return [Event(e.at, name(e.by), name(e.subject), e.what) for e in raw]
