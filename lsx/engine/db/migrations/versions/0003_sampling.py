"""sampling: task locks, label stream history, uncertainty cursors, label-stream indexes

Revision ID: 0003_sampling
Revises: 0001_foundation
Handwritten; runs on SQLite and PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_sampling"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

EXTRA_INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_tasks_project_open_count", "tasks", ["project_id", "is_labeled", "total_annotations", "id"]),
    ("ix_annotations_project_gt", "annotations", ["project_id", "ground_truth", "task_id"]),
    ("ix_annotations_task_user", "annotations", ["task_id", "completed_by_id", "was_cancelled"]),
    ("ix_drafts_user_postponed", "drafts", ["user_id", "was_postponed", "updated_at"]),
    ("ix_predictions_project_version_id", "predictions", ["project_id", "model_version", "score", "id"]),
]


def upgrade() -> None:
    op.create_table(
        "task_locks",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("task_id", BigId, sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", BigId, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("expire_at", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_task_locks_task_user", "task_locks", ["task_id", "user_id"], unique=True)
    op.create_index("ix_task_locks_task_expire", "task_locks", ["task_id", "expire_at"])
    op.create_index("ix_task_locks_project_user", "task_locks", ["project_id", "user_id", "expire_at"])

    op.create_table(
        "label_stream_history",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("project_id", BigId, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("task_id", BigId, sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("queue", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_label_stream_history_user", "label_stream_history", ["project_id", "user_id", "id"])

    op.create_table(
        "sampling_cursors",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("project_id", BigId, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("model_version", sa.String(1000), nullable=False),
        sa.Column("direction", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("prediction_id", sa.BigInteger(), nullable=True),
        sa.Column("max_prediction_id", sa.BigInteger(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_sampling_cursors_key",
        "sampling_cursors",
        ["project_id", "model_version", "direction"],
        unique=True,
    )

    # Label-stream queries on existing tables: breadth-first (most-started open tasks first),
    # ground truth first, the postponed queue, and the score-ordered scan with its tie-breaker.
    for name, table, columns in EXTRA_INDEXES:
        op.create_index(name, table, columns)

def downgrade() -> None:
    op.drop_index("ix_predictions_project_version_id", table_name="predictions")
    op.drop_index("ix_drafts_user_postponed", table_name="drafts")
    op.drop_index("ix_annotations_task_user", table_name="annotations")
    op.drop_index("ix_annotations_project_gt", table_name="annotations")
    op.drop_index("ix_tasks_project_open_count", table_name="tasks")
    op.drop_table("sampling_cursors")
    op.drop_table("label_stream_history")
    op.drop_table("task_locks")
