"""What front ends call: submit, run, list, show, wait for, retry and cancel jobs.

The CLI, REST API and TUI all go through these functions; none of them touches the jobs table or a
backend directly.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from lsx.engine.access import audit
from lsx.engine.access.actor import ROLE_RANK
from lsx.engine.db.models import Project, utcnow
from lsx.engine.errors import Conflict, InputError, NotFound, PermissionDenied
from lsx.engine.jobs.errors import JobBusy
from lsx.engine.jobs.info import JobInfo
from lsx.engine.jobs.inline import InlineQueue
from lsx.engine.jobs.models import CANCELED, INLINE, QUEUED, RQ, STARTED, STATUSES, TERMINAL, Job
from lsx.engine.jobs.recovery import dispatch, reap_stale
from lsx.engine.jobs.registry import KindSpec, get_kind
from lsx.engine.jobs.rq_backend import RqQueue, rq_job_id

if TYPE_CHECKING:
    from lsx.engine.access.actor import Actor
    from lsx.engine.workspace import Workspace

ProgressFn = Callable[[int, int | None, str], None]

NEEDS_REDIS = (
    "--background needs LSX_REDIS_URL (a Redis server that `lsx worker` processes read); "
    "set it, or run without --background"
)


def make_queue(ws: Workspace) -> InlineQueue | RqQueue:
    """The workspace's backend: RQ when LSX_REDIS_URL is set, else inline (Workspace.jobs)."""
    url = ws.settings.redis_url
    return RqQueue(url) if url else InlineQueue()


def _inline(ws: Workspace) -> InlineQueue:
    queue = ws.jobs
    return queue if isinstance(queue, InlineQueue) else _INLINE


_INLINE = InlineQueue()


def _check_project(ws: Workspace, actor: Actor, project_id: int | None) -> None:
    if project_id is None:
        return
    with ws.read() as s:
        org = s.execute(select(Project.organization_id).where(Project.id == project_id)).scalar()
    if org is None or org != actor.organization_id:
        raise NotFound(f"project {project_id} not found")


_INSERT = insert(Job.__table__).returning(Job.__table__.c.id)


def _create(
    ws: Workspace, actor: Actor, spec: KindSpec, params: dict[str, Any], project_id: int | None,
    target: str | None, backend: str, wait: bool,
) -> int:
    """Insert the job row, holding the target's lock; JobBusy (or wait) when another job holds it."""
    while True:
        try:
            with ws.engine.begin() as conn:
                # The row itself records who submitted what; the kind audits its own writes.
                return int(conn.execute(_INSERT, {
                    "kind": spec.name,
                    "params": params,
                    "status": QUEUED,
                    "backend": backend,
                    "queue": spec.queue,
                    "organization_id": actor.organization_id,
                    "project_id": project_id,
                    "created_by_id": actor.id,
                    "target": target,
                    "active_target": target,
                    "max_attempts": spec.max_attempts,
                    "timeout": spec.timeout,
                    "run_after": utcnow() if backend == RQ else None,
                }).scalar_one())
        except IntegrityError:
            if target is None:
                raise
        holder = _holder(ws, target)
        if holder is None:
            continue  # it ended in the meantime
        if reap_stale(ws):
            continue
        if not wait:
            raise JobBusy(
                f"job {holder.id} ({holder.kind}) is already {holder.status} for the same target "
                f"({target}); not starting another (wait for it with --wait, or `lsx job wait {holder.id}`)",
                job_id=holder.id,
            )
        wait_job(ws, holder.id)


def _holder(ws: Workspace, target: str) -> JobInfo | None:
    with ws.read() as s:
        job = s.scalars(select(Job).where(Job.active_target == target)).first()
        return JobInfo.from_row(job) if job else None


def _dispatch(ws: Workspace, job_id: int, queue_name: str, timeout: int) -> None:
    """Hand a new (or reset) job, attempts 0, to RQ."""
    from redis.exceptions import RedisError  # only with Redis configured: redis costs 0.2 s to import

    queue = ws.jobs
    assert isinstance(queue, RqQueue)
    try:
        dispatch(ws, queue, job_id, 0, queue_name, timeout)
    except (RedisError, OSError) as exc:  # Redis is down: a worker hands it over once Redis is back
        raise InputError(
            f"job {job_id} was recorded but Redis at {queue.url} could not take it ({exc}); "
            "a worker will pick it up once Redis is reachable"
        ) from exc


