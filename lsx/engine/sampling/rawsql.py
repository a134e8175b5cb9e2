"""Fast path: run Core statements on the DBAPI connection (sqlite3 or psycopg), each compiled once.

SQLAlchemy's execution machinery costs tens of microseconds per statement, more than SQLite needs
to run the label stream's small indexed statements. `RawConn` compiles a Core statement once per
shape (its expanding-parameter lengths and, for INSERT/UPDATE, its parameter keys), then executes
the cached SQL string on the sqlite3 connection with bind and result processors applied, Python-side
column defaults (`default=`, `onupdate=`) filled in, and rows shaped like SQLAlchemy's (index and
attribute access). It offers the part of `Connection` the label stream and `insert_annotation`
use (`execute`, `scalar`, `dialect`, `engine`, `info`), so the same code runs on both.

`raw_transaction(engine)` is one transaction on a pooled connection (SQLite: BEGIN IMMEDIATE …
COMMIT; PostgreSQL: psycopg's implicit BEGIN … commit()), without SQLAlchemy's per-transaction
events; pool events (checkin listeners) still fire. PostgreSQL statements are compiled with
positional `%s` parameters, which psycopg takes as a list. Driver errors are the driver's own
(sqlite3.Error, psycopg.Error), not SQLAlchemy's wrappers.
"""

from __future__ import annotations

import copy
import weakref
from collections import namedtuple
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import MultipleResultsFound, NoResultFound

_CACHE: dict[tuple[Any, ...], _Compiled] = {}


class _Compiled:
    __slots__ = ("getters", "is_dml", "prefetch", "result_procs", "result_types", "row_cls", "sql", "stmt")

    def __init__(self, stmt: Any, dialect: Any, params: dict[str, Any]) -> None:
        self.stmt = stmt  # keeps id(stmt) in the cache key valid
        is_dml = getattr(stmt, "is_dml", False)
        keys = list(params) if is_dml else None
        compiled = stmt.compile(dialect=dialect, column_keys=keys)
        prefetch = list(getattr(compiled, "insert_prefetch", ())) + list(getattr(compiled, "update_prefetch", ()))
        self.prefetch: list[tuple[str, Any]] = []
        sample = dict(params)
        is_insert = getattr(stmt, "is_insert", False)
        for col in prefetch:
            default = col.default if is_insert else (col.onupdate or col.default)
            if default is None:
                continue
            fn = (lambda v: lambda: v)(default.arg) if default.is_scalar else (lambda f: lambda: f(None))(default.arg)
            self.prefetch.append((col.key, fn))
            sample[col.key] = fn()
        full = compiled.construct_params(sample, _check=False)
        expanded = compiled.construct_expanded_state(full)
        self.sql = expanded.statement
        reverse: dict[str, tuple[str, int]] = {}
        for name, parts in (expanded.parameter_expansion or {}).items():
            for i, part in enumerate(parts):
                reverse[part] = (name, i)
        processors = {**(getattr(compiled, "_bind_processors", None) or {}), **(expanded.processors or {})}
        self.getters: list[tuple[int, Any, Any]] = []  # (kind, key, processor): 0 param, 1 element, 2 constant
        for name in expanded.positiontup or ():
            proc = processors.get(name)
            if name in reverse:
                self.getters.append((1, reverse[name], proc))
            elif name in sample:
                self.getters.append((0, name, proc))
            else:
                value = expanded.parameters[name]
                self.getters.append((2, proc(value) if proc and value is not None else value, None))
        self.result_types = [rc.type for rc in getattr(compiled, "_result_columns", None) or []]
        self.result_procs: list[Any] = []
        self.row_cls: Any = None  # set at the first execution, from the cursor's description
        self.is_dml = is_dml

    def args(self, params: dict[str, Any]) -> list[Any]:
        if self.prefetch:
            params = dict(params)
            for key, fn in self.prefetch:
                if key not in params:
                    params[key] = fn()
        out = []
        for kind, key, proc in self.getters:
            if kind == 0:
                value = params[key]
            elif kind == 1:
                value = params[key[0]][key[1]]
            else:
                out.append(key)
                continue
            out.append(proc(value) if proc is not None and value is not None else value)
        return out


_SEQUENCES = (list, tuple)


def _shape(params: dict[str, Any]) -> tuple[Any, ...]:
    """The lengths of expanding (list) parameters: a statement compiles once per shape."""
    shape = ()
    for k, v in params.items():
        if isinstance(v, _SEQUENCES):
            shape += ((k, len(v)),)
    return shape


