"""Bulk inserts write columns that are the same in every row as literals: the rows stored are the same."""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy import text

from lsx.engine.db import bulk
from lsx.engine.db.bulk import insert_rows
from lsx.engine.workspace import Workspace

pytestmark = pytest.mark.db

COLUMNS = ("id", "data", "meta", "flag", "score", "note")


def _table(ws: Workspace) -> None:
    with ws.session() as s:
        s.execute(text(
            "CREATE TABLE bulk_probe (id INTEGER PRIMARY KEY, data TEXT NOT NULL, meta TEXT, flag BOOLEAN, "
            "score FLOAT, note TEXT)"
        ))


def _stored(ws: Workspace) -> list[tuple[Any, ...]]:
    with ws.read() as s:
        rows = s.execute(text(f"SELECT {', '.join(COLUMNS)} FROM bulk_probe ORDER BY id")).all()
    return [(r[0], r[1], r[2], bool(r[3]) if r[3] is not None else None, r[4], r[5]) for r in rows]


@pytest.mark.parametrize("n", [3, bulk.AUTO_CONSTANT_MIN_ROWS, 1000])
def test_rows_round_trip_whatever_is_constant(ws: Workspace, n: int) -> None:
    """Constant text with a quote and a %, constant NULL and bool, varying floats: all stored as given."""
    _table(ws)
    rows = [(i + 1, f"row {i} at 5%", "it's 100% {}", True, i / 4, None) for i in range(n)]
    with ws.session() as s:
        insert_rows(s, "bulk_probe", COLUMNS, rows)
    assert _stored(ws) == rows


def test_explicit_constants_are_written_too(ws: Workspace) -> None:
    _table(ws)
    rows = [(i + 1, f"row {i}") for i in range(500)]
    with ws.session() as s:
        insert_rows(s, "bulk_probe", ("id", "data"), rows, {"meta": "{}", "flag": False, "score": 1.5, "note": "%s"})
    assert _stored(ws) == [(i, d, "{}", False, 1.5, "%s") for i, d in rows]


def test_a_batch_where_every_column_is_constant_but_the_key(ws: Workspace) -> None:
    _table(ws)
    rows = [(i + 1, "same", "{}", False, 0.0, "x") for i in range(300)]
    with ws.session() as s:
        insert_rows(s, "bulk_probe", COLUMNS, rows)
    assert _stored(ws) == rows


def test_what_may_not_become_a_literal() -> None:
    """Equal across types (1 == True == 1.0), non-finite floats, NUL in text, other types: bound."""
    assert bulk._constant([1, 1, 1]) and bulk._constant(["a", "a"]) and bulk._constant([None, None])
    assert not bulk._constant([1, True, 1])
    assert not bulk._constant([0.0, 0, False])
    assert not bulk._constant([math.inf, math.inf])
    assert not bulk._constant([math.nan, math.nan])
    assert not bulk._constant(["a\x00b", "a\x00b"])
    assert not bulk._constant([b"x", b"x"])
    assert not bulk._constant(["a", "b"])
