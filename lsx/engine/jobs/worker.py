"""`lsx worker`: an RQ worker that runs lsx job kinds, and keeps the job table healthy.

Between jobs (and while its work-horse runs) the worker does lsx's maintenance about once a second:
it reaps jobs whose runner stopped beating and hands due jobs (new ones, retries after backoff) to
RQ. That runs in the worker's main thread, never a second thread, so forking a work-horse is safe.
The worker also claims each lsx job and records its outcome on its own long-lived DB connection;
the horse only runs the kind (on fresh connections of its own, if the kind needs the DB).
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from typing import TYPE_CHECKING, Any

from rq import Worker

from lsx.engine.jobs.recovery import enqueue_due, reap_stale
from lsx.engine.jobs.rq_backend import (
    PERFORM,
    RqQueue,
    _pre_claimed,
    set_pre_claimed,
    set_workspace,
    take_report,
)
from lsx.engine.jobs.runner import beat, claim, record, warm_up

if TYPE_CHECKING:
    from lsx.engine.workspace import Workspace

log = logging.getLogger("lsx.worker")


class LsxWorker(Worker):
    """An rq.Worker with lsx's maintenance hooked into its heartbeat."""

    lsx_ws: Workspace
    lsx_poll: float = 1.0
    _lsx_last = 0.0
    _lsx_pid = 0

    @property
    def dequeue_timeout(self) -> Any:  # wake up every poll interval to do maintenance
        return self.lsx_poll

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        super().heartbeat(timeout, pipeline)
        if os.getpid() == self._lsx_pid and time.monotonic() - self._lsx_last >= self.lsx_poll:
            self._lsx_last = time.monotonic()
            self.lsx_maintenance()

    def lsx_maintenance(self) -> None:
        try:
            reap_stale(self.lsx_ws)
            enqueue_due(self.lsx_ws, self.lsx_ws.jobs)
        except Exception:
            log.exception("job maintenance failed")

    def maintain_heartbeats(self, job: Any, execution: Any) -> None:
        """While the horse runs, beat for its lsx job: if this worker dies with its horse, the beats
        stop and another worker's reaper takes the job over."""
        super().maintain_heartbeats(job, execution)
        if job.func_name == PERFORM and len(job.args) == 2:
            try:
                beat(self.lsx_ws, *job.args)
            except Exception:
                log.warning("heartbeat of job %s failed", job.args[0], exc_info=True)

    def execute_job(self, job: Any, queue: Any) -> None:
        """For an lsx job: claim the attempt here, let the horse run the kind, record its report
        here (a horse that died without one is a failed attempt, retried at once by the rules)."""
        args = job.args if job.func_name == PERFORM else None
        if not args or len(args) != 2:
            super().execute_job(job, queue)
            return
        job_id, attempt = args
        ws = self.lsx_ws
        try:
            claimed = claim(ws, job_id, attempt)
        except Exception:
            log.exception("could not claim job %s; its work-horse will try", job_id)
            _pre_claimed.clear()
            super().execute_job(job, queue)
            return
        set_pre_claimed(job_id, attempt, claimed)
        try:
            super().execute_job(job, queue)
        finally:
            _pre_claimed.clear()
        if claimed is None:
            return
        try:
            report = take_report(self.connection, job_id, attempt) or {
                "status": "error",
                "message": f"the work-horse running attempt {attempt} died before it reported "
                "(killed, out of memory, or over the kind's timeout)",
                "traceback": None,
                "retryable": True,
            }
            record(ws, job_id, attempt, claimed.kind, report)
        except Exception:  # the job stays started; the reaper takes it over after the heartbeat timeout
            log.exception("could not record the outcome of job %s attempt %s", job_id, attempt)


def run_worker(
    ws: Workspace,
    queues: list[str] | None = None,
    *,
    burst: bool = False,
    name: str | None = None,
    poll: float = 1.0,
    modules: list[str] | None = None,
    logging_level: str = "INFO",
) -> bool:
    """Run a worker until stopped (or, with `burst`, until the queues are empty). Returns whether it
    ran any job. `modules` are imported first, so the kinds they register are known."""
    from lsx.engine.errors import InputError
    from lsx.engine.jobs.registry import kinds

    queue = ws.jobs
    if not isinstance(queue, RqQueue):
        raise InputError("`lsx worker` needs LSX_REDIS_URL: without Redis, jobs run in-process")
    for module in modules or []:
        importlib.import_module(module)
    kinds()  # load built-in and plugin kinds before the first fork
    warm_up(ws)  # and compile the hot statements once, for every horse
    set_workspace(ws, parent_beats=True)
    names = queues or ["default"]
    worker = LsxWorker([queue.queue(n) for n in names], connection=queue.redis, name=name)
    worker.lsx_ws = ws
    worker.lsx_poll = poll
    worker._lsx_pid = os.getpid()
    # The horse's heartbeat (and maintenance while busy) every second; RQ's alarm wants whole seconds.
    worker.job_monitoring_interval = 1
    if burst:  # hand over what is due (e.g. retries after backoff) before looking at the queues
        worker.lsx_maintenance()
    return worker.work(burst=burst, logging_level=logging_level)
