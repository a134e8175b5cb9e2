"""Run one attempt of a job, whatever the backend: claim it, call the kind, record the outcome.

The claim is a conditional UPDATE (queued and at the expected attempt -> started), so a job handed
to a backend twice still runs once per attempt. Failures go through lsx's own retry bookkeeping:
another attempt after an exponential backoff while attempts remain, else `failed` with the traceback,
a log line and a `job.failed` event.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Membership, User, utcnow
from lsx.engine.errors import Canceled, InputError, LsxError
from lsx.engine.jobs import events
from lsx.engine.jobs.errors import JobTimeout
from lsx.engine.jobs.handle import JobHandle, Publish
from lsx.engine.jobs.info import JobInfo
from lsx.engine.jobs.models import CANCELED, FAILED, FINISHED, QUEUED, STARTED, Job
from lsx.engine.jobs.registry import KindSpec, get_kind

if TYPE_CHECKING:
    from lsx.engine.workspace import Workspace

log = logging.getLogger("lsx.jobs")


def worker_name() -> str:
    """host:pid of the process running an attempt (a forked RQ work-horse has its own pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Outcome:
    """What one attempt ended as: finished, failed, canceled, retry (after `delay` s) or skipped
    (someone else claimed it, or it was canceled before it started)."""

    status: str
    delay: float = 0.0


def heartbeat_interval(ws: Workspace) -> float:
    """Beat four times per timeout, so one slow beat never looks like death; at most every 10 s."""
    return max(0.2, min(10.0, ws.settings.job_heartbeat_timeout / 4))


def _actor(s: Session, job: Job) -> Actor:
    user = s.get(User, job.created_by_id) if job.created_by_id is not None else None
    if user is None or not user.is_active:
        raise InputError(f"job {job.id}: the user who submitted it no longer exists or is inactive")
    role = s.execute(
        select(Membership.role).where(
            Membership.user_id == user.id,
            Membership.organization_id == job.organization_id,
            Membership.deleted_at.is_(None),
        )
    ).scalar()
    if role is None:
        raise InputError(f"job {job.id}: {user.email} is no longer a member of the job's organization")
    return Actor(user.id, user.email, job.organization_id or 0, role)


def claim(ws: Workspace, job_id: int, attempt: int) -> tuple[Job, Actor | LsxError] | None:
    """Take the job for `attempt`; None when it is not ours to run (canceled, or already claimed)."""
    now = utcnow()
    with ws.session() as s:
        claimed = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == QUEUED, Job.attempts == attempt - 1)
            .values(
                status=STARTED,
                attempts=attempt,
                started_at=now,
                heartbeat_at=now,
                finished_at=None,
                run_after=None,
                worker=worker_name(),
            )
            .returning(Job.id)
        ).scalar()
        if claimed is None:
            return None
        job = s.get(Job, job_id)
        assert job is not None
        try:
            who: Actor | LsxError = _actor(s, job)
        except LsxError as exc:
            who = exc
        s.expunge(job)
        return job, who


