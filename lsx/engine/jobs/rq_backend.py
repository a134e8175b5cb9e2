"""The RQ backend: with LSX_REDIS_URL set, jobs go to Redis and `lsx worker` processes run them.

RQ only carries the DB job id and the attempt number (its job id is `lsx-<id>-<attempt>`, so handing
the same attempt over twice is harmless); the DB row stays the truth, and retries, backoff and
recovery are lsx's own (`lsx.engine.jobs.recovery`), not RQ's. Progress is also published on a Redis
channel for live views.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import orjson

from lsx.engine.jobs.models import RQ
from lsx.engine.jobs.runner import Claimed, Outcome, Report, execute, run_claimed

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

    from lsx.engine.workspace import Workspace

PROGRESS_CHANNEL = "lsx:jobs:progress"
PERFORM = "lsx.engine.jobs.rq_backend.perform"
FAILURE_TTL = 7 * 24 * 3600
# The DB holds the outcome; RQ keeps its own record briefly (0 races RQ's heartbeat, rq#1450).
RESULT_TTL = 60


def rq_job_id(job_id: int, attempt: int) -> str:
    return f"lsx-{job_id}-{attempt}"


class RqQueue:
    backend = RQ

    def __init__(self, url: str) -> None:
        from redis import Redis

        self.url = url
        self.redis: Redis = Redis.from_url(url)
        self._queues: dict[str, Queue] = {}

    def queue(self, name: str) -> Queue:
        if name not in self._queues:
            from rq import Queue

            self._queues[name] = Queue(name, connection=self.redis)
        return self._queues[name]

    def enqueue(self, job_id: int, attempt: int, queue: str, timeout: int) -> str:
        """Hand attempt `attempt` of the job to RQ; returns RQ's job id."""
        rq_id = rq_job_id(job_id, attempt)
        self.queue(queue).enqueue_call(
            PERFORM,
            args=(job_id, attempt),
            timeout=timeout,  # RQ's alarm raises in the horse; lsx records it as a failed attempt
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            job_id=rq_id,
            description=f"lsx job {job_id} attempt {attempt}",
        )
        return rq_id

    def remove(self, rq_id: str) -> None:
        """Take a queued job out of Redis (best effort: the DB status already stops it running)."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RqJob

        try:
            RqJob.fetch(rq_id, connection=self.redis).delete()
        except NoSuchJobError:
            pass

    def publish(self, payload: dict[str, Any]) -> None:
        self.redis.publish(PROGRESS_CHANNEL, orjson.dumps(payload))


_ws: Workspace | None = None
_ws_pid: int | None = None
_parent_beats = False
# Set by `lsx worker` just before it forks the horse for an lsx job: the worker has already claimed
# the attempt (None: not ours to run), and the horse inherits this.
_pre_claimed: dict[tuple[int, int], Claimed | None] = {}
# Pools inherited from the worker: kept referenced, never used or closed, in the horse.
_inherited: list[Any] = []
REPORT_TTL = 24 * 3600


def set_workspace(ws: Workspace, *, parent_beats: bool = False) -> None:
    """`lsx worker` hands its workspace over, so forked work-horses reuse it (on fresh connections);
    `parent_beats`: that worker beats for its horses and records their outcome."""
    global _ws, _ws_pid, _parent_beats
    _ws, _ws_pid, _parent_beats = ws, os.getpid(), parent_beats


def set_pre_claimed(job_id: int, attempt: int, claimed: Claimed | None) -> None:
    _pre_claimed.clear()
    _pre_claimed[(job_id, attempt)] = claimed


def report_key(job_id: int, attempt: int) -> str:
    return f"lsx:jobs:report:{job_id}:{attempt}"


def take_report(redis: Redis, job_id: int, attempt: int) -> Report | None:
    """The horse's report of how the attempt ended, removed from Redis; None if it never wrote one."""
    with redis.pipeline() as pipe:
        pipe.get(report_key(job_id, attempt))
        pipe.delete(report_key(job_id, attempt))
        raw, _ = pipe.execute()
    return orjson.loads(raw) if raw else None


def _workspace() -> Workspace:
    global _ws, _ws_pid
    if _ws is None:  # run by a plain `rq worker`: build the workspace from settings/env
        from lsx.engine.settings import load_settings
        from lsx.engine.workspace import open_workspace

        _ws, _ws_pid = open_workspace(load_settings(config_file=os.environ.get("LSX_CONFIG_FILE") or None)), os.getpid()
    elif os.getpid() != _ws_pid and not _inherited:
        # A forked horse must not touch its parent's DB connections (nor close them): set the
        # inherited pool aside, untouched, and open fresh connections.
        _inherited.append(_ws.engine.pool)
        _ws.engine.dispose(close=False)
    return _ws


def perform(job_id: int, attempt: int) -> str:
    """The function RQ runs (in the work-horse). Returns the outcome for RQ's own records.

    Under `lsx worker` the worker claimed the attempt, beats for it and records the report this
    writes to Redis, all on its long-lived DB connection; a tiny job then costs the horse no DB
    work at all. Under a plain `rq worker` the horse does everything itself."""
    ws = _workspace()
    queue = ws.jobs
    publish = queue.publish if isinstance(queue, RqQueue) else None
    in_lsx_horse = _parent_beats and os.getpid() != _ws_pid
    if in_lsx_horse and (job_id, attempt) in _pre_claimed:
        from rq import get_current_job

        claimed = _pre_claimed[(job_id, attempt)]
        if claimed is None:
            return "skipped"
        report = run_claimed(ws, job_id, attempt, claimed, publish=publish, heartbeat=False)
        current = get_current_job()
        redis = current.connection if current is not None else queue.redis  # type: ignore[union-attr]
        redis.set(report_key(job_id, attempt), orjson.dumps(report, default=str), ex=REPORT_TTL)
        return str(report["status"])
    outcome: Outcome = execute(ws, job_id, attempt, publish=publish, heartbeat=not in_lsx_horse)
    return outcome.status
