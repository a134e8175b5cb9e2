"""Errors of the job system that a user can meet."""

from __future__ import annotations

from lsx.engine.errors import LsxError


class JobBusy(LsxError):
    """A job for the same target (storage, project + file, project + format) is queued or running.

    Cron runs the same command again and again; the second run must not overlap the first. Front ends
    print the message and exit 0 (CLI) or answer 409 (API)."""

    status = 409

    def __init__(self, message: str, *, job_id: int) -> None:
        super().__init__(message, details={"job_id": job_id})
        self.job_id = job_id


class JobTimeout(LsxError):
    """The job ran longer than its kind allows (checked at each progress report)."""

    status = 504