def execute(
    ws: Workspace,
    job_id: int,
    attempt: int,
    *,
    publish: Publish | None = None,
    on_progress: Callable[[int, int | None, str], None] | None = None,
) -> Outcome:
    """Run attempt `attempt` of the job in this thread. Never raises for the job's own errors
    (they are recorded); re-raises KeyboardInterrupt/SystemExit after recording them."""
    claimed = claim(ws, job_id, attempt)
    if claimed is None:
        return Outcome("skipped")
    job, who = claimed
    try:
        spec = get_kind(job.kind)
    except LsxError as exc:
        return _fail(ws, job_id, attempt, exc, None, retryable=False)
    if isinstance(who, LsxError):
        return _fail(ws, job_id, attempt, who, spec, retryable=False)
    handle = JobHandle(
        ws,
        job_id,
        attempt,
        dict(job.params or {}),
        timeout=spec.timeout,
        publish=publish,
        on_progress=on_progress,
    )
    handle.start_heartbeat(heartbeat_interval(ws))
    events.emit("job.started", job_id=job_id, kind=job.kind, attempt=attempt)
    try:
        result = spec.func(ws, who, handle.params, handle)
    except Canceled as exc:
        return _canceled(ws, job_id, attempt, str(exc))
    except JobTimeout as exc:
        return _fail(ws, job_id, attempt, exc, spec, retryable=True)
    except LsxError as exc:  # the user's input is wrong: another attempt would fail the same way
        return _fail(ws, job_id, attempt, exc, spec, retryable=False)
    except (KeyboardInterrupt, SystemExit) as exc:
        _canceled(ws, job_id, attempt, f"job {job_id} was interrupted ({type(exc).__name__})")
        raise
    except BaseException as exc:
        return _fail(ws, job_id, attempt, exc, spec, retryable=True)
    finally:
        handle.stop_heartbeat()
    return _finish(ws, job_id, attempt, result, handle)


def _locked(s: Session, job_id: int, attempt: int) -> Job | None:
    """The row if `attempt` is still the current one, locked for the rest of the transaction."""
    return s.scalars(select(Job).where(Job.id == job_id, Job.attempts == attempt).with_for_update()).first()


def _finish(ws: Workspace, job_id: int, attempt: int, result: Any, handle: JobHandle) -> Outcome:
    with ws.session() as s:
        job = _locked(s, job_id, attempt)
        if job is None or job.status not in (STARTED, CANCELED):
            return Outcome("skipped")
        # Work that completed is recorded as finished even when a cancel arrived at the very end.
        job.status, job.finished_at, job.active_target = FINISHED, utcnow(), None
        job.result = result if isinstance(result, dict) or result is None else {"value": result}
        job.progress_done = max(job.progress_done, handle.done)
        if handle.total is not None:
            job.progress_total = handle.total
        job.error = job.traceback = None
        info = JobInfo.from_row(job)
    events.emit("job.finished", job=info)
    return Outcome(FINISHED)


def _canceled(ws: Workspace, job_id: int, attempt: int, message: str) -> Outcome:
    with ws.session() as s:
        job = _locked(s, job_id, attempt)
        if job is None:
            return Outcome("skipped")
        job.status, job.finished_at, job.active_target = CANCELED, utcnow(), None
        job.error = job.error or message
        info = JobInfo.from_row(job)
    events.emit("job.canceled", job=info)
    return Outcome(CANCELED)


def _fail(
    ws: Workspace, job_id: int, attempt: int, exc: BaseException, spec: KindSpec | None, *, retryable: bool
) -> Outcome:
    message = str(exc) or type(exc).__name__
    if not isinstance(exc, LsxError):
        message = f"{type(exc).__name__}: {message}"
    trace = "".join(traceback.format_exception(exc))
    with ws.session() as s:
        job = _locked(s, job_id, attempt)
        if job is None:
            return Outcome("skipped")
        job.error, job.traceback = message, trace
        if job.status == CANCELED:
            job.finished_at, job.active_target = utcnow(), None
            return Outcome(CANCELED)
        if retryable and spec is not None and attempt < job.max_attempts:
            delay = spec.backoff(attempt)
            job.status, job.run_after = QUEUED, utcnow() + timedelta(seconds=delay)
            info = JobInfo.from_row(job)
            retry = True
        else:
            job.status, job.finished_at, job.active_target = FAILED, utcnow(), None
            info = JobInfo.from_row(job)
            retry = False
    if retry:
        log.warning("job %s (%s) attempt %s/%s failed, retrying in %.1fs: %s",
                    job_id, info.kind, attempt, info.max_attempts, delay, message)
        events.emit("job.retrying", job=info, delay=delay)
        return Outcome("retry", delay)
    log.error("job %s (%s) failed after %s attempt(s): %s", job_id, info.kind, attempt, message)
    events.emit("job.failed", job=info)
    return Outcome(FAILED)