def run_job(
    ws: Workspace,
    actor: Actor,
    kind: str,
    params: dict[str, Any],
    *,
    project_id: int | None = None,
    background: bool = False,
    wait: bool = False,
    progress: ProgressFn | None = None,
) -> JobInfo:
    """Record a job and run it: here and now (default), or on an RQ worker (`background`).

    `wait`: when a job for the same target is already queued or running, wait for it to end and then
    run this one (instead of raising JobBusy); with `background`, also wait for this job to end.
    Raises only for submission problems (unknown kind, busy target, no Redis); the job's own outcome
    is in the returned JobInfo (`status`, `error`)."""
    spec = get_kind(kind)
    if background and not ws.settings.redis_url:
        raise InputError(NEEDS_REDIS)
    _check_project(ws, actor, project_id)
    target = spec.target(project_id, params) if spec.target else None
    job_id = _create(ws, actor, spec, params, project_id, target, RQ if background else INLINE, wait)
    if background:
        _dispatch(ws, job_id, spec.queue, spec.timeout)
        return wait_job(ws, job_id, progress) if wait else get_job(ws, actor, job_id)
    _INLINE.run(ws, job_id, on_progress=progress)
    return get_job(ws, actor, job_id)


def submit_job(
    ws: Workspace, actor: Actor, kind: str, params: dict[str, Any], *, project_id: int | None = None
) -> JobInfo:
    """Start a job without waiting (for the web server): on RQ when Redis is configured, else in the
    inline backend's thread pool. Returns at once with the queued job; raises JobBusy like run_job."""
    spec = get_kind(kind)
    _check_project(ws, actor, project_id)
    target = spec.target(project_id, params) if spec.target else None
    background = bool(ws.settings.redis_url)
    job_id = _create(ws, actor, spec, params, project_id, target, RQ if background else INLINE, False)
    if background:
        _dispatch(ws, job_id, spec.queue, spec.timeout)
    else:
        _inline(ws).submit(ws, job_id)
    return get_job(ws, actor, job_id)


async def run_job_async(
    ws: Workspace, actor: Actor, kind: str, params: dict[str, Any], *, project_id: int | None = None
) -> JobInfo:
    """run_job for asyncio code: the work runs in a worker thread, the event loop stays free."""
    loop = asyncio.get_running_loop()
    call = functools.partial(run_job, ws, actor, kind, params, project_id=project_id)
    return await loop.run_in_executor(None, call)


def _visible(actor: Actor, job: Job) -> bool:
    if job.organization_id != actor.organization_id:
        return False
    return job.created_by_id == actor.id or ROLE_RANK.get(actor.role, -1) >= ROLE_RANK["manager"]


def get_job(ws: Workspace, actor: Actor, job_id: int) -> JobInfo:
    with ws.read() as s:
        job = s.get(Job, job_id)
        if job is None or not _visible(actor, job):
            raise NotFound(f"job {job_id} not found")
        return JobInfo.from_row(job)


def list_jobs(
    ws: Workspace,
    actor: Actor,
    project_id: int | None = None,
    status: str | None = None,
    *,
    kind: str | None = None,
    limit: int = 100,
) -> list[JobInfo]:
    """Newest first. Managers and above see the organization's jobs, others their own. Dead runners
    are detected first, so a crashed job never shows as running forever."""
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown job status {status!r}; statuses: {', '.join(STATUSES)}")
    reap_stale(ws)
    query = select(Job).where(Job.organization_id == actor.organization_id)
    if ROLE_RANK.get(actor.role, -1) < ROLE_RANK["manager"]:
        query = query.where(Job.created_by_id == actor.id)
    if project_id is not None:
        query = query.where(Job.project_id == project_id)
    if status is not None:
        query = query.where(Job.status == status)
    if kind is not None:
        query = query.where(Job.kind == kind)
    with ws.read() as s:
        return [JobInfo.from_row(j) for j in s.scalars(query.order_by(Job.id.desc()).limit(limit))]


def _may_change(actor: Actor, job: Job, what: str) -> None:
    if job.created_by_id != actor.id and ROLE_RANK.get(actor.role, -1) < ROLE_RANK["manager"]:
        raise PermissionDenied(f"{actor.email} ({actor.role}) may not {what} job {job.id}: needs manager or above")


