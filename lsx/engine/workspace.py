"""The one object front ends hold: settings, DB session factories, and (lazily) the job queue.

`open_workspace()` migrates a new or old database, purges imports that never committed, and makes
sure the default organization and the local owner exist, so first use needs no setup step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from lsx.engine.settings import Settings, load_settings


@dataclass
class Workspace:
    settings: Settings
    engine: Engine
    _write: sessionmaker[Session] = field(repr=False)
    _read: sessionmaker[Session] = field(repr=False)

    @property
    def home(self) -> Path:
        return Path(self.settings.home)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with self._write() as s, s.begin():
            yield s

    @contextmanager
    def bulk_session(self) -> Iterator[Session]:
        """A write transaction for bulk loaders that check their own references (ids they just
        reserved, users they resolved, a project they re-read): SQLite does not enforce foreign
        keys inside it, which saves an index lookup per reference per row."""
        with Session(self.engine.execution_options(lsx_bulk=True), expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot (never takes SQLite's write lock)."""
        with self._read() as s, s.begin():
            yield s

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A Core connection in a read-only snapshot, for prebuilt statements (no unit of work)."""
        with self._read.kw["bind"].connect() as conn, conn.begin():
            yield conn

    @cached_property
    def jobs(self) -> Any:
        """The job queue (inline, or RQ when LSX_REDIS_URL is set); imported on first use."""
        from lsx.engine.jobs import make_queue

        return make_queue(self)

    def close(self) -> None:
        self.engine.dispose()


def open_workspace(settings: Settings | None = None, *, migrate: bool = True) -> Workspace:
    from lsx.engine.access.bootstrap import ensure_defaults
    from lsx.engine.db.migrate import ensure_current
    from lsx.engine.db.session import make_engine, make_session_factory

    settings = settings or load_settings()
    Path(settings.home).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    ws = Workspace(settings, engine, make_session_factory(engine), make_session_factory(engine, read_only=True))
    if migrate:
        ensure_current(engine)
        ensure_defaults(ws)
        if _unfinished_imports(ws):  # the imports module (and its readers) only when there is work
            from lsx.engine.imports import purge_abandoned_imports

            purge_abandoned_imports(ws)
    return ws


def _unfinished_imports(ws: Workspace) -> bool:
    from sqlalchemy import select

    from lsx.engine.db.models import IMPORT_FAILED, IMPORT_PENDING, TaskImport

    with ws.read_connection() as conn:
        return conn.execute(
            select(TaskImport.id).where(TaskImport.state.in_((IMPORT_PENDING, IMPORT_FAILED))).limit(1)
        ).first() is not None
