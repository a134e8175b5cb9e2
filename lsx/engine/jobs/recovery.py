"""Recovery: find jobs whose runner died, and hand due jobs (new ones, retries after their backoff)
to RQ. Every worker runs both about once a second; `lsx job list` and `wait_job` reap too.

A started job whose heartbeat is older than LSX_JOB_HEARTBEAT_TIMEOUT is taken as dead: an RQ job goes
back to the queue for another worker while attempts remain (else it fails); an inline job fails,
since nobody else can run it (`lsx job retry` runs it again).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update

from lsx.engine.db.models import utcnow
from lsx.engine.jobs import events
from lsx.engine.jobs.info import JobInfo
from lsx.engine.jobs.models import CANCELED, FAILED, QUEUED, RQ, STARTED, Job

if TYPE_CHECKING:
    from lsx.engine.workspace import Workspace

log = logging.getLogger("lsx.jobs")


def reap_stale(ws: Workspace) -> list[int]:
    """Deal with jobs whose runner stopped beating; returns their ids."""
    cutoff = utcnow() - timedelta(seconds=ws.settings.job_heartbeat_timeout)
    with ws.read() as s:
        stale = s.execute(
            select(Job.id, Job.attempts).where(
                Job.status.in_((STARTED, CANCELED)), Job.finished_at.is_(None), Job.heartbeat_at < cutoff,
            )
        ).all()
    reaped = []
    for job_id, attempts in stale:
        if _reap_one(ws, job_id, attempts, cutoff):
            reaped.append(job_id)
    return reaped


def _reap_one(ws: Workspace, job_id: int, attempts: int, cutoff: Any) -> bool:
    with ws.session() as s:
        job = s.scalars(
            select(Job)
            .where(Job.id == job_id, Job.attempts == attempts, Job.heartbeat_at < cutoff)
            .with_for_update()
        ).first()
        if job is None:
            return False
        last = job.heartbeat_at
        if job.status == CANCELED:  # canceled while running, and the runner died before it stopped
            job.active_target, job.finished_at = None, job.finished_at or utcnow()
            return True
        if job.status != STARTED:
            return False
        why = f"attempt {attempts} stopped: no heartbeat from {job.worker or 'its worker'} since {last} UTC"
        job.error, job.traceback = why, None
        if job.backend == RQ and attempts < job.max_attempts:
            job.status, job.run_after = QUEUED, utcnow()
            retry = True
        else:
            if job.backend != RQ:
                why += f"; the process running it is gone (run it again: lsx job retry {job_id})"
                job.error = why
            job.status, job.finished_at, job.active_target = FAILED, utcnow(), None
            retry = False
        info = JobInfo.from_row(job)
    if retry:
        log.warning("job %s (%s): %s; queued again", job_id, info.kind, why)
        events.emit("job.retrying", job=info, delay=0.0)
    else:
        log.error("job %s (%s) failed: %s", job_id, info.kind, why)
        events.emit("job.failed", job=info)
    return True


def enqueue_due(ws: Workspace, queue: Any) -> int:
    """Hand queued RQ jobs whose `run_after` has come to RQ. Enqueue first, then clear `run_after`:
    a crash in between only hands the same attempt over twice, which the claim makes harmless."""
    now = utcnow()
    with ws.read() as s:
        due = s.execute(
            select(Job.id, Job.attempts, Job.queue, Job.timeout).where(
                Job.status == QUEUED, Job.backend == RQ, Job.run_after <= now
            ).order_by(Job.run_after).limit(500)
        ).all()
    for job_id, attempts, queue_name, timeout in due:
        dispatch(ws, queue, job_id, attempts, queue_name, timeout)
    return len(due)


def dispatch(ws: Workspace, queue: Any, job_id: int, attempts: int, queue_name: str, timeout: int) -> None:
    """Enqueue the next attempt of a queued job in RQ and mark it handed over."""
    rq_id = queue.enqueue(job_id, attempts + 1, queue_name, timeout)
    with ws.engine.begin() as conn:
        conn.execute(_HANDED_OVER, {"b_id": job_id, "b_attempts": attempts, "b_rq_id": rq_id})


_T = Job.__table__
_HANDED_OVER = (
    update(_T)
    .where(_T.c.id == bindparam("b_id"), _T.c.attempts == bindparam("b_attempts"), _T.c.status == QUEUED)
    .values(run_after=None, rq_job_id=bindparam("b_rq_id"))
)
