import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rectification import selectors, services
from rectification.models import FollowUpReview, RectificationItem

from .factories import ItemFactory


def _close(item, member_user, secretary_user):
    services.item_progress_post(item=item, actor=member_user, note="已完成学习")
    services.item_submit(item=item, actor=member_user, note="请核验")
    return services.rectification_item_close(item=item, actor=secretary_user, note="到位")


def test_the_first_progress_starts_the_item(item, member_user):
    services.item_progress_post(item=item, actor=member_user, note="开始学习")
    item.refresh_from_db()
    assert item.status == "in_progress"
    assert list(item.history.values_list("action", flat=True)) == ["created", "progress", "started"]
    assert item.progress.get().author_name == "杨丽"


def test_it_submits_for_verification(item, member_user):
    services.item_progress_post(item=item, actor=member_user, note="做了")
    services.item_submit(item=item, actor=member_user)
    item.refresh_from_db()
    assert item.status == "pending" and item.history.last().action == "submitted"


def test_it_refuses_to_submit_without_any_report(item, member_user):
    with pytest.raises(ValidationError):
        services.item_submit(item=item, actor=member_user)
    item.refresh_from_db()
    assert item.status == "not_started"


def test_it_closes_only_a_pending_item(item, secretary_user, member_user):
    with pytest.raises(ValidationError):
        services.rectification_item_close(item=item, actor=secretary_user)
    _close(item, member_user, secretary_user)
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_by == secretary_user and item.closed_at is not None


def test_it_reopens_with_a_reason(item, secretary_user, member_user):
    _close(item, member_user, secretary_user)
    with pytest.raises(ValidationError):
        services.item_reopen(item=item, actor=secretary_user, reason=" ")
    services.item_reopen(item=item, actor=secretary_user, reason="群众反映仍未改到位")
    item.refresh_from_db()
    assert item.status == "in_progress" and item.closed_at is None
    assert "群众反映仍未改到位" in item.history.last().detail


def test_it_refuses_to_reopen_an_open_item(item, secretary_user):
    with pytest.raises(ValidationError):
        services.item_reopen(item=item, actor=secretary_user, reason="x")
    item.refresh_from_db()
    assert item.status == "not_started"


def test_it_refuses_progress_on_a_closed_item(item, secretary_user, member_user):
    _close(item, member_user, secretary_user)
    with pytest.raises(ValidationError):
        services.item_progress_post(item=item, actor=member_user, note="再补充")
    assert item.progress.count() == 1


def test_a_follow_up_is_recorded_on_a_closed_item(item, secretary_user, member_user):
    _close(item, member_user, secretary_user)
    review = services.follow_up_record(
        item=item, actor=secretary_user, reviewed_on=timezone.localdate(), result="consolidated", note="保持良好"
    )
    item.refresh_from_db()
    assert review.result == "consolidated" and item.status == "closed"
    assert item.history.last().action == "follow_up"


def test_a_rebound_reopens_the_item(item, secretary_user, member_user):
    _close(item, member_user, secretary_user)
    services.follow_up_record(item=item, actor=secretary_user, reviewed_on=timezone.localdate(), result="rebound", note="又缺席")
    item.refresh_from_db()
    assert item.status == "in_progress"
    assert list(item.history.values_list("action", flat=True))[-2:] == ["follow_up", "reopened"]


def test_a_follow_up_needs_a_closed_item_and_a_sane_date(item, secretary_user, member_user):
    with pytest.raises(ValidationError):
        services.follow_up_record(item=item, actor=secretary_user, reviewed_on=timezone.localdate(), result="consolidated")
    _close(item, member_user, secretary_user)
    with pytest.raises(ValidationError):
        services.follow_up_record(
            item=item, actor=secretary_user, reviewed_on=timezone.localdate() + dt.timedelta(days=1), result="consolidated"
        )
    assert not FollowUpReview.objects.exists()


def test_overdue_is_derived_from_the_deadline(yang):
    today = timezone.localdate()
    late = ItemFactory(responsible=yang, deadline=today - dt.timedelta(days=1), status="in_progress")
    late_pending = ItemFactory(responsible=yang, deadline=today - dt.timedelta(days=1), status="pending")
    late_closed = ItemFactory(
        responsible=yang, deadline=today - dt.timedelta(days=5), status="closed", closed_at=timezone.now()
    )
    on_time = ItemFactory(responsible=yang, deadline=today)
    flags = dict(selectors.with_overdue(RectificationItem.objects.all()).values_list("pk", "is_overdue"))
    assert flags == {late.pk: True, late_pending.pk: True, late_closed.pk: False, on_time.pk: False}
    assert selectors.item_is_overdue(RectificationItem.objects.get(pk=late.pk))
    # tomorrow the on-time item is late without anything being written
    assert selectors.item_is_overdue(on_time, on=today + dt.timedelta(days=1))
