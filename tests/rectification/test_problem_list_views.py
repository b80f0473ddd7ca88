import io

from django.urls import reverse
from openpyxl import load_workbook

from rectification.models import Problem

from .factories import ProblemFactory


def test_it_lists_the_meetings_problems_with_their_sources(login, meeting, yang):
    ProblemFactory(meeting=meeting, member=yang, text="学习不够深入", source_kind="criticism", source_id=7)
    ProblemFactory(meeting=meeting, member=None, text="班子督促不够", source_kind="added", source_id=None)
    response = login("secretary").get(reverse("rectification:problem_list", args=[meeting.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "学习不够深入" in page and "班子督促不够" in page and "批评意见" in page
    assert page.count('data-testid="problem-row"') == 2
    assert page.index("班子督促不够") < page.index("学习不够深入")


def test_it_hides_merged_problems(login, meeting, yang):
    target = ProblemFactory(meeting=meeting, member=yang, text="主问题")
    ProblemFactory(meeting=meeting, member=yang, text="重复的问题", merged_into=target)
    page = login("secretary").get(reverse("rectification:problem_list", args=[meeting.pk])).content.decode()
    assert "主问题" in page and "重复的问题" not in page


def test_it_filters_by_source_and_search(login, meeting, yang, zhang):
    ProblemFactory(meeting=meeting, member=yang, text="甲问题", source_kind="criticism")
    ProblemFactory(meeting=meeting, member=zhang, text="乙问题", source_kind="self_review")
    client = login("secretary")
    url = reverse("rectification:problem_list", args=[meeting.pk])
    page = client.get(url, {"source": "criticism"}).content.decode()
    assert "甲问题" in page and "乙问题" not in page
    page = client.get(url, {"q": "张伟"}).content.decode()
    assert "乙问题" in page and "甲问题" not in page


def test_the_secretary_adds_a_problem(login, meeting, yang):
    response = login("secretary").post(
        reverse("rectification:problem_add", args=[meeting.pk]), {"member": yang.pk, "aspect": "作风", "text": "新问题"}
    )
    assert response.status_code == 302
    assert Problem.objects.get().source_kind == "added"


def test_an_empty_problem_is_refused(login, meeting):
    response = login("secretary").post(reverse("rectification:problem_add", args=[meeting.pk]), {"aspect": "作风", "text": ""})
    assert response.status_code == 400 and "作风" in response.content.decode()
    assert not Problem.objects.exists()


def test_the_secretary_edits_a_problem(login, meeting, yang):
    p = ProblemFactory(meeting=meeting, member=yang)
    response = login("secretary").post(
        reverse("rectification:problem_edit", args=[p.pk]), {"member": yang.pk, "aspect": "", "text": "改后的文字"}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.text == "改后的文字"


def test_the_secretary_merges_and_unmerges(login, meeting, yang):
    a = ProblemFactory(meeting=meeting, member=yang)
    b = ProblemFactory(meeting=meeting, member=yang)
    client = login("secretary")
    response = client.post(reverse("rectification:problem_merge", args=[meeting.pk]), {"target": a.pk, "others": [b.pk]})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into == a
    assert client.post(reverse("rectification:problem_unmerge", args=[b.pk])).status_code == 302
    b.refresh_from_db()
    assert b.merged_into is None


def test_a_committee_member_reads_but_cannot_edit(login, meeting, yang, demo_orgs):
    from tests.organizations.factories import UserFactory

    zhang = demo_orgs.members["office"]["张伟"]  # 组织委员
    zhang.user = UserFactory()
    zhang.save()
    p = ProblemFactory(meeting=meeting, member=yang)
    client = login("secretary")
    client.force_login(zhang.user)
    assert client.get(reverse("rectification:problem_list", args=[meeting.pk])).status_code == 200
    assert client.post(reverse("rectification:problem_edit", args=[p.pk]), {"text": "x"}).status_code == 403


def test_it_exports_the_list_to_xlsx(login, meeting, yang):
    ProblemFactory(meeting=meeting, member=yang, text="学习不够", source_kind="claimed", aspect="学习")
    response = login("secretary").get(reverse("rectification:problem_list_export", args=[meeting.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert response.status_code == 200
    assert rows[1][1:5] == ("杨丽", "学习", "当场认领", "学习不够")
