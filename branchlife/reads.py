"""Reads of one row by primary key whose SQL is put together once per process (issue 23).

The ORM compiles a query's SQL afresh on every call: for `Evaluation.objects.select_related("meeting__branch")
.get(pk=…)` that costs about five times what PostgreSQL spends answering it (0.75 ms against 0.13 ms
measured). A page that reads the same kind of row on every request — the ballot's evaluation, the user of
the session — can instead compile the query once and only send it: `CompiledGet` keeps the SQL, which
columns need converting and the recipe to build the instances (the queryset's own, as Django's
ModelIterable uses them), so what it returns is what `.get(pk=…)` would have returned, related objects
included. The converters themselves are bound to a connection and kept on it (`_converters`).
`tests/test_reads.py` compares the two.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.http import Http404

_PLACEHOLDER = -1_987_654_321  # a primary key no row has (within a 32-bit AutoField), to find its place among the parameters


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slot: int  # where the primary key goes in params
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    converting: tuple  # (position, expression) of the columns whose values the backend or field converts
    populators: list


class CompiledGet:
    """`make_queryset().get(pk=…)`, compiled once per database; the queryset may join and select related
    rows (select_related), not annotate, order, slice or defer."""

    def __init__(self, make_queryset: Callable[[], QuerySet]):
        self._make = make_queryset
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    @functools.cached_property
    def model(self) -> type[Model]:
        return self._make().model

    def get(self, pk: int) -> Model:
        """The instance, or the model's DoesNotExist."""
        model = self.model
        if not isinstance(pk, int) or not -(2**63) <= pk < 2**63:  # as the ORM: no such row, not a database error
            raise self._missing()
        using = router.db_for_read(model)
        connection = connections[using]
        compiled = self._compiled.get((using, connection.vendor)) or self._compile(using)
        params = list(compiled.params)
        params[compiled.slot] = pk
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            raise self._missing()
        row = list(row)
        for position, functions, expression in self._converters(compiled, connection):
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
        obj = compiled.model.from_db(using, compiled.init_list, row[compiled.start:compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj

    def _missing(self) -> ObjectDoesNotExist:
        return self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")

    def _converters(self, compiled: _Compiled, connection) -> list:
        """The converters as this connection's backend gives them, kept on the connection itself: converters
        are bound to the connection that made them, and kept here they would keep a thread's connection (and
        its database session) alive after the thread ended."""
        per_connection = connection.__dict__.setdefault("_compiled_get_converters", {})
        found = per_connection.get(self)
        if found is None:
            found = per_connection[self] = [
                (position, connection.ops.get_db_converters(expression) + expression.get_db_converters(connection), expression)
                for position, expression in compiled.converting
            ]
        return found

    def get_or_404(self, pk: int) -> Model:
        try:
            return self.get(pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def _compile(self, using: str) -> _Compiled:
        with self._lock:
            queryset = self._make().filter(pk=_PLACEHOLDER)
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()  # fills compiler.select and klass_info, as execute_sql would
            slots = [i for i, p in enumerate(params) if p == _PLACEHOLDER]
            if len(slots) != 1 or compiler.annotation_col_map:
                raise ValueError("CompiledGet takes a queryset filtered only by its primary key, without annotations")
            klass_info = compiler.klass_info
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            compiled = _Compiled(
                sql=sql,
                params=tuple(params),
                slot=slots[0],
                model=klass_info["model"],
                init_list=[f[0].target.attname for f in compiler.select[start:end]],
                start=start,
                end=end,
                converting=tuple(
                    (position, expression) for position, (_functions, expression)
                    in compiler.get_converters([s[0] for s in compiler.select[0:compiler.col_count]]).items()
                ),
                populators=get_related_populators(klass_info, compiler.select, using),
            )
            self._compiled[(using, connections[using].vendor)] = compiled
            return compiled
