"""The handle a running job kind talks through: progress, cancel checks, saved state, heartbeat.

Every write is fenced by the attempt number, so a runner that was presumed dead (and replaced) finds
out at its next report and stops instead of racing its successor.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from lsx.engine.db.models import utcnow
from lsx.engine.errors import Canceled
from lsx.engine.jobs import events
from lsx.engine.jobs.errors import JobTimeout
from lsx.engine.jobs.models import CANCELED, STARTED, Job

if TYPE_CHECKING:
    from lsx.engine.workspace import Workspace

log = logging.getLogger("lsx.jobs")

# Progress reaches the database at most every WRITE_INTERVAL seconds, but never lets more than
# WRITE_EVERY items pass unrecorded (when the caller reports that often).
WRITE_INTERVAL = 0.5
WRITE_EVERY = 10_000

Publish = Callable[[dict[str, Any]], None]


class JobHandle:
    """Given to a kind as its 4th argument; also a valid `progress` callable for engine functions."""

    def __init__(
        self,
        ws: Workspace,
        job_id: int,
        attempt: int,
        params: dict[str, Any],
        *,
        timeout: float | None = None,
        publish: Publish | None = None,
        on_progress: Callable[[int, int | None, str], None] | None = None,
    ) -> None:
        self.ws = ws
        self.job_id = job_id
        self.attempt = attempt
        self.params = params
        self.timeout = timeout
        self._publish = publish
        self._on_progress = on_progress
        self._started = time.monotonic()
        self._last_write = 0.0
        self._last_done: int | None = None
        self._stop_reason: str | None = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self.done = 0
        self.total: int | None = None
        self.message = ""

    # -- progress ------------------------------------------------------------------------------
    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        self.progress(done, total, message)

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report `done` of `total` items. Raises Canceled when the job was canceled (or superseded)
        and JobTimeout past the kind's time limit; both are the cooperative stop points."""
        self.done, self.message = done, message
        if total is not None:
            self.total = total
        if self._on_progress is not None:
            self._on_progress(done, self.total, message)
        if self._stop_reason:
            raise Canceled(self._stop_reason)
        now = time.monotonic()
        if self.timeout and now - self._started > self.timeout:
            raise JobTimeout(f"job {self.job_id} ran longer than its limit of {self.timeout:g}s")
        if (
            self._last_done is None
            or now - self._last_write >= WRITE_INTERVAL
            or done - self._last_done >= WRITE_EVERY
            or (self.total is not None and done >= self.total)
        ):
            self.flush()

    def flush(self) -> None:
        """Write the current progress now (and learn whether the job was canceled)."""
        self._last_write, self._last_done = time.monotonic(), self.done
        values: dict[str, Any] = {
            "progress_done": self.done,
            "progress_message": self.message[:1000],
            "heartbeat_at": utcnow(),
        }
        if self.total is not None:
            values["progress_total"] = self.total
        with self.ws.session() as s:
            status = s.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.attempts == self.attempt)
                .values(**values)
                .returning(Job.status)
            ).scalar()
        self._check(status)
        payload = {"job_id": self.job_id, "done": self.done, "total": self.total, "message": self.message}
        if self._publish is not None:
            try:
                self._publish(payload)
            except Exception:
                log.warning("job %s: could not publish progress", self.job_id, exc_info=True)
        events.emit("job.progress", **payload)
        if self._stop_reason:
            raise Canceled(self._stop_reason)

    def _check(self, status: str | None) -> None:
        if status is None:
            self._stop_reason = f"job {self.job_id}: attempt {self.attempt} was superseded by a newer one"
        elif status == CANCELED:
            self._stop_reason = f"job {self.job_id} was canceled"

    @property
    def canceled(self) -> bool:
        return self._stop_reason is not None

    # -- state that must survive a retry -------------------------------------------------------
    def remember(self, **values: Any) -> None:
        """Merge `values` into the job's params now, so a retried attempt sees them (e.g. the id of
        the TaskImport an import resumes)."""
        with self.ws.session() as s:
            params = s.execute(
                select(Job.params).where(Job.id == self.job_id, Job.attempts == self.attempt)
            ).scalar()
            if params is None:
                self._check(None)
                raise Canceled(self._stop_reason or "superseded")
            merged = {**params, **values}
            s.execute(update(Job).where(Job.id == self.job_id).values(params=merged))
        self.params.update(values)

    # -- heartbeat -----------------------------------------------------------------------------
    def start_heartbeat(self, interval: float) -> None:
        """Beat from a daemon thread, so a job that reports no progress for a while is not taken as dead."""
        self._beat = threading.Thread(
            target=self._beat_loop, args=(interval,), name=f"lsx-job-{self.job_id}-heartbeat", daemon=True
        )
        self._beat.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._beat is not None and self._beat is not threading.current_thread():
            self._beat.join(timeout=5)

    def _beat_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                with self.ws.session() as s:
                    status = s.execute(
                        update(Job)
                        .where(Job.id == self.job_id, Job.attempts == self.attempt, Job.status.in_((STARTED, CANCELED)))
                        .values(heartbeat_at=utcnow())
                        .returning(Job.status)
                    ).scalar()
                self._check(status)
            except Exception:
                log.warning("job %s: heartbeat failed", self.job_id, exc_info=True)
