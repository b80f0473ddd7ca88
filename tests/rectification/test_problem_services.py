import pytest
from django.core.exceptions import ValidationError

from rectification import services
from rectification.models import Problem

from .factories import ItemFactory, ProblemFactory


def test_it_adds_a_problem_marked_as_added_by_the_secretary(meeting, yang):
    p = services.problem_add(meeting=meeting, member=yang, text="  对群众来电答复不耐心 ", aspect="服务")
    p.refresh_from_db()
    assert (p.text, p.aspect, p.source_kind, p.source_id) == ("对群众来电答复不耐心", "服务", "added", None)


def test_it_adds_a_branch_level_problem(meeting):
    p = services.problem_add(meeting=meeting, member=None, text="班子督促检查不够")
    assert p.member is None and Problem.objects.filter(meeting=meeting, member__isnull=True).count() == 1


def test_it_edits_text_and_keeps_the_source(meeting, yang):
    p = ProblemFactory(meeting=meeting, member=yang, source_kind="criticism", source_id=42)
    services.problem_update(problem=p, text="改写后的问题", aspect="作风")
    p.refresh_from_db()
    assert (p.text, p.aspect, p.source_kind, p.source_id) == ("改写后的问题", "作风", "criticism", 42)


def test_it_rejects_an_empty_text(meeting, yang):
    p = ProblemFactory(meeting=meeting, member=yang)
    with pytest.raises(ValidationError):
        services.problem_update(problem=p, text="   ")
    p.refresh_from_db()
    assert p.text.startswith("问题")


def test_it_merges_duplicates_and_moves_their_items(meeting, yang):
    target = ProblemFactory(meeting=meeting, member=yang)
    dup = ProblemFactory(meeting=meeting, member=yang)
    item = ItemFactory(responsible=yang, meeting=meeting)
    item.problems.add(dup)
    assert services.problem_merge(target=target, others=[dup]) == 1
    dup.refresh_from_db()
    assert dup.merged_into == target
    assert set(item.problems.all()) == {target, dup}


def test_it_refuses_to_merge_problems_of_different_members(meeting, yang, zhang):
    target = ProblemFactory(meeting=meeting, member=yang)
    other = ProblemFactory(meeting=meeting, member=zhang)
    with pytest.raises(ValidationError):
        services.problem_merge(target=target, others=[other])
    other.refresh_from_db()
    assert other.merged_into is None


def test_it_unmerges(meeting, yang):
    target = ProblemFactory(meeting=meeting, member=yang)
    dup = ProblemFactory(meeting=meeting, member=yang, merged_into=target)
    services.problem_unmerge(problem=dup)
    dup.refresh_from_db()
    assert dup.merged_into is None


def test_the_database_refuses_a_second_row_for_one_source(meeting, yang):
    from django.db import IntegrityError, transaction

    ProblemFactory(meeting=meeting, member=yang, source_kind="criticism", source_id=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.create(meeting=meeting, member=yang, text="x", source_kind="criticism", source_id=5)
    assert Problem.objects.filter(source_id=5).count() == 1
