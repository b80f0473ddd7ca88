"""Every URL of the notification centre × every demo role."""

import pytest
from django.urls import reverse

from notifications.services import notification_create
from tests.test_permissions import ROLES

EVERYONE = {"secretary": 200, "member": 200, "county": 200, "anyue": 200, "supervisor": 200}


def expected(statuses: dict, anonymous: int = 302):
    return [(role, statuses.get(role, anonymous if role is None else 403)) for role in ROLES]


GET_TABLE = [
    ("notifications:list", role, status) for role, status in expected(EVERYONE)
] + [
    ("notifications:export", role, status) for role, status in expected(EVERYONE)
] + [
    ("notifications:preferences", role, status) for role, status in expected(EVERYONE)
]


@pytest.mark.parametrize(("url_name", "role", "status"), GET_TABLE)
def test_every_page_answers_each_role(demo_orgs, client, login, url_name, role, status):
    if role:
        login(role)
    assert client.get(reverse(url_name)).status_code == status


# mark_read on 杨丽's (member's) notification: only she may; anonymous is sent to log in.
@pytest.mark.parametrize(("role", "status"), expected({"member": 302}))
def test_only_the_recipient_marks_a_notification_read(demo_orgs, client, login, role, status):
    note = notification_create(recipient=demo_orgs.users["member"], title="请投票")
    if role:
        login(role)
    response = client.post(reverse("notifications:mark_read", args=[note.pk]))
    assert response.status_code == status
    if role is None:
        assert "/accounts/login/" in response["Location"]
    note.refresh_from_db()
    assert (note.read_at is not None) == (role == "member")


@pytest.mark.parametrize(("role", "status"), expected({r: 302 for r in EVERYONE}))
def test_everyone_marks_their_own_notifications_read(demo_orgs, client, login, role, status):
    if role:
        login(role)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == status


def test_a_missing_notification_is_404(demo_orgs, login):
    assert login("member").post(reverse("notifications:mark_read", args=[999999])).status_code == 404
