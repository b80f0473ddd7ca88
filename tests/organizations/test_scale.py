from organizations.models import Member, Organization
from organizations.scale import build_county


def test_it_builds_a_consistent_tree_in_bulk(db):
    result = build_county(name="规模县", branches=45, members=900, officer_username="scale")
    county = result.county
    assert len(result.branch_ids) == 45
    assert Organization.objects.filter(path__startswith=county.path, level="branch").count() == 45
    assert Member.objects.filter(branch__path__startswith=county.path).count() == result.member_count == 900
    # treebeard agrees with the bulk layout: children counts, depths and an added node land correctly.
    town = county.get_children().first()
    assert town.numchild == town.get_children().count() > 0
    assert all(b.depth in (3, 4) for b in Organization.objects.filter(pk__in=result.branch_ids))
    new = town.add_child(name="新支部", level="branch")
    assert new.path.startswith(town.path) and new.depth == 3
    assert Organization.find_problems() == ([], [], [], [], [])


def test_every_branch_has_a_secretary(db):
    result = build_county(name="规模县", branches=10, members=200)
    secretaries = Member.objects.filter(branch_id__in=result.branch_ids, committee_post="secretary")
    assert secretaries.count() == 10
