import datetime as dt

from django.urls import reverse
from django.utils import timezone

from .factories import ItemFactory


def test_it_lists_only_the_members_own_items(login, yang, zhang):
    ItemFactory(responsible=yang, title="杨丽的事项")
    ItemFactory(responsible=zhang, title="张伟的事项")
    response = login("member").get(reverse("rectification:my_items"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "杨丽的事项" in page and "张伟的事项" not in page


def test_it_marks_overdue_items(login, yang):
    ItemFactory(responsible=yang, title="逾期事项", deadline=timezone.localdate() - dt.timedelta(days=1))
    response = login("member").get(reverse("rectification:my_items"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="overdue"') == 1


def test_it_refuses_a_user_who_is_not_a_member(demo_orgs, login):
    assert login("county").get(reverse("rectification:my_items")).status_code == 403


def test_it_keeps_its_queries_flat(login, yang, django_assert_num_queries, meeting):
    from .factories import ProblemFactory

    client = login("member")
    ItemFactory(responsible=yang).problems.add(ProblemFactory(meeting=meeting, member=yang))
    client.get(reverse("rectification:my_items"))  # warm the session
    with django_assert_num_queries(6) as one:  # issue 23: roles in one query, the badge cached
        assert client.get(reverse("rectification:my_items")).status_code == 200
    for _ in range(19):
        ItemFactory(responsible=yang).problems.add(ProblemFactory(meeting=meeting, member=yang))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("rectification:my_items"))
    assert response.content.decode().count('data-testid="my-item"') == 20
