"""Issue 21: the talk requirements are written once, beside the coverage rule (meetings.talks). The
dashboard counts (talk_requirements over required_count) must equal what coverage requires."""

import itertools
from dataclasses import dataclass

import pytest

from dashboard import scoring
from meetings import talks


@dataclass
class M:
    pk: int
    is_committee: bool
    committee_post: str = ""
    is_secretary: bool = False


def roster(members: int, committee: int, secretary: bool) -> list[M]:
    people = [M(pk=i + 1, is_committee=i < committee) for i in range(members)]
    if secretary and committee:
        people[0].committee_post, people[0].is_secretary = "secretary", True
    return people


@pytest.mark.parametrize("rule", list(talks.RULES))
def test_it_requires_as_many_talks_as_coverage_lists(rule):
    for members, committee, secretary in itertools.product(range(0, 8), range(0, 5), (True, False)):
        if committee > members:
            continue
        people = roster(members, committee, secretary)
        listed = talks.coverage(rules=[rule], members=people, talks=[]).required
        has_secretary = secretary and committee > 0
        n = talks.required_count(rule, members=members, committee=committee, has_secretary=has_secretary)
        assert n == len(listed), (rule, members, committee, secretary)
        counts = talks.TalkCounts(has_secretary=has_secretary)
        assert talks.talk_requirements(rules=[rule], members=members, committee=committee, counts=counts) == (0, n)


def test_the_dashboard_uses_the_talks_rule_itself():
    assert scoring.talk_requirements is talks.talk_requirements
    assert scoring.TalkCounts is talks.TalkCounts
