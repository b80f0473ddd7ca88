import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rectification import services
from rectification.models import ItemHistory, RectificationItem

from .factories import ProblemFactory


def test_it_creates_an_item_with_the_four_clears_and_a_history_row(item, yang, secretary_user):
    item.refresh_from_db()
    assert item.status == "not_started" and item.responsible == yang and item.commitment == "按期完成"
    assert item.problems.count() == 1
    h = item.history.get()
    assert h.action == "created" and h.actor == secretary_user and h.actor_name == "李建国"


def test_it_requires_the_responsible_to_be_of_the_branch(meeting, secretary_user, demo_orgs):
    outsider = demo_orgs.members["palace"]["邓文华"]
    with pytest.raises(ValidationError):
        services.item_create(
            branch=meeting.branch, meeting=meeting, title="t", goal="g", measures="m", responsible=outsider,
            deadline=timezone.localdate(), commitment="c", actor=secretary_user,
        )
    assert not RectificationItem.objects.exists()


def test_it_refuses_problems_of_another_branch(meeting, yang, secretary_user, demo_orgs):
    from .factories import MeetingFactory

    other = ProblemFactory(meeting=MeetingFactory(branch=demo_orgs.orgs["palace"]), member=None)
    with pytest.raises(ValidationError):
        services.item_create(
            branch=meeting.branch, meeting=meeting, problems=[other], title="t", goal="g", measures="m",
            responsible=yang, deadline=timezone.localdate(), commitment="c", actor=secretary_user,
        )
    assert not RectificationItem.objects.exists()


def test_it_records_what_an_edit_changed(item, secretary_user):
    new_deadline = item.deadline + dt.timedelta(days=10)
    services.item_update(item=item, actor=secretary_user, deadline=new_deadline, goal="新的目标")
    item.refresh_from_db()
    assert item.deadline == new_deadline and item.goal == "新的目标"
    edit = item.history.get(action="edited")
    assert "完成时限" in edit.detail and new_deadline.isoformat() in edit.detail and "新的目标" in edit.detail


def test_an_edit_that_changes_nothing_leaves_no_history(item, secretary_user):
    services.item_update(item=item, actor=secretary_user, goal=item.goal)
    assert item.history.count() == 1


def test_it_refuses_to_edit_a_closed_item(item, secretary_user, member_user):
    services.item_progress_post(item=item, actor=member_user, note="做了")
    services.item_submit(item=item, actor=member_user)
    services.rectification_item_close(item=item, actor=secretary_user)
    with pytest.raises(ValidationError):
        services.item_update(item=item, actor=secretary_user, goal="改")
    item.refresh_from_db()
    assert item.goal == "学深悟透"


def test_the_history_is_append_only(item):
    with pytest.raises(PermissionError):
        ItemHistory.objects.filter(item=item).update(detail="改写")
    with pytest.raises(PermissionError):
        ItemHistory.objects.filter(item=item).delete()
    assert item.history.get().action == "created"
