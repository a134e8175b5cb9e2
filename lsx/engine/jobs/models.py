"""The job record: the one truth about a job that the CLI, API and UIs read, whichever backend ran it.

Lives here (not in lsx.engine.db.models) because jobs are their own feature with their own migration
branch (0002_jobs); it shares the one `Base` so metadata and foreign keys line up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lsx.engine.db.models import Base, BigId, JSONType, utcnow

QUEUED, STARTED, FINISHED, FAILED, CANCELED = "queued", "started", "finished", "failed", "canceled"
STATUSES = (QUEUED, STARTED, FINISHED, FAILED, CANCELED)
TERMINAL = (FINISHED, FAILED, CANCELED)

INLINE, RQ = "inline", "rq"


class Job(Base):
    """One job. `attempts` fences every write: a runner may only touch the row while its attempt is
    the current one, so a worker presumed dead can never overwrite its successor's work.

    `active_target` is the cron-safety lock: it equals `target` while the job is queued or running
    and is NULL once it ended; a unique index makes "one running job per target" atomic.
    `run_after` set on a queued job means "not handed to the backend yet; due at this time"
    (first submission and retries with backoff).
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_org_id", "organization_id", "id"),
        Index("ix_jobs_project_id", "project_id", "id"),
        Index("ix_jobs_status", "status", "backend"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    backend: Mapped[str] = mapped_column(String(16), default=INLINE)
    queue: Mapped[str] = mapped_column(String(64), default="default")
    rq_job_id: Mapped[str | None] = mapped_column(String(128))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    target: Mapped[str | None] = mapped_column(String(512))
    active_target: Mapped[str | None] = mapped_column(String(512), unique=True)
    progress_done: Mapped[int] = mapped_column(BigInteger, default=0)
    progress_total: Mapped[int | None] = mapped_column(BigInteger)
    progress_message: Mapped[str] = mapped_column(String(1000), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    timeout: Mapped[int] = mapped_column(Integer, default=3600)
    error: Mapped[str | None] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
