"""The meetings' tallies (dashboard.models.MeetingTally): marked stale by every write that changes a
meeting's figures, counted again on the next read for those meetings only, never left stale by a race."""

import datetime as dt
import os
import threading

import pytest
from django.db import connection, connections
from django.db.models import F, Q
from django.utils import timezone

from dashboard import selectors
from dashboard.models import MeetingTally
from dashboard.services import tallies_stale
from evaluations.models import Evaluation
from meetings.models import Attendance, Criticism, Meeting, Opinion, OpinionClaim, SelfReview, Talk
from organizations.models import Member

from .conftest import YEAR, build_known, days


def tallies(known, **kwargs):
    return selectors.season_tallies(node=known.county, season=selectors.Season(YEAR), **kwargs)


def is_current(meeting) -> bool:
    tally = MeetingTally.objects.get(meeting=meeting)
    return tally.clean == tally.dirty


def parts(known, meeting) -> dict:
    return selectors.tally_parts(tallies(known)[meeting.pk])


def test_a_new_meeting_gets_a_stale_tally_in_its_own_transaction(known):
    meeting = Meeting.objects.create(branch=known.b3, year=YEAR, held_on=days(30))
    tally = MeetingTally.objects.get(meeting=meeting)
    assert tally.clean is None and tally.figures == []


def test_the_first_read_counts_every_meeting_and_the_second_counts_none(known, django_assert_num_queries):
    first = tallies(known)
    assert set(first) == {known.meeting1.pk, known.meeting2.pk}
    assert is_current(known.meeting1) and is_current(known.meeting2)
    with django_assert_num_queries(1):
        assert tallies(known) == first


def m1(known, name):
    return known.m1[name]


# Each write a service makes, through the ORM, and what it changes in the tally of meeting 1.
WRITES = [
    ("an opinion", lambda k: Opinion.objects.create(meeting=k.meeting1, received_on=days(-2), channel="box", text="新的意见建议"),
     lambda p: p["opinions"]["total"] == 5),
    ("a claim", lambda k: OpinionClaim.objects.create(opinion=Opinion.objects.get(text="意见建议第0条"), member=m1(k, "党员一"),
                                                      claimed_on=days(-1)),
     lambda p: p["opinions"]["claimed"] == 2),
    ("a self-review", lambda k: _save_review(k), lambda p: p["reviews"]["done"] == 5),
    ("a talk", lambda k: Talk.objects.create(meeting=k.meeting1, held_on=days(-9), topics="谈心", member_a=m1(k, "书记甲"),
                                             member_b=m1(k, "支委丙")),
     lambda p: p["talks"]["committee_pairs_done"] == 2),
    ("attendance", lambda k: _save_attendance(k), lambda p: p["attendance"]["present"] == 6),
    ("a criticism", lambda k: Criticism.objects.create(meeting=k.meeting1, giver=m1(k, "书记甲"), receiver=m1(k, "党员一"),
                                                       text="学习不够深入，联系实际不紧。"),
     lambda p: p["criticisms"]["given"] == 1),
    ("an evaluation", lambda k: _undetermine(k), lambda p: p["evaluations"]["determined"] == 0),
    ("a member leaving", lambda k: _leave(k, "党员三"), lambda p: p["reviews"]["returned"] == 1),
    ("a deletion", lambda k: Talk.objects.filter(member_a=m1(k, "党员一"), member_b=m1(k, "党员二")).first().delete(),
     lambda p: p["talks"]["ordinary_with_ordinary"] == 0),
]


def _save_review(k):
    review = SelfReview.objects.get(member=m1(k, "党员三"))
    review.status = "submitted"
    review.save()


def _save_attendance(k):
    attendance = Attendance.objects.get(member=m1(k, "党员三"))
    attendance.status, attendance.reason = "present", ""
    attendance.save()


def _undetermine(k):
    evaluation = Evaluation.objects.get(meeting=k.meeting1)
    evaluation.determined_at = None
    evaluation.save()


