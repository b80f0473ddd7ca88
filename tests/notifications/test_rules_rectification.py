"""Rectification items: due in N days, due today, overdue, to the secretary, after M days upward."""

import datetime as dt

import pytest

from notifications.models import Kind
from notifications.rules.rectification import FollowUpDueRule, RectificationItemRule
from organizations.models import Officer
from tests.notifications.conftest import NOW, TODAY
from tests.notifications.factories import make_item
from tests.organizations.factories import UserFactory

DAY = dt.timedelta(days=1)


@pytest.fixture
def ctx(demo_orgs, settings):
    settings.REMINDER_DUE_SOON_DAYS = 3
    settings.REMINDER_ESCALATE_AFTER_DAYS = 7
    return demo_orgs


def kinds_by_user(dues):
    result = {}
    for d in dues:
        result.setdefault(d.recipient_id, set()).add(d.kind)
    return result


def item_for(ctx, deadline, **kw):
    return make_item(branch=ctx.orgs["office"], responsible=ctx.members["office"]["杨丽"], deadline=deadline, **kw)


def test_it_warns_the_responsible_member_n_days_ahead(ctx):
    item = item_for(ctx, TODAY + 3 * DAY)
    dues = RectificationItemRule().run(now=NOW)
    assert [(d.recipient_id, d.kind, d.subject.pk, d.due_date) for d in dues] == [
        (ctx.users["member"].pk, Kind.ITEM_DUE_SOON, item.pk, TODAY + 3 * DAY)
    ]
    from django.urls import reverse

    assert dues[0].url == reverse("rectification:item_detail", args=[item.pk])


def test_it_says_nothing_earlier_than_n_days(ctx):
    item_for(ctx, TODAY + 4 * DAY)
    assert RectificationItemRule().run(now=NOW) == []


def test_it_reminds_on_the_due_day(ctx):
    item_for(ctx, TODAY)
    assert kinds_by_user(RectificationItemRule().run(now=NOW)) == {ctx.users["member"].pk: {Kind.ITEM_DUE_TODAY}}


def test_it_tells_the_member_and_the_secretary_when_overdue(ctx):
    item_for(ctx, TODAY - DAY)
    assert kinds_by_user(RectificationItemRule().run(now=NOW)) == {
        ctx.users["member"].pk: {Kind.ITEM_OVERDUE},
        ctx.users["secretary"].pk: {Kind.ITEM_OVERDUE_SECRETARY},
    }


def test_it_escalates_to_the_township_officer_after_m_days(ctx):
    township_user = UserFactory()
    Officer.objects.create(user=township_user, organization=ctx.orgs["shuifu"], name="水阜镇组织委员")
    item_for(ctx, TODAY - 7 * DAY)
    by_user = kinds_by_user(RectificationItemRule().run(now=NOW))
    assert by_user[township_user.pk] == {Kind.ITEM_ESCALATED}
    # The county officer is not bothered while the township has someone to act.
    assert ctx.users["county"].pk not in by_user


def test_it_escalates_to_the_nearest_officer_when_the_township_has_none(ctx):
    item_for(ctx, TODAY - 10 * DAY)
    assert kinds_by_user(RectificationItemRule().run(now=NOW))[ctx.users["county"].pk] == {Kind.ITEM_ESCALATED}


def test_it_does_not_escalate_before_m_days(ctx):
    item_for(ctx, TODAY - 6 * DAY)
    assert ctx.users["county"].pk not in kinds_by_user(RectificationItemRule().run(now=NOW))


def test_it_follows_the_configured_n_and_m(ctx, settings):
    settings.REMINDER_DUE_SOON_DAYS = 10
    settings.REMINDER_ESCALATE_AFTER_DAYS = 2
    item_for(ctx, TODAY + 10 * DAY)
    item_for(ctx, TODAY - 2 * DAY, title="逾期两天")
    dues = RectificationItemRule().run(now=NOW)
    assert {d.kind for d in dues if d.recipient_id == ctx.users["member"].pk} == {Kind.ITEM_DUE_SOON, Kind.ITEM_OVERDUE}
    assert Kind.ITEM_ESCALATED in {d.kind for d in dues}


def test_it_leaves_closed_items_alone(ctx):
    item_for(ctx, TODAY - 30 * DAY, status="closed", closed_at=NOW - 20 * DAY)
    assert RectificationItemRule().run(now=NOW) == []


def test_it_does_not_chase_the_member_for_an_item_awaiting_verification(ctx):
    item_for(ctx, TODAY - DAY, status="pending")
    assert kinds_by_user(RectificationItemRule().run(now=NOW)) == {
        ctx.users["secretary"].pk: {Kind.ITEM_OVERDUE_SECRETARY}
    }


def test_it_does_not_tell_the_secretary_twice_about_their_own_item(ctx):
    make_item(branch=ctx.orgs["office"], responsible=ctx.members["office"]["李建国"], deadline=TODAY - DAY)
    assert kinds_by_user(RectificationItemRule().run(now=NOW)) == {ctx.users["secretary"].pk: {Kind.ITEM_OVERDUE}}


def test_it_skips_a_responsible_member_without_a_login(ctx):
    make_item(branch=ctx.orgs["office"], responsible=ctx.members["office"]["赵磊"], deadline=TODAY + DAY)
    assert RectificationItemRule().run(now=NOW) == []


# ---------------------------------------------------------------- 回头看
def test_it_reminds_the_secretary_of_a_follow_up_review_due(ctx, settings):
    settings.REMINDER_FOLLOW_UP_AFTER_DAYS = 30
    item = item_for(ctx, TODAY - 40 * DAY, status="closed", closed_at=NOW - 28 * DAY)
    dues = FollowUpDueRule().run(now=NOW)
    assert [(d.recipient_id, d.kind, d.subject.pk, d.due_date) for d in dues] == [
        (ctx.users["secretary"].pk, Kind.FOLLOW_UP_DUE, item.pk, TODAY + 2 * DAY)
    ]
    assert FollowUpDueRule().run(now=NOW - 2 * DAY) == []  # five days ahead: not yet
    assert FollowUpDueRule().run(now=NOW + 3 * DAY) == []  # past the day: the window is over


def test_it_forgets_the_follow_up_once_recorded(ctx):
    from rectification.models import FollowUpReview

    item = item_for(ctx, TODAY - 40 * DAY, status="closed", closed_at=NOW - 29 * DAY)
    FollowUpReview.objects.create(item=item, reviewed_on=TODAY, result="consolidated", reviewer=ctx.users["secretary"])
    assert FollowUpDueRule().run(now=NOW) == []
