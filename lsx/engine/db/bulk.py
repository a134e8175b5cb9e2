"""Fast multi-row inserts for the bulk paths (import, sync): the driver's executemany, no ORM.

Rows are tuples in column order with JSON already serialized to text, so per-row cost stays a few
microseconds. Dates: SQLite gets SQLAlchemy's stored text form, PostgreSQL real datetimes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


def insert_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    conn = session.connection()
    placeholder = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([placeholder] * len(columns))})"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _literal(value: Any, dialect: str) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("1" if value else "0") if dialect == "sqlite" else ("TRUE" if value else "FALSE")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        value = value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"


def insert_rows_with_constants(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], constants: dict[str, Any]
) -> None:
    """Like insert_rows, with the columns that are the same for every row written as literals.

    Binding fewer parameters per row makes a bulk insert about a third faster on SQLite.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect.name
    placeholder = "?" if dialect == "sqlite" else "%s"
    names = [*columns, *constants]
    values = [placeholder] * len(columns) + [_literal(v, dialect) for v in constants.values()]
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values)})"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


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