def _leave(k, name):
    member = Member.objects.get(pk=m1(k, name).pk)
    member.is_active = False
    member.save()


@pytest.mark.parametrize("label, write, changed", WRITES, ids=[w[0] for w in WRITES])
def test_every_write_marks_its_meeting_stale_and_the_next_read_shows_it(known, label, write, changed):
    tallies(known)
    write(known)
    assert not is_current(known.meeting1), label
    assert is_current(known.meeting2), f"{label} marks only its own meeting"
    assert changed(parts(known, known.meeting1)), label
    assert is_current(known.meeting1)


def test_a_member_moving_to_another_branch_marks_the_meetings_they_were_counted_in(known):
    tallies(known)
    member = Member.objects.get(pk=known.m1["党员一"].pk)
    member.branch = known.b2
    member.save()
    assert not is_current(known.meeting1) and not is_current(known.meeting2)
    assert parts(known, known.meeting1)["reviews"]["done"] == 3


def test_a_write_racing_with_a_recount_leaves_the_tally_stale(known, monkeypatch):
    """The recount reads `dirty` before counting; a write that commits after that point (simulated by
    writing right after the counting) must be seen by the next read, not lost."""
    tallies(known)
    tallies_stale(meetings=Q(meeting=known.meeting1))
    count = selectors._count_meetings

    def count_then_write(*args, **kwargs):
        counted = count(*args, **kwargs)
        Opinion.objects.create(meeting=known.meeting1, received_on=days(-1), channel="box", text="计数之后到达的意见")
        return counted

    monkeypatch.setattr(selectors, "_count_meetings", count_then_write)
    assert selectors.tally_parts(tallies(known)[known.meeting1.pk])["opinions"]["total"] == 4  # counted before it
    monkeypatch.setattr(selectors, "_count_meetings", count)
    assert not is_current(known.meeting1)
    assert parts(known, known.meeting1)["opinions"]["total"] == 5


def test_a_write_that_bypasses_signals_shows_once_the_tally_is_older_than_the_cache_lifetime(known, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    tallies(known)
    Opinion.objects.filter(text="重复的意见建议").update(merged_into=None)  # queryset.update: no signal
    assert parts(known, known.meeting1)["opinions"]["total"] == 4
    MeetingTally.objects.update(computed_at=timezone.now() - dt.timedelta(seconds=301))
    assert parts(known, known.meeting1)["opinions"]["total"] == 5
    assert MeetingTally.objects.get(meeting=known.meeting1).computed_at > timezone.now() - dt.timedelta(seconds=5)


def test_a_recount_equals_the_tallies_kept_by_the_writes(known):
    tallies(known)
    for _label, write, _changed in WRITES:
        write(known)
        tallies(known)
    kept = tallies(known)
    assert kept == tallies(known, recount=True)
    assert kept == selectors._count_meetings(known.county, selectors.Season(YEAR), None)


@pytest.mark.skipif(os.getenv("DB") != "postgres", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_recount_never_waits_for_a_write_holding_a_tally(monkeypatch):
    known = build_known()
    tallies(known)
    MeetingTally.objects.update(dirty=F("dirty") + 1)
    locked, release = threading.Event(), threading.Event()

    def writer():
        with connections["default"].cursor() as cursor:  # this thread's own connection
            cursor.execute("BEGIN")
            cursor.execute("SELECT 1 FROM dashboard_meetingtally WHERE meeting_id = %s FOR UPDATE", [known.meeting1.pk])
            locked.set()
            release.wait(30)
            cursor.execute("COMMIT")
        connections["default"].close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting would fail the recount instead of hanging
        figures = tallies(known)
    finally:
        release.set()
        thread.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert selectors.tally_parts(figures[known.meeting1.pk])["opinions"]["total"] == 4  # counted all the same
    assert not is_current(known.meeting1)  # held by the writer: left stale, counted next time
    assert is_current(known.meeting2)
    tallies(known)
    assert is_current(known.meeting1)
