import pytest

from meetings.models import Meeting
from rectification.models import Problem
from rectification.services import ProblemEntry, problem_list_build, problem_source_url


@pytest.fixture
def meeting(demo_orgs):
    return Meeting.objects.create(branch=demo_orgs.orgs["office"], year=2026, kind="annual")


def _entries(demo_orgs):
    yang = demo_orgs.members["office"]["杨丽"]
    return [
        ProblemEntry(member_id=yang.pk, text="理论学习不够系统", source_kind="self_review", source_id=1, aspect="学习"),
        ProblemEntry(member_id=yang.pk, text="服务群众主动性不强", source_kind="criticism", source_id=7),
        ProblemEntry(member_id=None, text="班子抓落实不够", source_kind="opinion", source_id=3),
        ProblemEntry(member_id=yang.pk, text="", source_kind="claimed", source_id=9),
    ]


def test_it_creates_one_problem_per_source(demo_orgs, meeting):
    assert problem_list_build(meeting=meeting, entries=_entries(demo_orgs)) == 3
    assert Problem.objects.filter(meeting=meeting).count() == 3
    p = Problem.objects.get(source_kind="self_review")
    assert p.aspect == "学习" and p.member.name == "杨丽"


def test_it_is_idempotent(demo_orgs, meeting):
    problem_list_build(meeting=meeting, entries=_entries(demo_orgs))
    assert problem_list_build(meeting=meeting, entries=_entries(demo_orgs)) == 0
    assert Problem.objects.filter(meeting=meeting).count() == 3


def test_it_keeps_edited_lines(demo_orgs, meeting):
    problem_list_build(meeting=meeting, entries=_entries(demo_orgs))
    Problem.objects.filter(source_kind="criticism").update(text="书记改过的文字")
    problem_list_build(meeting=meeting, entries=_entries(demo_orgs))
    assert Problem.objects.get(source_kind="criticism").text == "书记改过的文字"


def test_it_links_to_the_source_anchor(demo_orgs, meeting):
    problem_list_build(meeting=meeting, entries=_entries(demo_orgs))
    url = problem_source_url(Problem.objects.get(source_kind="criticism"))
    assert url == "" or url.endswith("#criticism-7")
    added = Problem.objects.create(meeting=meeting, text="x", source_kind="added")
    assert problem_source_url(added) == ""
