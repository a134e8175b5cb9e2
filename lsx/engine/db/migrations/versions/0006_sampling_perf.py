"""sampling perf: partial label-stream indexes, drop the ones they make redundant

Revision ID: 0006_sampling_perf
Revises: 0003_sampling
Handwritten; runs on SQLite and PostgreSQL.

Tasks are bulk-imported at 100k+ rows a second, so every index on `tasks` must pay its way:
the breadth-first index only holds started, unlabeled tasks (a fresh import and every finished
task stay out of it), and the ground-truth index only ground-truth annotations. The lock index on
(task_id, expire_at) duplicated the unique (task_id, user_id) index's prefix.

Each predicate is written the way SQLAlchemy renders the queries' conditions (`IS 0` / `IS false`)
so SQLite, which matches partial-index predicates term by term, uses them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_sampling_perf"
down_revision: str | Sequence[str] | None = "0003_sampling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _where(sqlite: str, postgresql: str) -> dict[str, sa.TextClause]:
    return {"sqlite_where": sa.text(sqlite), "postgresql_where": sa.text(postgresql)}


def upgrade() -> None:
    op.drop_index("ix_tasks_project_open_count", table_name="tasks")
    op.create_index(
        "ix_tasks_started_open", "tasks", ["project_id", "total_annotations", "id"],
        **_where("is_labeled IS 0 AND total_annotations > 0", "is_labeled IS false AND total_annotations > 0"),
    )
    op.drop_index("ix_annotations_project_gt", table_name="annotations")
    op.create_index(
        "ix_annotations_ground_truth", "annotations", ["project_id", "task_id"],
        **_where("ground_truth IS 1", "ground_truth IS true"),
    )
    op.drop_index("ix_task_locks_task_expire", table_name="task_locks")


def downgrade() -> None:
    op.create_index("ix_task_locks_task_expire", "task_locks", ["task_id", "expire_at"])
    op.drop_index("ix_annotations_ground_truth", table_name="annotations")
    op.create_index("ix_annotations_project_gt", "annotations", ["project_id", "ground_truth", "task_id"])
    op.drop_index("ix_tasks_started_open", table_name="tasks")
    op.create_index("ix_tasks_project_open_count", "tasks", ["project_id", "is_labeled", "total_annotations", "id"])
