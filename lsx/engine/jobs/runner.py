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

from sqlalchemy import BigInteger, Connection, bindparam, func, select, update
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
    """host:pid of the process that claimed an attempt: the `lsx worker`, or the process running it inline."""
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


@dataclass(frozen=True)
class Claimed:
    kind: str
    params: dict[str, Any]
    actor: Actor | LsxError


# The hot path's statements, built once: building SQLAlchemy statements costs more than running them.
_T = Job.__table__
_CLAIM = (
    update(_T)
    .where(_T.c.id == bindparam("b_id"), _T.c.status == QUEUED, _T.c.attempts == bindparam("b_previous"))
    .values(
        status=STARTED,
        attempts=bindparam("b_attempt"),
        started_at=bindparam("b_now"),
        heartbeat_at=bindparam("b_now"),
        finished_at=None,
        run_after=None,
        worker=bindparam("b_worker"),
    )
    .returning(_T.c.kind, _T.c.params, _T.c.created_by_id, _T.c.organization_id)
)
_ACTOR = (
    select(User.email, User.is_active, Membership.role)
    .outerjoin(
        Membership,
        (Membership.user_id == User.id)
        & (Membership.organization_id == bindparam("b_org"))
        & Membership.deleted_at.is_(None),
    )
    .where(User.id == bindparam("b_user"))
)
_CURRENT = (_T.c.id == bindparam("b_id")) & (_T.c.attempts == bindparam("b_attempt"))
_FINISH = (
    update(_T)
    .where(_CURRENT, _T.c.status.in_((STARTED, CANCELED)))
    .values(
        status=FINISHED,
        finished_at=bindparam("b_now"),
        active_target=None,
        result=bindparam("b_result", type_=_T.c.result.type),
        progress_done=bindparam("b_done"),
        progress_total=func.coalesce(bindparam("b_total", type_=BigInteger), _T.c.progress_total),
        error=None,
        traceback=None,
    )
)
_BEAT = update(_T).where(_CURRENT, _T.c.status.in_((STARTED, CANCELED))).values(heartbeat_at=bindparam("b_now"))


def warm_up(ws: Workspace) -> None:
    """Compile the hot statements in this process (a no-op on the data), so forked work-horses
    inherit them compiled instead of compiling them again for every job."""
    now = utcnow()
    # The same parameter names as the real calls: they are part of the compiled-cache key.
    with ws.engine.begin() as conn:
        conn.execute(_CLAIM, {"b_id": -1, "b_previous": -1, "b_attempt": 0, "b_now": now, "b_worker": ""}).all()
        conn.execute(_ACTOR, {"b_org": -1, "b_user": -1}).all()
        conn.execute(_FINISH, {"b_id": -1, "b_attempt": 0, "b_now": now, "b_result": None, "b_done": 0,
                               "b_total": None})
        conn.execute(_BEAT, {"b_id": -1, "b_attempt": 0, "b_now": now})


def _actor(conn: Connection, job_id: int, user_id: int | None, org_id: int | None) -> Actor | LsxError:
    """The submitter, as a member of the job's organization (one query)."""
    row = conn.execute(_ACTOR, {"b_org": org_id, "b_user": user_id}).first()
    if row is None or not row.is_active:
        return InputError(f"job {job_id}: the user who submitted it no longer exists or is inactive")
    if row.role is None:
        return InputError(f"job {job_id}: {row.email} is no longer a member of the job's organization")
    return Actor(user_id or 0, row.email, org_id or 0, row.role)


def claim(ws: Workspace, job_id: int, attempt: int) -> Claimed | None:
    """Take the job for `attempt`; None when it is not ours to run (canceled, or already claimed).
    One conditional UPDATE ... RETURNING and one read, in one short transaction (the hot path)."""
    args = {"b_id": job_id, "b_previous": attempt - 1, "b_attempt": attempt, "b_now": utcnow(),
            "b_worker": worker_name()}
    with ws.engine.begin() as conn:
        row = conn.execute(_CLAIM, args).first()
        if row is None:
            return None
        return Claimed(row.kind, dict(row.params or {}), _actor(conn, job_id, row.created_by_id, row.organization_id))


