"""Issue 23 item 5: the ledger's 责任人 filter is a name typed, not a dropdown of every member."""

import pytest
from django.urls import reverse

from .factories import ItemFactory, ProblemFactory

# The ledger's own (tests/rectification/test_ledger.py) and the one lookup of the name typed.
LEDGER_WITH_PERSON_QUERIES = 11


def _rows(response):
    return response.content.decode().count('data-testid="ledger-row"')


def test_it_renders_no_list_of_members(login, office, yang):
    ItemFactory(responsible=yang)
    page = login("secretary").get(reverse("rectification:ledger", args=[office.pk])).content.decode()
    assert 'name="person"' in page and 'type="text" name="person"' in page
    assert f'<option value="{yang.pk}"' not in page  # no <select> of the branch's members


def test_it_filters_by_part_of_a_name_and_keeps_the_other_filters(login, office, yang, zhang):
    ItemFactory(responsible=yang, title="甲", status="pending")
    ItemFactory(responsible=yang, title="乙", status="in_progress")
    ItemFactory(responsible=zhang, title="丙", status="pending")
    client = login("secretary")
    url = reverse("rectification:ledger", args=[office.pk])
    assert _rows(client.get(url, {"person": yang.name[-1]})) == 2
    assert _rows(client.get(url, {"person": f" {yang.name} ", "status": "pending"})) == 1
    assert _rows(client.get(url, {"person": str(zhang.pk)})) == 1  # a link made with the member's id


def test_a_name_of_nobody_says_so_keeps_the_text_and_filters_the_rest(login, office, yang):
    ItemFactory(responsible=yang, status="pending")
    ItemFactory(responsible=yang, status="in_progress")
    response = login("secretary").get(
        reverse("rectification:ledger", args=[office.pk]), {"person": "没这个人", "status": "pending"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and _rows(response) == 1
    assert "本支部没有姓名包含“没这个人”的党员。" in page and 'value="没这个人"' in page


def test_a_member_of_another_branch_is_not_found(login, office, yang, demo_orgs):
    ItemFactory(responsible=yang)
    other = demo_orgs.members["palace"]["邓文华"]
    response = login("secretary").get(reverse("rectification:ledger", args=[office.pk]), {"person": str(other.pk)})
    assert "本支部没有姓名包含" in response.content.decode() and _rows(response) == 1


@pytest.mark.parametrize("extra", [0, 19])
def test_the_person_filter_keeps_the_query_count_flat(login, office, yang, meeting, django_assert_num_queries, extra):
    client = login("secretary")
    url = reverse("rectification:ledger", args=[office.pk])
    ItemFactory(responsible=yang).problems.add(ProblemFactory(meeting=meeting, member=yang))
    client.get(url, {"person": yang.name})
    for _ in range(extra):
        ItemFactory(responsible=yang).problems.add(ProblemFactory(meeting=meeting, member=yang))
    with django_assert_num_queries(LEDGER_WITH_PERSON_QUERIES):
        assert _rows(client.get(url, {"person": yang.name})) == 1 + extra
