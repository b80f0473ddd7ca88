"""Issue 23: a row read by primary key with its SQL compiled once per process (branchlife.reads), the
session's user read that way (accounts.backends), and one redis-py client per pool (branchlife.cache)."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404

from accounts.backends import ModelBackend
from branchlife.reads import CompiledGet
from evaluations.models import Evaluation
from tests.evaluations.conftest import Builder
from tests.organizations.factories import UserFactory


@pytest.fixture
def build(db):
    return Builder()


def _values(obj):
    return [getattr(obj, f.attname) for f in obj._meta.concrete_fields]


def test_it_reads_what_the_orm_reads_related_rows_included(build, django_assert_num_queries):
    ev = build.evaluation(n=3)
    read = CompiledGet(lambda: Evaluation.objects.select_related("meeting__branch"))
    orm = Evaluation.objects.select_related("meeting__branch").get(pk=ev.pk)
    with django_assert_num_queries(1):
        fast = read.get(ev.pk)
        assert fast.meeting.branch.name == orm.meeting.branch.name  # already there: no second query
    assert type(fast) is Evaluation and fast._state.adding is False and fast._state.db == "default"
    assert _values(fast) == _values(orm)
    assert _values(fast.meeting) == _values(orm.meeting)
    assert _values(fast.meeting.branch) == _values(orm.meeting.branch)
    assert fast.opens_at == orm.opens_at and fast.opens_at.tzinfo is not None  # the converters ran


def test_it_compiles_once_and_then_only_sends(build, monkeypatch):
    first, second = build.evaluation(n=2), build.evaluation(n=2)
    read = CompiledGet(lambda: Evaluation.objects.select_related("meeting"))
    read.get(first.pk)
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))
    assert read.get(second.pk).meeting_id == second.meeting_id
    assert read.get(first.pk).pk == first.pk
    assert compiled == []
    Evaluation.objects.select_related("meeting").get(pk=first.pk)
    assert compiled  # while the ORM compiles on every call


def test_a_missing_row_is_the_models_does_not_exist_and_a_404_for_a_page(db):
    read = CompiledGet(lambda: Evaluation.objects.all())
    for pk in (987654, 2**63, -(2**63) - 1, "12"):  # a string is not a key here: views pass the URL's int
        with pytest.raises(Evaluation.DoesNotExist):
            read.get(pk)
    with pytest.raises(Http404):
        read.get_or_404(987654)


def test_it_refuses_a_queryset_it_cannot_rebuild(db):
    with pytest.raises(ValueError):
        CompiledGet(lambda: Evaluation.objects.annotate(n=Count("id"))).get(1)


def test_the_backend_reads_the_sessions_user_and_refuses_an_inactive_one(db, django_assert_num_queries):
    user, gone = UserFactory(), UserFactory(is_active=False)
    backend = ModelBackend()
    with django_assert_num_queries(1):
        assert backend.get_user(user.pk) == user
    assert backend.get_user(str(user.pk)) == user  # as a session stores it
    assert backend.get_user(gone.pk) is None
    assert backend.get_user(10**9) is None and backend.get_user("x") is None
    assert _values(backend.get_user(user.pk)) == _values(get_user_model().objects.get(pk=user.pk))


def test_a_page_after_login_is_served_by_this_backend(client, db):
    user = UserFactory(username="reads-login")
    user.set_password("pw-for-reads-1")
    user.save()
    client.post("/accounts/login/", {"username": "reads-login", "password": "pw-for-reads-1"})
    assert client.session["_auth_user_backend"] == "accounts.backends.ModelBackend"
    response = client.get("/accounts/password/")
    assert response.status_code == 200 and response.wsgi_request.user == user


@pytest.mark.skipif(not os.getenv("TEST_REDIS_PORT"), reason="needs the Redis that scripts/test.sh starts")
def test_the_redis_cache_keeps_one_client_per_pool():
    from branchlife.cache import RedisCache

    cache = RedisCache(f"redis://127.0.0.1:{os.environ['TEST_REDIS_PORT']}/7", {})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client and cache._cache.get_client("key") is client
    cache.set("reads-test", {"a": 1}, 30)
    assert cache.get("reads-test") == {"a": 1}
    cache.delete("reads-test")
    assert cache.get("reads-test") is None
    assert cache._cache.get_client() is client


def test_it_keeps_no_threads_connection_alive(transactional_db, monkeypatch):
    # Converters are bound to the connection that made them (SQLite's backend converts dates, decimals and
    # booleans with its own methods; PostgreSQL's has none, so one is lent to it here): kept with the compiled
    # query, they kept the first thread's connection — and its database session — alive after the thread.
    import gc
    import threading
    import weakref

    from django.db import connections
    from django.db.backends.base.operations import BaseDatabaseOperations

    monkeypatch.setattr(BaseDatabaseOperations, "keep_value", lambda self, value, expression, connection: value, raising=False)
    monkeypatch.setattr(BaseDatabaseOperations, "get_db_converters", lambda self, expression: [self.keep_value])
    user = UserFactory()  # committed: the thread's own connection sees it
    read = CompiledGet(lambda: get_user_model()._default_manager.all())
    seen = []

    def work():
        seen.append((read.get(user.pk).pk, weakref.ref(connections["default"])))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    gc.collect()
    assert len(seen) == 1 and seen[0][0] == user.pk
    assert seen[0][1]() is None
    assert read.get(user.pk).pk == user.pk  # compiled in that thread, converted here with this connection's


def test_it_converts_with_the_backends_converters(build, monkeypatch):
    from django.db.backends.base.operations import BaseDatabaseOperations

    ev = build.evaluation(n=2)
    calls = []
    monkeypatch.setattr(
        BaseDatabaseOperations, "keep_value",
        lambda self, value, expression, connection: calls.append(connection) or value, raising=False,
    )
    monkeypatch.setattr(BaseDatabaseOperations, "get_db_converters", lambda self, expression: [self.keep_value])
    assert CompiledGet(lambda: Evaluation.objects.all()).get(ev.pk).pk == ev.pk
    from django.db import connections

    assert calls and all(c is connections["default"] for c in calls)
