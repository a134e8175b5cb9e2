"""Fast multi-row inserts for the bulk paths (import, sync): the driver's executemany, no ORM.

Rows are tuples in column order with JSON already serialized to text, so per-row cost stays a few
microseconds. Dates: SQLite gets SQLAlchemy's stored text form, PostgreSQL real datetimes.
"""

from __future__ import annotations

from collections.abc import Sequence
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
