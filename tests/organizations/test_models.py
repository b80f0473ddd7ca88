import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from organizations.models import Member, Organization
from organizations.selectors import branch_facts
from tests.organizations.factories import MemberFactory, make_tree


def test_it_refuses_two_members_with_the_same_name_and_phone_in_a_branch(db):
    _, (branch, other, *_rest) = make_tree()
    MemberFactory(branch=branch, name="张三", phone="1")
    MemberFactory(branch=other, name="张三", phone="1")  # another branch: fine
    with pytest.raises(IntegrityError):
        MemberFactory(branch=branch, name="张三", phone="1")


def test_it_refuses_an_attendance_share_over_100(db):
    org = Organization.add_root(name="县", level=Organization.Level.COUNTY)
    org.required_attendance_percent = 101
    with pytest.raises(ValidationError):
        org.full_clean()


def test_secretary_and_committee_follow_from_the_post(db):
    assert Member(committee_post=Member.Post.SECRETARY).is_secretary
    assert Member(committee_post=Member.Post.DEPUTY_SECRETARY).is_secretary
    assert Member(committee_post=Member.Post.DISCIPLINE).is_committee
    assert not Member(committee_post=Member.Post.DISCIPLINE).is_secretary
    assert not Member(committee_post="").is_committee


def test_branch_facts_reproduce_seed_002(demo_orgs):
    facts = branch_facts(branch=demo_orgs.orgs["palace"])
    assert (facts.total, facts.in_service, facts.retired, facts.female) == (8, 7, 1, 2)
    assert facts.by_education == {"研究生": 1, "本科": 4, "专科": 3, "高中及以下": 0}
    assert [m.get_committee_post_display() for m in facts.committee] == ["书记", "纪检委员", "宣传委员"]


def test_branch_facts_leave_out_members_no_longer_on_the_roll(demo_orgs):
    palace = demo_orgs.orgs["palace"]
    Member.objects.filter(branch=palace, name="董明").update(is_active=False)
    assert branch_facts(branch=palace).total == 7
