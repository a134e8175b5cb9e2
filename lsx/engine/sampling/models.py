"""Tables the label stream owns: task locks, served-task history, and the uncertainty cursor.

Lock expiry is stored as Unix seconds (a float) so expiry comparisons are the same cheap numeric
test on SQLite and PostgreSQL and a test clock can drive them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lsx.engine.db.models import Base, BigId, utcnow


class TaskLock(Base):
    """An annotator's claim on a task until `expire_at` (Unix seconds); one per (task, user)."""

    __tablename__ = "task_locks"
    __table_args__ = (
        Index("ix_task_locks_task_user", "task_id", "user_id", unique=True),
        Index("ix_task_locks_project_user", "project_id", "user_id", "expire_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expire_at: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)


class LabelStreamHistory(Base):
    """One row per task served to an annotator, for "previous task" navigation."""

    __tablename__ = "label_stream_history"
    __table_args__ = (Index("ix_label_stream_history_user", "project_id", "user_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    queue: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SamplingCursor(Base):
    """Where the score-ordered scan of one (project, model version) may start.

    Every prediction before (`score`, `prediction_id`) in score order belongs to a labeled task, and
    predictions with ids above `max_prediction_id` have not been checked yet. Anything that can make
    a task unlabeled bumps `generation`, which resets the cursor (see task_state.invalidate_cursors).
    """

    __tablename__ = "sampling_cursors"
    __table_args__ = (
        Index("ix_sampling_cursors_key", "project_id", "model_version", "direction", unique=True),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(1000))
    direction: Mapped[int] = mapped_column(Integer, default=1)  # 1 = ascending score, -1 = descending
    score: Mapped[float | None] = mapped_column(Float)
    prediction_id: Mapped[int | None] = mapped_column(BigInteger)
    max_prediction_id: Mapped[int] = mapped_column(BigInteger, default=0)
    generation: Mapped[int] = mapped_column(Integer, default=0)
