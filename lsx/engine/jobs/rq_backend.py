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
from lsx.engine.jobs.runner import Outcome, execute

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


def set_workspace(ws: Workspace) -> None:
    """`lsx worker` hands its workspace over, so forked work-horses reuse it (its pool is empty)."""
    global _ws, _ws_pid
    _ws, _ws_pid = ws, os.getpid()


def _workspace() -> Workspace:
    global _ws, _ws_pid
    if _ws is None:  # run by a plain `rq worker`: build the workspace from settings/env
        from lsx.engine.settings import load_settings
        from lsx.engine.workspace import open_workspace

        _ws, _ws_pid = open_workspace(load_settings(config_file=os.environ.get("LSX_CONFIG_FILE") or None)), os.getpid()
    return _ws


def perform(job_id: int, attempt: int) -> str:
    """The function RQ runs (in the work-horse). Returns the outcome for RQ's own records."""
    ws = _workspace()
    queue = ws.jobs
    publish = queue.publish if isinstance(queue, RqQueue) else None
    # The worker process beats for its horse (LsxWorker.maintain_heartbeats): no thread here.
    outcome: Outcome = execute(ws, job_id, attempt, publish=publish, heartbeat=False)
    return outcome.status
