"""Builders for the evaluations tests: a branch with N members, a meeting, an evaluation open or closed."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.utils import timezone

from evaluations import services
from evaluations.models import Candidate, Evaluation, Grade
from evaluations.policy import Quota
from evaluations.services import BallotContent
from meetings.models import Meeting
from organizations.models import Organization
from tests.clock import starting_at_now
from tests.organizations.factories import MemberFactory, UserFactory

# The receipt page's code, as the voter reads it (the page is not rendered afresh for every voter: issue 23).
RECEIPT_CODE = re.compile(r'id="receipt-code">([A-Z0-9-]+)<')


def receipt_code(response) -> str:
    found = RECEIPT_CODE.search(response.content.decode())
    assert found, "no receipt code on the page"
    return found.group(1)


class Builder:
    def __init__(self):
        self.n_branches = 0

    def branch(self) -> Organization:
        self.n_branches += 1
        root = Organization.add_root(name=f"测试县委{self.n_branches}", level=Organization.Level.COUNTY)
        return root.add_child(name=f"测试支部{self.n_branches}", level=Organization.Level.BRANCH)

    def members(self, branch, n: int, *, with_users: bool = False):
        members = [MemberFactory(branch=branch) for _ in range(n)]
        if with_users:
            for m in members:
                m.user = UserFactory()
                m.save(update_fields=["user"])
        return members

    def evaluation(
        self,
        *,
        n: int = 8,
        state: str = "open",
        quota: str | None = "30%",
        with_users: bool = False,
        branch=None,
        members=None,
        **options,
    ) -> Evaluation:
        branch = branch or self.branch()
        members = members if members is not None else self.members(branch, n, with_users=with_users)
        now = timezone.now()
        opens = {"open": now - dt.timedelta(hours=1), "scheduled": now + dt.timedelta(hours=1)}.get(state, now - dt.timedelta(hours=2))
        # Voting follows the meeting (issue 17): the meeting was held the day voting opens.
        meeting = Meeting.objects.create(
            branch=branch, year=2026, kind=Meeting.Kind.ANNUAL, excellent_quota=Quota.parse(quota), held_on=timezone.localdate(opens)
        )
        evaluation = services.evaluation_create(
            meeting=meeting,
            opens_at=opens,
            closes_at=opens + dt.timedelta(hours=3),
            candidates=members,
            voters=members,
            **options,
        )
        evaluation.members = members
        return evaluation

    def in_room(self, *, n: int = 8, checked_in: int | None = None, with_users: bool = False) -> Evaluation:
        """扫码测评 (issue 17): a meeting held today, `checked_in` of its n members scanned in (in a
        shuffled order), voting opened from the room."""
        from meetings.models import Attendance
        from meetings.services.record import member_check_in

        branch = self.branch()
        members = self.members(branch, n, with_users=with_users)
        meeting = Meeting.objects.create(branch=branch, year=2026, kind=Meeting.Kind.ANNUAL, held_on=timezone.localdate())
        arriving = list(members)[: n if checked_in is None else checked_in]
        random.Random(17).shuffle(arriving)
        for m in arriving:
            member_check_in(meeting=meeting, member=m, via=Attendance.Via.QR)
        evaluation = services.evaluation_open_in_room(meeting=meeting)
        evaluation.members = members
        evaluation.attendees = arriving
        return evaluation

    @staticmethod
    def close(evaluation: Evaluation) -> Evaluation:
        """Move the clock past the close (no job runs: the clock alone closes it)."""
        now = timezone.now()
        Evaluation.objects.filter(pk=evaluation.pk).update(
            opens_at=now - dt.timedelta(hours=2), closes_at=now - dt.timedelta(seconds=1)
        )
        members = getattr(evaluation, "members", None)
        evaluation.refresh_from_db()
        evaluation.members = members
        return evaluation

    @staticmethod
    def content(evaluation: Evaluation, *, excellent=(), grade=Grade.QUALIFIED, committee="good", skip=()) -> BallotContent:
        """A full ballot: 优秀 for the members in `excellent`, `grade` for the others."""
        grades = {}
        for c in Candidate.objects.filter(evaluation=evaluation):
            if c.member_id in {m.pk for m in skip}:
                continue
            grades[c.pk] = Grade.EXCELLENT if c.member_id in {m.pk for m in excellent} else grade
        return BallotContent(grades=grades, committee_grade=committee if evaluation.with_committee_rating else "")


@pytest.fixture
def build(db) -> Builder:
    return Builder()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo accounts' passwords are hashed on every seed; the real hasher costs ~0.4 s per account.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_clock(request):
    """Every test here starts at tests.clock.NOW, not at the real date and hour (see starting_at_now)."""
    yield from starting_at_now(request)
