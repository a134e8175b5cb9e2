"""Syncs are jobs: `storage_sync` (import), `storage_export` (full export) and `storage_export_batch`
(annotations saved since the last batch). The first two hold the target `storage:<id>`, so two syncs
of one storage never run at once (cron-safe); the batch job needs no lock since it writes the
current state of what it is given.

Retries are safe by construction: an import sync records each batch's objects with its tasks in one
transaction, so a retried attempt lists again and creates only what is still missing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from lsx.engine.db.models import utcnow
from lsx.engine.jobs.registry import register_kind
from lsx.engine.storage.models import Storage

if TYPE_CHECKING:
    from lsx.engine.access.actor import Actor
    from lsx.engine.jobs.handle import JobHandle
    from lsx.engine.workspace import Workspace

SYNC, EXPORT_SYNC, EXPORT_BATCH = "storage_sync", "storage_export", "storage_export_batch"


def storage_target(project_id: int | None, params: dict[str, Any]) -> str:
    return f"storage:{int(params['storage'])}"


def _started(ws: Workspace, storage_id: int, job_id: int) -> None:
    with ws.session() as s:
        s.execute(update(Storage).where(Storage.id == storage_id).values(last_sync_job=job_id, traceback=None))


def _record(ws: Workspace, storage_id: int, result: dict[str, Any], count: int) -> None:
    """Last-sync counters on the storage (Label Studio's `meta`, `last_sync`, `last_sync_count`)."""
    meta = {k: result.get(k, 0) for k in ("added", "updated", "removed", "failed")}
    meta["duration"] = result.get("duration", 0.0)
    meta.update({k: result[k] for k in ("listed", "unchanged", "marked", "kept", "written", "deleted") if k in result})
    errors = result.get("errors") or []
    with ws.session() as s:
        s.execute(update(Storage).where(Storage.id == storage_id).values(
            last_sync=utcnow(), last_sync_count=count, meta=meta,
            traceback="\n".join(errors) if errors else None,
        ))


def run_sync(ws: Workspace, actor: Actor, params: dict[str, Any], handle: JobHandle) -> dict[str, Any]:
    """params: storage, on_change, on_delete, force, skip_invalid."""
    from lsx.engine.storage.import_sync import sync_import

    storage_id = int(params["storage"])
    _started(ws, storage_id, handle.job_id)
    report = sync_import(
        ws, actor, storage_id, on_change=params.get("on_change"), on_delete=params.get("on_delete"),
        force=bool(params.get("force")), skip_invalid=bool(params.get("skip_invalid")), progress=handle,
    )
    result = report.as_json()
    _record(ws, storage_id, result, report.added)
    return result


def run_export_sync(ws: Workspace, actor: Actor, params: dict[str, Any], handle: JobHandle) -> dict[str, Any]:
    from lsx.engine.storage.export_sync import sync_export

    storage_id = int(params["storage"])
    _started(ws, storage_id, handle.job_id)
    report = sync_export(ws, actor, storage_id, progress=handle)
    result = report.as_json()
    _record(ws, storage_id, result, report.written)
    return result


def run_export_batch(ws: Workspace, actor: Actor, params: dict[str, Any], handle: JobHandle) -> dict[str, Any]:
    """params: storage, saved (annotation ids), deleted ([annotation id, task id] pairs)."""
    from lsx.engine.storage.export_sync import export_annotations

    started = time.perf_counter()
    report = export_annotations(
        ws, actor, int(params["storage"]), [int(a) for a in params.get("saved", [])],
        [(int(a), int(t)) for a, t in params.get("deleted", [])],
    )
    report.duration = time.perf_counter() - started
    return report.as_json()


register_kind(SYNC, run_sync, timeout=24 * 3600, max_attempts=3, target=storage_target, retry_delay=2.0)
register_kind(EXPORT_SYNC, run_export_sync, timeout=24 * 3600, max_attempts=3, target=storage_target,
              retry_delay=2.0)
register_kind(EXPORT_BATCH, run_export_batch, timeout=3600, max_attempts=5, retry_delay=2.0)