def cancel_job(ws: Workspace, actor: Actor, job_id: int) -> JobInfo:
    """Queued: removed, it never runs. Started: marked canceled; the runner stops at its next
    progress report (JobInfo.stopping until then). Ended: Conflict."""
    rq_id = None
    with ws.session() as s:
        job = s.scalars(select(Job).where(Job.id == job_id).with_for_update()).first()
        if job is None or not _visible(actor, job):
            raise NotFound(f"job {job_id} not found")
        _may_change(actor, job, "cancel")
        if job.status in TERMINAL:
            raise Conflict(f"job {job_id} already ended ({job.status}); nothing to cancel")
        if job.status == QUEUED:
            job.active_target, job.finished_at = None, utcnow()
            if job.backend == RQ:
                rq_id = job.rq_job_id if job.run_after is None else rq_job_id(job.id, job.attempts + 1)
        job.status, job.error = CANCELED, f"canceled by {actor.email}"
        audit.record(s, actor, "cancel", "job", job.id, project_id=job.project_id)
    if rq_id and isinstance(ws.jobs, RqQueue):
        ws.jobs.remove(rq_id)
    return get_job(ws, actor, job_id)


def retry_job(
    ws: Workspace, actor: Actor, job_id: int, *, wait: bool = False, progress: ProgressFn | None = None
) -> JobInfo:
    """Run an ended job again with fresh attempts (its params, e.g. an import's TaskImport id, are kept
    so the work resumes). With Redis it goes to the workers (`wait` waits for it); else it runs here."""
    background = bool(ws.settings.redis_url)
    with ws.read() as s:
        job = s.get(Job, job_id)
        if job is None or not _visible(actor, job):
            raise NotFound(f"job {job_id} not found")
        _may_change(actor, job, "retry")
        if job.status not in TERMINAL:
            raise Conflict(f"job {job_id} is {job.status}; only an ended job can be retried")
        get_kind(job.kind)
        ended_status, target, queue_name, timeout = job.status, job.target, job.queue, job.timeout
    try:
        with ws.session() as s:
            changed = s.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == ended_status)
                .values(
                    status=QUEUED, attempts=0, active_target=target, error=None, traceback=None, result=None,
                    progress_done=0, progress_message="", started_at=None, finished_at=None,
                    backend=RQ if background else INLINE, run_after=utcnow() if background else None,
                )
            ).rowcount
            audit.record(s, actor, "retry", "job", job_id)
    except IntegrityError:
        holder = _holder(ws, target or "")
        raise JobBusy(
            f"job {holder.id if holder else '?'} is already running for the same target ({target}); "
            f"not retrying job {job_id}",
            job_id=holder.id if holder else 0,
        ) from None
    if not changed:
        raise Conflict(f"job {job_id} changed while retrying it; look at `lsx job show {job_id}`")
    if background:
        _dispatch(ws, job_id, queue_name, timeout)
        return wait_job(ws, job_id, progress) if wait else get_job(ws, actor, job_id)
    _INLINE.run(ws, job_id, on_progress=progress)
    return get_job(ws, actor, job_id)


def wait_job(
    ws: Workspace,
    job_id: int,
    on_progress: ProgressFn | None = None,
    *,
    timeout: float | None = None,
    poll: float = 0.2,
) -> JobInfo:
    """Block until the job ends (or `timeout` seconds pass), calling `on_progress(done, total, message)`
    whenever it moves. Returns the job as it is then."""
    deadline = None if timeout is None else time.monotonic() + timeout
    seen: tuple[int, int | None, str] | None = None
    last_reap = time.monotonic()
    reap_every = max(1.0, ws.settings.job_heartbeat_timeout / 2)
    while True:
        with ws.read() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(f"job {job_id} not found")
            info = JobInfo.from_row(job)
        now = (info.progress_done, info.progress_total, info.progress_message)
        if on_progress is not None and now != seen and (info.status != QUEUED or info.progress_done):
            on_progress(*now)
        seen = now
        if info.done and not info.stopping:
            return info
        if deadline is not None and time.monotonic() >= deadline:
            return info
        if (info.status == STARTED or info.stopping) and time.monotonic() - last_reap >= reap_every:
            reap_stale(ws)
            last_reap = time.monotonic()
        time.sleep(poll)
