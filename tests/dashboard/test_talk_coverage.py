"""The dashboard's grouped talk counts agree with meetings.selectors.talk_coverage, meeting by meeting."""

import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model

from dashboard import selectors
from dashboard.scoring import talk_requirements
from meetings import talks as talk_rules
from meetings.models import Meeting, Talk
from meetings.selectors import talk_coverage
from organizations.models import Organization
from tests.organizations.factories import MemberFactory

RULE_SETS = [
    ("three", []),
    ("four", []),
    ("custom", list(talk_rules.RULES)),
    ("custom", ["secretary_with_each", "members_each_other"]),
]
NOW = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)


def account(member):
    if member.user_id is None:
        member.user = get_user_model().objects.create_user(username=f"m{member.pk}")
        member.save(update_fields=["user"])
    return member.user


POSTS = ["secretary", "deputy_secretary", "organization", "discipline", "", "", "", "", ""]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_matches_talk_coverage_on_random_branches(db, seed):
    rng = random.Random(seed)
    county = Organization.add_root(name="随机县", level=Organization.Level.COUNTY)
    meetings = []
    for b in range(6):
        county.refresh_from_db()
        branch = county.add_child(name=f"支部{b}", level=Organization.Level.BRANCH)
        size = rng.randint(2, 9)
        members = [MemberFactory(branch=branch, committee_post=rng.choice(POSTS), name=f"{b}号{rng.randint(0, 3)}")
                   for _i in range(size)]
        MemberFactory(branch=branch, is_active=False)
        rule_set, custom = RULE_SETS[b % len(RULE_SETS)]
        meeting = Meeting.objects.create(branch=branch, year=2026, talk_rule_set=rule_set, custom_talk_rules=custom)
        everyone = members + list(branch.members.filter(is_active=False))
        for _t in range(rng.randint(0, size * 2)):
            a, partner = rng.sample(everyone, 2) if len(everyone) > 1 else (everyone[0], None)
            if rng.random() < 0.15:
                Talk.objects.create(meeting=meeting, member_a=a, other_kind=rng.choice(["leader", "recipient", "other"]),
                                    held_on="2026-11-01", topics="谈心")
            elif partner is not None:
                # Recorded by nobody (an import), by one side (the other must confirm: pending, confirmed or
                # disputed) or by someone else: only the first, the confirmed and the last count.
                recorder = rng.choice([None, a, partner, members[0]])
                state = rng.choice(["", "confirmed", "disputed"])
                Talk.objects.create(
                    meeting=meeting, member_a=a, member_b=partner, held_on="2026-11-01", topics="谈心",
                    recorded_by=account(recorder) if recorder else None,
                    confirmed_at=NOW if state == "confirmed" else None, disputed_at=NOW if state == "disputed" else None,
                )
        meetings.append(meeting)
    # A talk in another branch's meeting with this branch's member never counts here.
    data = selectors.compute_dashboard(node=county, season=selectors.Season(2026))
    counts = selectors._talk_counts(county, selectors.Season(2026))
    for meeting in meetings:
        expected = talk_coverage(meeting=meeting).counts
        row = data.row(meeting.branch_id)
        assert (row.talks_done, row.talks_required) == expected, (meeting.talk_rule_set, meeting.custom_talk_rules)
        active = meeting.branch.members.filter(is_active=True)
        direct = talk_requirements(
            rules=talk_rules.rules_of(meeting), members=active.count(),
            committee=sum(1 for m in active if m.is_committee), counts=counts[meeting.pk],
        )
        assert direct == expected
