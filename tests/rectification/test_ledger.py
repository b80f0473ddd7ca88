import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from .factories import ItemFactory, ProblemFactory


def _rows(response):
    return response.content.decode().count('data-testid="ledger-row"')


def test_it_lists_the_branch_items(login, office, yang, zhang, demo_orgs):
    ItemFactory(responsible=yang, title="杨丽的事项")
    ItemFactory(responsible=zhang, title="张伟的事项")
    ItemFactory(responsible=demo_orgs.members["palace"]["邓文华"], title="别的支部")
    response = login("secretary").get(reverse("rectification:ledger", args=[office.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "杨丽的事项" in page and "张伟的事项" in page and "别的支部" not in page


def test_it_filters_by_status_person_overdue_and_source(login, office, yang, zhang, meeting):
    today = timezone.localdate()
    a = ItemFactory(responsible=yang, title="甲", status="in_progress", deadline=today - dt.timedelta(days=2))
    ItemFactory(responsible=zhang, title="乙", status="pending")
    c = ItemFactory(responsible=zhang, title="丙")
    c.problems.add(ProblemFactory(meeting=meeting, member=zhang, source_kind="criticism"))
    client = login("secretary")
    url = reverse("rectification:ledger", args=[office.pk])
    assert _rows(client.get(url, {"status": "pending"})) == 1
    assert _rows(client.get(url, {"person": yang.pk})) == 1
    response = client.get(url, {"overdue": "on"})
    assert _rows(response) == 1 and a.title in response.content.decode()
    response = client.get(url, {"source": "criticism"})
    assert _rows(response) == 1 and "丙" in response.content.decode()


def test_it_searches_and_sorts(login, office, yang, zhang):
    today = timezone.localdate()
    ItemFactory(responsible=yang, title="走访群众", deadline=today + dt.timedelta(days=5))
    ItemFactory(responsible=zhang, title="学习理论", deadline=today + dt.timedelta(days=1))
    client = login("secretary")
    url = reverse("rectification:ledger", args=[office.pk])
    response = client.get(url, {"q": "走访群众"})
    assert _rows(response) == 1
    page = client.get(url, {"sort": "-deadline"}).content.decode()
    assert page.index("走访群众") < page.index("学习理论")
    page = client.get(url, {"sort": "deadline"}).content.decode()
    assert page.index("学习理论") < page.index("走访群众")


def test_it_keeps_invalid_filters_harmless(login, office, yang):
    ItemFactory(responsible=yang)
    response = login("secretary").get(reverse("rectification:ledger", args=[office.pk]), {"person": "abc"})
    assert response.status_code == 200 and _rows(response) == 1


def test_it_exports_the_filtered_ledger_to_xlsx(login, office, yang, zhang, meeting):
    item = ItemFactory(responsible=yang, title="杨丽的事项", status="pending")
    item.problems.add(ProblemFactory(meeting=meeting, member=yang, text="学习不够", source_kind="self_review"))
    ItemFactory(responsible=zhang, title="张伟的事项")
    response = login("secretary").get(reverse("rectification:ledger_export", args=[office.pk]), {"status": "pending"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.values)
    assert rows[0][:3] == ("序号", "整改事项", "对应问题")
    assert len(rows) == 2
    assert rows[1][1] == "杨丽的事项" and rows[1][2] == "学习不够" and rows[1][3] == "对照检查" and rows[1][9] == "待核验"


def test_it_keeps_its_queries_flat(login, office, yang, meeting, django_assert_num_queries):
    client = login("secretary")
    ItemFactory(responsible=yang).problems.add(ProblemFactory(meeting=meeting, member=yang))
    url = reverse("rectification:ledger", args=[office.pk])
    client.get(url)
    with django_assert_num_queries(10) as one:  # issue 23: roles in one query, the badge cached
        assert _rows(client.get(url)) == 1
    for _ in range(19):
        ItemFactory(responsible=yang).problems.add(ProblemFactory(meeting=meeting, member=yang))
    with django_assert_num_queries(len(one.captured_queries)):
        assert _rows(client.get(url)) == 20
