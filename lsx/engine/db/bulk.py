"""Fast multi-row inserts for the bulk paths (import, sync): the driver's executemany, no ORM.

Rows are tuples in column order with JSON already serialized to text, so per-row cost stays a few
microseconds. Dates: SQLite gets SQLAlchemy's stored text form, PostgreSQL real datetimes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

# Below this many rows a batch binds every value: looking for constant columns would cost more
# than it saves, and each distinct set of literals is one more statement for the driver to prepare.
AUTO_CONSTANT_MIN_ROWS = 200


def insert_rows(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: dict[str, Any] | None = None,
) -> None:
    """executemany of `rows` (tuples in `columns` order); `constants` are the same for every row.

    Binding a parameter costs SQLite's driver about 0.15 µs, a literal in the statement nothing per
    row, so columns given in `constants`, and in a large batch every column whose value is the same
    (same type too) in all rows, are written into the SQL as literals.
    """
    if not rows:
        return
    fixed = dict(constants or {})
    names, values = list(columns), rows
    if len(rows) >= AUTO_CONSTANT_MIN_ROWS:
        by_column = list(zip(*rows, strict=True))
        keep = [i for i, col in enumerate(by_column) if not _constant(col)]
        if len(keep) < len(columns):
            fixed.update((columns[i], by_column[i][0]) for i in range(len(columns)) if i not in keep)
            names = [columns[i] for i in keep]
            values = list(zip(*(by_column[i] for i in keep), strict=True)) if keep else [()] * len(rows)
    conn = session.connection()
    dialect = conn.dialect.name
    placeholder = "?" if dialect == "sqlite" else "%s"
    sql_values = [placeholder] * len(names) + [_literal(v, dialect) for v in fixed.values()]
    sql = f"INSERT INTO {table} ({', '.join([*names, *fixed])}) VALUES ({', '.join(sql_values)})"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, values)
    finally:
        cursor.close()


_LITERAL_TYPES = (type(None), bool, int, float, str, datetime)


def _constant(column: Sequence[Any]) -> bool:
    """Every value equal to the first and of its type (1 == True, but a bool column stays bool)."""
    first = column[0]
    kind = type(first)
    if kind not in _LITERAL_TYPES or (kind is float and not math.isfinite(first)):
        return False
    if kind is str and "\x00" in first:  # the driver refuses a statement holding NUL
        return False
    if column.count(first) != len(column):
        return False
    # Only numbers compare equal across types; a str, None or datetime equal to `first` is its type.
    return kind not in (bool, int, float) or len(set(map(type, column))) == 1


def _literal(value: Any, dialect: str) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("1" if value else "0") if dialect == "sqlite" else ("TRUE" if value else "FALSE")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        value = value.isoformat()
    text = str(value).replace("'", "''")
    # psycopg reads every % of a statement as the start of a placeholder, quotes or not.
    return f"'{text}'" if dialect == "sqlite" else "'" + text.replace("%", "%%") + "'"


def reserve_ids(session: Session, table: str, count: int) -> int:
    """Reserve `count` consecutive primary keys; returns the first. Call inside a write transaction."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        # BEGIN IMMEDIATE holds the write lock, so nobody else can insert until we commit.
        (top,) = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").one()
        return int(top) + 1
    seq = conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', 'id')").scalar_one()
    # The lock conflicts with INSERT and with itself, so no other session draws ids from the
    # sequence between our nextval and setval: the block is contiguous.
    conn.exec_driver_sql(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    start = int(conn.exec_driver_sql(f"SELECT nextval('{seq}')").scalar_one())
    conn.exec_driver_sql(f"SELECT setval('{seq}', {start + count - 1})")
    return start
