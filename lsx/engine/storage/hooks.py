"""Export on save: annotation events become `storage_export_batch` jobs, after the commit.

`annotation.saved` / `annotation.deleted` are emitted inside the writer's transaction. Here they only
note the annotation on the transaction's connection; when the connection goes back to the pool (the
transaction has ended) the notes join a process-wide batch, and a short timer later one job per
export storage is submitted for everything saved meanwhile. A rolled-back save costs one job that
finds nothing to write; the job re-reads the database, so it never writes a state that was not
committed.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import defaultdict
from typing import Any

from sqlalchemy import event, text

from lsx.engine.jobs.events import subscribe

log = logging.getLogger("lsx.storage")

DELAY = 0.3  # seconds a batch stays open for more saves
CACHE_TTL = 2.0
_NOTE = "lsx_storage_exports"

_lock = threading.Lock()
_cache: dict[tuple[int, int], tuple[float, list[int]]] = {}
# engine id -> storage id -> {"actor", "saved": set, "deleted": set}
_batches: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
_engines: dict[int, Any] = {}
_workspaces: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_listening: weakref.WeakSet[Any] = weakref.WeakSet()
_timer: threading.Timer | None = None


def forget_project(project_id: int) -> None:
    """A storage was added or removed: the next save looks the project's export storages up again."""
    with _lock:
        for key in [k for k in _cache if k[1] == project_id]:
            _cache.pop(key, None)


def _export_storages(conn: Any, project_id: int) -> list[int]:
    key = (id(conn.engine), project_id)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_TTL:
        return hit[1]
    ids = [int(r[0]) for r in conn.execute(
        text("SELECT id FROM storages WHERE project_id = :p AND kind = 'export'"), {"p": project_id})]
    _cache[key] = (now, ids)
    return ids


def _on_annotation(event_name: str, *, conn: Any = None, actor: Any = None, annotation_id: int = 0,
                   project_id: int = 0, task_id: int = 0, **_: Any) -> None:
    if conn is None:
        return
    storages = _export_storages(conn, project_id)
    if not storages:
        return
    engine = conn.engine
    if engine not in _listening:
        event.listen(engine.pool, "checkin", _on_checkin(id(engine)))
        _listening.add(engine)
        _engines[id(engine)] = engine
    notes = conn.info.setdefault(_NOTE, [])
    notes.append((event_name, storages, actor, annotation_id, task_id))


def _on_checkin(engine_id: int) -> Any:
    def checkin(dbapi_connection: Any, record: Any) -> None:
        notes = record.info.pop(_NOTE, None) if record is not None else None
        if notes:
            _queue(engine_id, notes)

    return checkin


def _queue(engine_id: int, notes: list[Any]) -> None:
    global _timer
    with _lock:
        batches = _batches[engine_id]
        for event_name, storages, actor, annotation_id, task_id in notes:
            for sid in storages:
                b = batches.setdefault(sid, {"actor": actor, "saved": set(), "deleted": set()})
                if event_name == "annotation.deleted":
                    b["saved"].discard(annotation_id)
                    b["deleted"].add((annotation_id, task_id))
                else:
                    b["saved"].add(annotation_id)
        if _timer is None:
            _timer = threading.Timer(DELAY, flush_exports)
            _timer.daemon = True
            _timer.start()


def _workspace(engine: Any) -> Any:
    ws = _workspaces.get(engine)
    if ws is None:
        from lsx.engine.db.session import make_session_factory
        from lsx.engine.settings import load_settings
        from lsx.engine.workspace import Workspace

        ws = Workspace(load_settings(), engine, make_session_factory(engine),
                       make_session_factory(engine, read_only=True))
        _workspaces[engine] = ws
    return ws


def register_workspace(ws: Any) -> None:
    """Use this workspace (its settings, its job queue) for exports on its engine."""
    _workspaces[ws.engine] = ws


def flush_exports(*, wait: bool = False) -> list[int]:
    """Submit the pending batches now; returns the job ids. `wait`: run them here to the end."""
    global _timer
    from lsx.engine.jobs import run_job, submit_job
    from lsx.engine.storage.jobs import EXPORT_BATCH

    with _lock:
        _timer = None
        pending = {eid: dict(b) for eid, b in _batches.items() if b}
        _batches.clear()
    jobs: list[int] = []
    for engine_id, batches in pending.items():
        engine = _engines.get(engine_id)
        if engine is None:
            continue
        ws = _workspace(engine)
        for sid, b in batches.items():
            params = {"storage": sid, "saved": sorted(b["saved"]), "deleted": sorted(b["deleted"])}
            try:
                run = run_job if wait else submit_job
                info = run(ws, b["actor"], EXPORT_BATCH, params)
                jobs.append(info.id)
            except Exception:
                log.exception("could not start the export of saved annotations to storage %s", sid)
    return jobs


subscribe("annotation.saved", _on_annotation)
subscribe("annotation.deleted", _on_annotation)
atexit.register(lambda: flush_exports(wait=True))
