from organizations.models import Member, Organization
from organizations.selectors import branch_list, subtree_counts
from tests.organizations.factories import MemberFactory, OfficerFactory, make_tree


def test_it_finds_every_branch_in_a_county_subtree(db):
    county, branches = make_tree(townships=3, branches_per_township=2)
    make_tree(county="别的县委", townships=1, branches_per_township=3)
    below = Organization.objects.filter(path__startswith=county.path, level=Organization.Level.BRANCH)
    assert sorted(b.pk for b in below) == sorted(b.pk for b in branches)
    assert county.get_descendant_count() == 3 + 6 + 6  # townships, branches, party groups


def test_it_scopes_an_officer_to_their_township(db):
    county, branches = make_tree(townships=2, branches_per_township=2)
    town = county.get_children().first()
    officer = OfficerFactory(organization=town)
    visible = list(branch_list(user=officer.user))
    assert [b.name for b in visible] == [b.name for b in branches[:2]]


def test_it_counts_branches_and_members_below_each_child(db):
    county, branches = make_tree(townships=2, branches_per_township=2)
    for i, branch in enumerate(branches):
        MemberFactory.create_batch(i + 1, branch=branch)
    MemberFactory(branch=branches[0], is_active=False)
    towns = list(county.get_children())
    counts = subtree_counts(parent=county)
    assert counts[towns[0].path] == {"branches": 2, "members": 1 + 2}
    assert counts[towns[1].path] == {"branches": 2, "members": 3 + 4}
    assert Member.objects.count() == 11


def test_it_counts_subtrees_in_constant_queries(db, django_assert_num_queries):
    county, _ = make_tree(townships=2, branches_per_township=1)
    with django_assert_num_queries(2):
        subtree_counts(parent=county)
    county2, _ = make_tree(county="大县委", townships=8, branches_per_township=5)
    with django_assert_num_queries(2):
        assert len(subtree_counts(parent=county2)) == 8
