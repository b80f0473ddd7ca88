"""What a reminder rule is, and the helpers rules share (recipients, links, windows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from branchlife.dates import cn_date
from organizations.models import Member, Officer, Organization


@dataclass(frozen=True)
class Due:
    """One reminder the current state calls for."""

    recipient_id: int
    kind: str
    subject: models.Model
    due_date: dt.date
    title: str
    body: str
    url: str

    @property
    def subject_type_id(self) -> int:
        return ContentType.objects.get_for_model(self.subject).pk

    @property
    def key(self) -> tuple:
        return (self.recipient_id, self.subject_type_id, self.subject.pk, self.kind, self.due_date)


class Rule:
    """One source of reminders: what it reads, it imports (notifications sits above the apps it reads)."""

    name: str = ""
    kinds: tuple[str, ...] = ()
    subject_model: str = ""  # "app_label.model", the object the reminders are about

    def run(self, *, now: dt.datetime, subject: models.Model | None = None) -> list[Due]:
        return list(self.collect(now=now, today=timezone.localdate(now), subject=subject))

    def collect(self, *, now: dt.datetime, today: dt.date, subject: models.Model | None) -> Iterable[Due]:
        """Every reminder due now; with `subject`, only those about that one object (the send-time check)."""
        raise NotImplementedError


# ---------------------------------------------------------------- shared helpers
def due_soon_days() -> int:
    return settings.REMINDER_DUE_SOON_DAYS


def escalate_after_days() -> int:
    return settings.REMINDER_ESCALATE_AFTER_DAYS


def follow_up_after_days() -> int:
    return settings.REMINDER_FOLLOW_UP_AFTER_DAYS


def link(name: str, *args, fallback: str = "notifications:list") -> str:
    """A path to the page where the thing is done; pages of apps not built yet fall back."""
    for candidate, candidate_args in ((name, args), (fallback, ())):
        try:
            return reverse(candidate, args=candidate_args)
        except NoReverseMatch:
            continue
    return "/"


def with_accounts(members: Iterable[Member]) -> Iterator[Member]:
    """Members who can be reminded: on the roll and with a login (others work on paper)."""
    for member in members:
        if member.user_id and member.is_active:
            yield member


def secretaries_by_branch(branch_ids: Iterable[int]) -> dict[int, list[Member]]:
    """The secretary and deputy secretaries (with logins) of each branch."""
    result: dict[int, list[Member]] = {}
    qs = Member.objects.filter(
        branch_id__in=set(branch_ids),
        is_active=True,
        user__isnull=False,
        committee_post__in=Member.SECRETARY_POSTS,
    ).order_by("branch_id", "committee_post", "id")
    for member in qs:
        result.setdefault(member.branch_id, []).append(member)
    return result


def officers_above(branch: Organization) -> list[Officer]:
    """The officers of the township (乡镇党委) above a branch; if that township has no officer account,
    those of the nearest node above it that has one (so an escalation never goes nowhere)."""
    ancestors = list(branch.get_ancestors())  # root first
    officers_by_org: dict[int, list[Officer]] = {}
    for officer in Officer.objects.filter(organization__in=ancestors, user__is_active=True).order_by("id"):
        officers_by_org.setdefault(officer.organization_id, []).append(officer)
    townships = [a for a in ancestors if a.level == Organization.Level.TOWNSHIP]
    if townships and officers_by_org.get(townships[-1].pk):
        return officers_by_org[townships[-1].pk]
    for ancestor in reversed(ancestors):
        if officers_by_org.get(ancestor.pk):
            return officers_by_org[ancestor.pk]
    return []


def fmt_date(day: dt.date) -> str:
    return cn_date(day)


def lookback_start(now: dt.datetime) -> dt.datetime:
    """Events before this are history, not news (settings.NOTICE_LOOKBACK_DAYS)."""
    return now - dt.timedelta(days=settings.NOTICE_LOOKBACK_DAYS)


def branch_members(branch_ids: Iterable[int]) -> dict[int, list[Member]]:
    """Everyone on each branch's roll who can be told in the app (active, with an active login)."""
    result: dict[int, list[Member]] = {}
    qs = Member.objects.filter(branch_id__in=set(branch_ids), is_active=True, user__is_active=True)
    for member in qs.order_by("branch_id", "id"):
        result.setdefault(member.branch_id, []).append(member)
    return result


def fmt_time(value) -> str:
    return f"{value:%H:%M}" if value else ""
