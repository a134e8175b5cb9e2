"""counters: a partial index on the tasks whose counters are not all zero

Revision ID: 0008_counters
Revises: 0001_foundation
Handwritten; runs on SQLite and PostgreSQL.

Project totals (task number, annotations, skipped, predictions, tasks with annotations) are read
on every Data Manager page and project fetch. The task count comes from `ix_tasks_project_id`
alone and the labeled count from `ix_tasks_project_labeled`; the sums read this index, which holds
only tasks with an annotation, a skip or a prediction (a fresh import of plain tasks adds nothing
to it), so they cost what was labeled or predicted, never a scan of a million-task project.

The predicate is written the way the engine's query renders it (`lsx.engine.projects.COUNTED`,
literal zeros) so SQLite, which matches partial-index predicates term by term, uses it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_counters"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREDICATE = "total_annotations > 0 OR cancelled_annotations > 0 OR total_predictions > 0"


def upgrade() -> None:
    op.create_index(
        "ix_tasks_project_counted", "tasks",
        ["project_id", "total_annotations", "cancelled_annotations", "total_predictions"],
        sqlite_where=sa.text(PREDICATE), postgresql_where=sa.text(PREDICATE),
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_project_counted", table_name="tasks")
