"""The embedded backend: jobs run in the calling process, with no Redis.

`run` works through a job's attempts in the calling thread (sleeping through the backoff between
them); `submit` does the same in a small thread pool, so a web server's event loop never blocks.
"""

from __future__ import annotations

import atexit
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from sqlalchemy import select

from lsx.engine.jobs.models import INLINE, Job
from lsx.engine.jobs.runner import Outcome, execute

if TYPE_CHECKING:
    from lsx.engine.workspace import Workspace

ProgressFn = Callable[[int, int | None, str], None]


class InlineQueue:
    backend = INLINE
    max_threads = 4

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def run(self, ws: Workspace, job_id: int, on_progress: ProgressFn | None = None) -> Outcome:
        """Run every remaining attempt of the job here, now."""
        with ws.read() as s:
            attempt = (s.execute(select(Job.attempts).where(Job.id == job_id)).scalar() or 0) + 1
        while True:
            outcome = execute(ws, job_id, attempt, on_progress=on_progress)
            if outcome.status != "retry":
                return outcome
            time.sleep(outcome.delay)
            attempt += 1

    def submit(self, ws: Workspace, job_id: int) -> Future[Outcome]:
        """Run the job in the thread pool; the caller gets the future and the job id to poll."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.max_threads, thread_name_prefix="lsx-job")
            atexit.register(self._pool.shutdown, wait=False, cancel_futures=True)
        return self._pool.submit(self.run, ws, job_id)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
