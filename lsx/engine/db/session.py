"""Engine and session factory. SQLite gets WAL, foreign keys and a busy timeout on every connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
)


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling fights WAL + BEGIN IMMEDIATE; we issue BEGIN ourselves.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cur.execute(pragma)
    cur.close()


_FK_OFF = "lsx_foreign_keys_off"


def _sqlite_on_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout instead of
    # failing with "database is locked" when a reader upgrades to a writer.
    # Read-only sessions (engine.execution_options(lsx_read=True)) use a plain deferred BEGIN.
    options = conn.get_execution_options()
    if options.get("lsx_bulk", False):
        # Bulk loaders check their own references; SQLite would look each one up per row. The
        # pragma only takes effect outside a transaction, and is restored at check-in.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.connection.info[_FK_OFF] = True
    conn.exec_driver_sql("BEGIN" if options.get("lsx_read", False) else "BEGIN IMMEDIATE")


def _sqlite_on_checkin(dbapi_conn: Any, record: Any) -> None:
    if record is not None and record.info.pop(_FK_OFF, False):
        dbapi_conn.execute("PRAGMA foreign_keys=ON")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine.pool, "checkin", _sqlite_on_checkin)
        return engine
    # No pre-ping: it costs a round trip per checkout; pool_recycle retires connections before
    # server or proxy idle timeouts, and a dead connection is invalidated on its first error.
    return create_engine(url, pool_pre_ping=False, pool_recycle=1800, pool_size=20, max_overflow=20)


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    bind = engine.execution_options(lsx_read=True) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
