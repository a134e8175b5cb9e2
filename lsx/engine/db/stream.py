"""Stream rows of a raw SQL query without loading them all: the read side of the bulk paths.

SQLite: the driver cursor with fetchmany (columns come back as stored: JSON and dates as text).
PostgreSQL: a server-side (named) cursor, so memory stays flat on any project size.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_names = itertools.count()


def stream_rows(session: Session, sql: str, params: Sequence[Any] = (), batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    conn = session.connection()
    raw = conn.connection.driver_connection  # type: ignore[union-attr]
    if conn.dialect.name == "sqlite":
        cursor = raw.cursor()
        cursor.arraysize = batch
        cursor.execute(sql.replace("%s", "?"), tuple(params))
    else:
        cursor = raw.cursor(name=f"lsx_stream_{next(_names)}")
        cursor.itersize = batch
        cursor.execute(sql, tuple(params))
    try:
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()