def execute(
    ws: Workspace,
    job_id: int,
    attempt: int,
    *,
    publish: Publish | None = None,
    on_progress: Callable[[int, int | None, str], None] | None = None,
    heartbeat: bool = True,
) -> Outcome:
    """Run attempt `attempt` of the job in this thread. Never raises for the job's own errors
    (they are recorded); re-raises KeyboardInterrupt/SystemExit after recording them.

    `heartbeat`: beat from a thread here; False when someone else beats for this attempt (an RQ
    worker beats for its work-horse, see `beat`)."""
    claimed = claim(ws, job_id, attempt)
    if claimed is None:
        return Outcome("skipped")
    try:
        report = run_claimed(ws, job_id, attempt, claimed, publish=publish, on_progress=on_progress,
                             heartbeat=heartbeat)
    except (KeyboardInterrupt, SystemExit) as exc:
        _canceled(ws, job_id, attempt, f"job {job_id} was interrupted ({type(exc).__name__})")
        raise
    return record(ws, job_id, attempt, claimed.kind, report)


Report = dict[str, Any]


def _error(exc: BaseException, *, retryable: bool) -> Report:
    message = str(exc) or type(exc).__name__
    if not isinstance(exc, LsxError):
        message = f"{type(exc).__name__}: {message}"
    return {"status": "error", "message": message, "traceback": "".join(traceback.format_exception(exc)),
            "retryable": retryable}


def run_claimed(
    ws: Workspace,
    job_id: int,
    attempt: int,
    claimed: Claimed,
    *,
    publish: Publish | None = None,
    on_progress: Callable[[int, int | None, str], None] | None = None,
    heartbeat: bool = True,
) -> Report:
    """Call the kind for a claimed attempt and describe how it ended (a JSON-able report), without
    recording that: `record` does, here or in the RQ worker that forked this work-horse."""
    try:
        spec = get_kind(claimed.kind)
    except LsxError as exc:
        return _error(exc, retryable=False)
    if isinstance(claimed.actor, LsxError):
        return _error(claimed.actor, retryable=False)
    handle = JobHandle(
        ws, job_id, attempt, claimed.params, timeout=spec.timeout, publish=publish, on_progress=on_progress
    )
    if heartbeat:
        handle.start_heartbeat(heartbeat_interval(ws))
    events.emit("job.started", job_id=job_id, kind=claimed.kind, attempt=attempt)
    try:
        result = spec.func(ws, claimed.actor, handle.params, handle)
    except Canceled as exc:
        return {"status": "canceled", "message": str(exc)}
    except JobTimeout as exc:
        return _error(exc, retryable=True)
    except LsxError as exc:  # the user's input is wrong: another attempt would fail the same way
        return _error(exc, retryable=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return _error(exc, retryable=True)
    finally:
        handle.stop_heartbeat()
    result = result if isinstance(result, dict) or result is None else {"value": result}
    return {"status": FINISHED, "result": result, "done": handle.done, "total": handle.total}


def record(ws: Workspace, job_id: int, attempt: int, kind: str, report: Report) -> Outcome:
    """Write how attempt `attempt` ended: finished, canceled, or failed (retried while attempts remain)."""
    if report["status"] == FINISHED:
        return _finish(ws, job_id, attempt, report["result"], report["done"], report["total"])
    if report["status"] == CANCELED:
        return _canceled(ws, job_id, attempt, report["message"])
    try:
        spec: KindSpec | None = get_kind(kind)
    except LsxError:
        spec = None
    return _fail(ws, job_id, attempt, report["message"], report.get("traceback"), spec,
                 retryable=bool(report.get("retryable")))


def _locked(s: Session, job_id: int, attempt: int) -> Job | None:
    """The row if `attempt` is still the current one, locked for the rest of the transaction."""
    return s.scalars(select(Job).where(Job.id == job_id, Job.attempts == attempt).with_for_update()).first()


def _finish(ws: Workspace, job_id: int, attempt: int, result: Any, done: int, total: int | None) -> Outcome:
    # Work that completed is recorded as finished even when a cancel arrived at the very end.
    args = {"b_id": job_id, "b_attempt": attempt, "b_now": utcnow(), "b_result": result, "b_done": done,
            "b_total": total}
    with ws.engine.begin() as conn:
        if conn.execute(_FINISH, args).rowcount != 1:
            return Outcome("skipped")
    if events.has_subscribers("job.finished"):
        events.emit("job.finished", job=_info(ws, job_id))
    return Outcome(FINISHED)


def _info(ws: Workspace, job_id: int) -> JobInfo:
    with ws.read() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return JobInfo.from_row(job)


def beat(ws: Workspace, job_id: int, attempt: int) -> bool:
    """Record that attempt `attempt` is alive (from whoever watches it); False when it is not current."""
    with ws.engine.begin() as conn:
        return conn.execute(_BEAT, {"b_id": job_id, "b_attempt": attempt, "b_now": utcnow()}).rowcount == 1


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
    ws: Workspace, job_id: int, attempt: int, message: str, trace: str | None, spec: KindSpec | None, *,
    retryable: bool,
) -> Outcome:
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
