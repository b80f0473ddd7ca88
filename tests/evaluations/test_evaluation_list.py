import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations import services
from organizations.models import Organization
from tests.organizations.factories import OfficerFactory


@pytest.fixture
def officer_client(build, client):
    def make(n_evaluations: int):
        root = Organization.add_root(name="列表县委", level=Organization.Level.COUNTY)
        for _ in range(n_evaluations):
            root.refresh_from_db()
            branch = root.add_child(name=f"列表支部{root.get_children_count() + 1}", level=Organization.Level.BRANCH)
            build.evaluation(n=2, branch=branch)
        officer = OfficerFactory(organization=root)
        client.force_login(officer.user)
        return client

    return make


@pytest.mark.parametrize("n", [1, 20])
def test_it_lists_with_a_fixed_number_of_queries(officer_client, django_assert_num_queries, n):
    client = officer_client(n)
    # 7 with the officer's authenticator (django-otp), read on every request of an officer (the roles in one
    # query and the unread badge from the cache since issue 23).
    with django_assert_num_queries(7):
        response = client.get(reverse("evaluations:evaluation_list"))
    assert len(response.context["page"]) == n


def test_it_filters_searches_and_exports(build, officer_client):
    client = officer_client(3)
    from evaluations.models import Evaluation

    first = Evaluation.objects.order_by("pk").first()
    services.ballot_cast(evaluation=first, member=first.members[0] if hasattr(first, "members") else first.voters.first().member, content=build.content(first))
    response = client.get(reverse("evaluations:evaluation_list"), {"q": "列表支部1", "status": "open", "year": 2026})
    assert [e.pk for e in response.context["page"]] == [first.pk]
    assert not client.get(reverse("evaluations:evaluation_list"), {"status": "closed"}).context["page"]
    export = client.get(reverse("evaluations:evaluation_list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    assert next(r for r in rows if r[0] == "列表支部1")[8] == 1
