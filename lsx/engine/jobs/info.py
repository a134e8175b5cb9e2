"""JobInfo, the read-only view of a job that front ends get, and the mapping of job statuses to the
status words of Label Studio's export and storage APIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lsx.engine.jobs.models import CANCELED, FAILED, FINISHED, QUEUED, STARTED, TERMINAL, Job


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: str
    status: str
    params: dict[str, Any]
    backend: str
    queue: str
    project_id: int | None
    created_by_id: int | None
    target: str | None
    progress_done: int
    progress_total: int | None
    progress_message: str
    attempts: int
    max_attempts: int
    error: str | None
    traceback: str | None
    result: dict[str, Any] | None
    worker: str | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    run_after: datetime | None
    # Canceled while running, and the runner has not stopped yet.
    stopping: bool = False

    @classmethod
    def from_row(cls, job: Job) -> JobInfo:
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            params=dict(job.params or {}),
            backend=job.backend,
            queue=job.queue,
            project_id=job.project_id,
            created_by_id=job.created_by_id,
            target=job.target,
            progress_done=job.progress_done,
            progress_total=job.progress_total,
            progress_message=job.progress_message,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            error=job.error,
            traceback=job.traceback,
            result=job.result,
            worker=job.worker,
            created_at=_aware(job.created_at),
            started_at=_aware(job.started_at),
            finished_at=_aware(job.finished_at),
            heartbeat_at=_aware(job.heartbeat_at),
            run_after=_aware(job.run_after),
            stopping=job.status == CANCELED and job.finished_at is None,
        )

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    @property
    def ok(self) -> bool:
        return self.status == FINISHED

    def as_json(self) -> dict[str, Any]:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "params": self.params,
            "backend": self.backend,
            "queue": self.queue,
            "project": self.project_id,
            "created_by": self.created_by_id,
            "target": self.target,
            "progress": {"done": self.progress_done, "total": self.progress_total, "message": self.progress_message},
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "error": self.error,
            "traceback": self.traceback,
            "result": self.result,
            "worker": self.worker,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "heartbeat_at": iso(self.heartbeat_at),
            "run_after": iso(self.run_after),
            "stopping": self.stopping,
        }


_EXPORT = {QUEUED: "created", STARTED: "in_progress", FINISHED: "completed", FAILED: "failed", CANCELED: "failed"}


def export_status(status: str) -> str:
    """Label Studio's export status (`created|in_progress|completed|failed`) for a job status."""
    return _EXPORT[status]


def storage_status(status: str, result: dict[str, Any] | None = None) -> str:
    """Label Studio's storage sync status for a job status.

    `initialized` when no sync job exists (status None-like ""), `completed_with_errors` when the
    sync finished but its result counts errors (`result["errors"]` truthy)."""
    if not status:
        return "initialized"
    if status == FINISHED:
        return "completed_with_errors" if result and result.get("errors") else "completed"
    return {QUEUED: "queued", STARTED: "in_progress", FAILED: "failed", CANCELED: "failed"}[status]