class RawResult:
    """The little of SQLAlchemy's Result the callers use."""

    __slots__ = ("lastrowid", "rowcount", "rows")

    def __init__(self, rows: list[Any], lastrowid: int | None, rowcount: int) -> None:
        self.rows, self.lastrowid, self.rowcount = rows, lastrowid, rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def one(self) -> Any:
        if not self.rows:
            raise NoResultFound("No row was found when one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self.rows[0]

    def all(self) -> list[Any]:
        return self.rows

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalars(self) -> list[Any]:
        return [r[0] for r in self.rows]

    @property
    def inserted_primary_key(self) -> tuple[int | None]:
        # SQLite reports the rowid; PostgreSQL's INSERT comes back with RETURNING id.
        if self.lastrowid is None and self.rows:
            return (self.rows[0][0],)
        return (self.lastrowid,)


def _row_class(names: list[str]) -> Any:
    """A namedtuple with SQLAlchemy Row's `_mapping` (column name -> value)."""
    base = namedtuple("Row", names, rename=True)  # type: ignore[misc]
    return type("Row", (base,), {"__slots__": (), "_mapping": property(lambda row: row._asdict())})


_DIALECTS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _positional(engine: Engine) -> Any:
    """The engine's dialect, compiling positional parameters (psycopg's named style needs a dict)."""
    dialect = _DIALECTS.get(engine.dialect)
    if dialect is None:
        dialect = engine.dialect
        if not dialect.positional:
            dialect = copy.copy(dialect)
            dialect.paramstyle, dialect.positional = "format", True
        _DIALECTS[engine.dialect] = dialect
    return dialect


class RawConn:
    """Core statements on a sqlite3 or psycopg connection that is already inside a transaction."""

    def __init__(self, dbapi_conn: Any, engine: Engine, info: dict[str, Any] | None = None) -> None:
        self.dbapi = dbapi_conn
        self.engine = engine
        self.dialect = _positional(engine)
        self.info: dict[str, Any] = info if info is not None else {}

    def execute(self, stmt: Any, params: dict[str, Any] | None = None) -> RawResult:
        params = params or {}
        key = (id(stmt), self.dialect.name, _shape(params), tuple(params) if getattr(stmt, "is_dml", False) else None)
        compiled = _CACHE.get(key)
        if compiled is None:
            compiled = _CACHE[key] = _Compiled(stmt, self.dialect, params)
        cur = self.dbapi.execute(compiled.sql, compiled.args(params))
        rows: list[Any] = []
        if compiled.row_cls is None:
            # psycopg builds the whole description on every access; a statement's shape is fixed.
            # Result processors may depend on the column's type code (PostgreSQL numerics).
            description = cur.description
            if description is not None:
                procs = [t._cached_result_processor(self.dialect, d[1])
                         for t, d in zip(compiled.result_types, description, strict=False)]
                compiled.result_procs = procs if any(procs) else []
            compiled.row_cls = False if description is None else _row_class([d[0] for d in description])
        if compiled.row_cls:
            raw_rows = cur.fetchall()
            cls, procs = compiled.row_cls, compiled.result_procs
            if procs:
                rows = [cls(*[p(v) if p is not None else v for p, v in zip(procs, r, strict=False)])
                        for r in raw_rows]
            else:
                rows = [cls(*r) for r in raw_rows]
        return RawResult(rows, getattr(cur, "lastrowid", None), cur.rowcount)

    def scalar(self, stmt: Any, params: dict[str, Any] | None = None) -> Any:
        return self.execute(stmt, params).scalar()


@contextmanager
def raw_transaction(engine: Engine) -> Iterator[RawConn]:
    """One transaction on a pooled connection, committed on success, rolled back on any error."""
    pooled = engine.raw_connection()
    sqlite = engine.dialect.name == "sqlite"
    try:
        dbapi = pooled.driver_connection
        if sqlite:
            dbapi.execute("BEGIN IMMEDIATE")
        try:
            yield RawConn(dbapi, engine, pooled.info)
        except BaseException:
            if sqlite:
                dbapi.execute("ROLLBACK")
            else:
                dbapi.rollback()
            raise
        if sqlite:
            dbapi.execute("COMMIT")
        else:
            dbapi.commit()
    finally:
        pooled.close()


def is_raw(conn: Any) -> bool:
    return isinstance(conn, RawConn)


__all__: Sequence[str] = ("RawConn", "RawResult", "is_raw", "raw_transaction")
