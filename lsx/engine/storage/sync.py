"""What front ends call to sync: one storage, a project's, or all of them; dry runs run here and
now, real syncs run as jobs (in-process, or on workers with `background`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsx.engine.errors import LsxError
from lsx.engine.storage.models import IMPORT, Storage

if TYPE_CHECKING:
    from lsx.engine.access.actor import Actor
    from lsx.engine.jobs.info import JobInfo
    from lsx.engine.workspace import Workspace


@dataclass
class SyncOutcome:
    storage: Storage
    job: JobInfo | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        if self.error:
            return False
        if self.job is not None and self.job.status not in ("finished", "queued", "started"):
            return False
        return not (self.result or {}).get("failed")

    def as_json(self) -> dict[str, Any]:
        return {
            "storage": self.storage.id, "type": self.storage.type, "kind": self.storage.kind, "ok": self.ok,
            "job": self.job.id if self.job else None, "status": self.job.status if self.job else None,
            "result": self.result, "error": self.error,
        }


def sync_storage(
    ws: Workspace, actor: Actor, storage_id: int, *, dry_run: bool = False, background: bool = False,
    wait: bool = False, on_change: str | None = None, on_delete: str | None = None, force: bool = False,
    skip_invalid: bool = False, progress: Any = None, submit: bool = False,
) -> SyncOutcome:
    """Sync one storage. Never raises for the sync's own failure (it is in the outcome); raises for
    submission problems (unknown storage, busy, no Redis)."""
    from lsx.engine.jobs import run_job, submit_job
    from lsx.engine.storage.import_sync import sync_import
    from lsx.engine.storage.jobs import EXPORT_SYNC, SYNC
    from lsx.engine.storage.service import get_storage

    row = get_storage(ws, actor, storage_id)
    actor.require("manager", "sync storages")
    if dry_run:
        if row.kind != IMPORT:
            return SyncOutcome(row, result={"dry_run": True, "note": "export syncs write every annotation"})
        report = sync_import(ws, actor, storage_id, on_change=on_change, on_delete=on_delete, force=force,
                             skip_invalid=skip_invalid, dry_run=True)
        return SyncOutcome(row, result=report.as_json())
    params: dict[str, Any] = {"storage": storage_id}
    if row.kind == IMPORT:
        params.update({k: v for k, v in (("on_change", on_change), ("on_delete", on_delete)) if v})
        if force:
            params["force"] = True
        if skip_invalid:
            params["skip_invalid"] = True
    kind = SYNC if row.kind == IMPORT else EXPORT_SYNC
    if submit:
        job = submit_job(ws, actor, kind, params, project_id=row.project_id)
    else:
        job = run_job(ws, actor, kind, params, project_id=row.project_id, background=background, wait=wait,
                      progress=progress)
    _remember_job(ws, row.id, job.id)
    return SyncOutcome(row, job=job, result=job.result, error=job.error if job.status == "failed" else None)


def _remember_job(ws: Workspace, storage_id: int, job_id: int) -> None:
    from sqlalchemy import update

    with ws.session() as s:
        s.execute(update(Storage).where(Storage.id == storage_id).values(last_sync_job=job_id))


def sync_many(
    ws: Workspace, actor: Actor, *, project_id: int | None = None, kind: str | None = None, **kwargs: Any
) -> list[SyncOutcome]:
    """`--project P` or `--all`: each storage in turn; one failing never stops the others."""
    from lsx.engine.jobs import JobBusy
    from lsx.engine.storage.service import list_storages

    outcomes = []
    for row in list_storages(ws, actor, project_id=project_id, kind=kind):
        try:
            outcomes.append(sync_storage(ws, actor, row.id, **kwargs))
        except JobBusy as exc:  # cron ran again while the last sync still runs: not a failure
            outcomes.append(SyncOutcome(row, result={"skipped": str(exc)}))
        except LsxError as exc:
            outcomes.append(SyncOutcome(row, error=str(exc)))
    return outcomes
