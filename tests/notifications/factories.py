"""Builders for the sources the reminder rules read: meetings, evaluations, rectification items."""

import datetime as dt

import factory

from organizations.models import Member
from tests.organizations.factories import MemberFactory, UserFactory


def member_with_account(branch, *, name=None, post="", email="") -> Member:
    user = UserFactory(email=email)
    kwargs = {"branch": branch, "user": user, "committee_post": post}
    if name:
        kwargs["name"] = name
    return MemberFactory(**kwargs)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Meeting"

    year = 2026
    kind = "annual"


def make_item(*, branch, responsible, deadline: dt.date, status="in_progress", title="整改事项", **extra):
    from rectification.models import RectificationItem

    return RectificationItem.objects.create(
        branch=branch,
        responsible=responsible,
        deadline=deadline,
        status=status,
        title=title,
        goal="目标",
        measures="措施",
        commitment="承诺",
        **extra,
    )
