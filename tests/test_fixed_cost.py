"""Issue 23 item 1: what every logged-in page pays before its own work — the roles in one query, the
navigation's URLs reversed once per process, the unread count from the cache."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from branchlife import navigation
from branchlife.permissions import actor_of


def _fresh(username):
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize(
    "username, queries, member, officer, supervised",
    [
        ("member", 1, True, False, False),
        ("secretary", 1, True, False, False),
        ("county", 1, False, True, False),
        ("supervisor", 2, False, False, True),  # a supervisor's branches: the one extra query
    ],
)
def test_it_reads_the_roles_in_one_query(demo_orgs, django_assert_num_queries, username, queries, member, officer, supervised):
    user = _fresh(username)
    with django_assert_num_queries(queries):
        actor = actor_of(user)
    assert (actor.member is not None, actor.officer_org is not None, bool(actor.supervised_branch_ids)) == (
        member, officer, supervised
    )
    with django_assert_num_queries(0):  # what templates and predicates ask next is already known
        assert actor_of(user) is actor
        assert hasattr(user, "officer") is officer and hasattr(user, "supervisor") is supervised
        if member:
            assert user.member.branch.pk == actor.member.branch_id and actor.member.user is user


def _values(obj):
    return None if obj is None else [getattr(obj, f.attname) for f in obj._meta.concrete_fields]


@pytest.mark.parametrize("username", ["member", "secretary", "county", "supervisor", "anyue", None])
def test_the_roles_sql_reads_what_the_orm_reads(demo_orgs, username):
    from branchlife.permissions import roles_read, roles_read_orm
    from tests.organizations.factories import UserFactory

    user = _fresh(username) if username else UserFactory()  # None: an account with no role at all
    fast, orm = roles_read(user_id=user.pk), roles_read_orm(user_id=user.pk)
    assert [_values(x) for x in fast] == [_values(x) for x in orm]
    assert any(x is not None for x in fast) is bool(username)
    member, officer, _supervisor = fast
    if member is not None:
        assert _values(member.branch) == _values(orm[0].branch)
    if officer is not None:
        assert _values(officer.organization) == _values(orm[1].organization)


def test_a_member_no_longer_on_the_roll_is_no_member(demo_orgs):
    user = _fresh("member")
    user.member.is_active = False
    user.member.save(update_fields=["is_active"])
    assert actor_of(_fresh("member")).member is None


def test_the_navigation_reverses_no_url_after_the_first_page(demo_orgs, login, monkeypatch):
    client = login("secretary")
    first = client.get(reverse("meetings:my_home")).content.decode()
    calls = []
    real = navigation.reverse
    monkeypatch.setattr(navigation, "reverse", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    again = client.get(reverse("meetings:my_home")).content.decode()
    assert calls == []
    for url in (reverse("meetings:meeting_list"), reverse("organizations:my_branch"), reverse("password_change")):
        assert f'href="{url}"' in first and f'href="{url}"' in again
    assert f'action="{reverse("logout")}"' in again


def test_the_unread_count_is_counted_once_and_follows_the_writes(demo_orgs, login, django_assert_max_num_queries):
    from notifications.models import Notification
    from notifications.services import notification_create, notification_mark_all_read, notification_mark_read

    user = demo_orgs.users["member"]
    first = notification_create(recipient=user, title="通知一")
    client = login("member")
    url = reverse("meetings:my_home")
    assert 'id="unread-count">1</span>' in client.get(url).content.decode()
    with django_assert_max_num_queries(50) as captured:
        page = client.get(url).content.decode()
    assert 'id="unread-count">1</span>' in page
    assert not [q for q in captured.captured_queries if Notification._meta.db_table in q["sql"]]
    notification_create(recipient=user, title="通知二")
    assert 'id="unread-count">2</span>' in client.get(url).content.decode()
    notification_mark_read(notification=first)
    assert 'id="unread-count">1</span>' in client.get(url).content.decode()
    notification_mark_all_read(user=user)
    assert 'id="unread-count">0</span>' in client.get(url).content.decode()
