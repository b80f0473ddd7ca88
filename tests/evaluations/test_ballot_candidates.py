"""Issue 23: the candidates a ballot needs, read once per evaluation and process once voting has started."""

import datetime as dt

import pytest
from django.core.cache import cache

from evaluations import selectors
from evaluations.models import Candidate, Evaluation
from organizations.models import Member


class CacheDown:
    """The shared cache as it is when Redis does not answer."""

    def __init__(self):
        self.calls = 0

    def get(self, *args, **kwargs):
        self.calls += 1
        raise ConnectionError("redis is down")

    set = get


@pytest.fixture(autouse=True)
def fresh_process():
    """Each test starts as a newly started worker: nothing kept in this process, nothing in the shared cache."""
    selectors._kept_candidates.clear()
    cache.clear()
    yield
    selectors._kept_candidates.clear()


def _names(candidates) -> list[str]:
    return [c.member.name for c in candidates]


def test_an_open_evaluation_reads_its_candidates_once_then_neither_database_nor_cache(
    build, monkeypatch, django_assert_num_queries
):
    ev = build.evaluation(n=5)
    expected = [m.name for m in sorted(ev.members, key=lambda m: (m.name, m.pk))]
    with django_assert_num_queries(1):
        first = selectors.ballot_candidates(evaluation=ev)
    assert _names(first) == expected
    down = CacheDown()
    monkeypatch.setattr(selectors, "cache", down)
    with django_assert_num_queries(0):
        again = selectors.ballot_candidates(evaluation=ev)
    assert again == first and down.calls == 0
    again.pop()  # a caller's list is its own: what the process keeps is not changed by it
    assert len(selectors.ballot_candidates(evaluation=ev)) == 5


def test_another_process_takes_them_from_the_shared_cache(build, django_assert_num_queries):
    ev = build.evaluation(n=4)
    first = selectors.ballot_candidates(evaluation=ev)
    selectors._kept_candidates.clear()  # another worker: the shared cache has them, its memory does not
    with django_assert_num_queries(0):
        assert selectors.ballot_candidates(evaluation=ev) == first


def test_before_voting_opens_every_read_goes_to_the_database(build, django_assert_num_queries):
    ev = build.evaluation(n=3, state="scheduled")
    selectors.ballot_candidates(evaluation=ev)
    Candidate.objects.filter(evaluation=ev, member=ev.members[0]).delete()  # the roster may still change
    with django_assert_num_queries(1):
        assert len(selectors.ballot_candidates(evaluation=ev)) == 2
    assert selectors._kept_candidates.entries == {}


def test_a_reopened_evaluation_is_a_new_key(build):
    ev = build.evaluation(n=3)
    selectors.ballot_candidates(evaluation=ev)
    Member.objects.filter(pk=ev.members[0].pk).update(name="改过的名字")
    Evaluation.objects.filter(pk=ev.pk).update(opens_at=ev.opens_at + dt.timedelta(minutes=5))
    ev.refresh_from_db()
    assert "改过的名字" in _names(selectors.ballot_candidates(evaluation=ev))


def test_with_the_cache_down_the_vote_still_gets_its_candidates(build, monkeypatch, django_assert_num_queries):
    ev = build.evaluation(n=3)
    down = CacheDown()
    monkeypatch.setattr(selectors, "cache", down)
    with django_assert_num_queries(1):
        assert len(selectors.ballot_candidates(evaluation=ev)) == 3
    assert down.calls == 1  # it tried, failed, read the database and did not try to write back


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_what_a_process_keeps_lasts_as_long_as_the_shared_cache_would_and_is_bounded():
    clock = FakeClock()
    kept = selectors._KeptCandidates(size=2, clock=clock)
    one = (selectors._candidate(1, 11, "甲"),)
    kept.put("a", one)
    clock.now += selectors.BALLOT_CANDIDATES_CACHE_SECONDS - 1
    assert kept.get("a") == one
    clock.now += 2  # a name corrected since shows as soon as the shared cache would show it
    assert kept.get("a") is None
    kept.put("a", one)
    kept.put("b", one)
    kept.put("c", one)  # the oldest goes
    assert kept.get("a") is None and kept.get("b") == one and kept.get("c") == one
