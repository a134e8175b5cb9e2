"""storage: import/export storages, the objects they synced and their tasks

Revision ID: 0005_storage
Revises: 0001_foundation
Handwritten; runs on SQLite and PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_storage"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
KeyType = sa.String(2048).with_variant(sa.String(2048, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "storages",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("project_id", BigId, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("title", sa.String(2048), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("bucket", sa.String(2048), nullable=False),
        sa.Column("prefix", sa.String(2048), nullable=False),
        sa.Column("regex_filter", sa.String(2048), nullable=False),
        sa.Column("use_blob_urls", sa.Boolean(), nullable=False),
        sa.Column("recursive_scan", sa.Boolean(), nullable=False),
        sa.Column("presign", sa.Boolean(), nullable=False),
        sa.Column("presign_ttl", sa.Integer(), nullable=False),
        sa.Column("endpoint_url", sa.String(2048), nullable=False),
        sa.Column("region_name", sa.String(128), nullable=False),
        sa.Column("can_delete_objects", sa.Boolean(), nullable=False),
        sa.Column("credentials", JSONType, nullable=False),
        sa.Column("options", JSONType, nullable=False),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_count", sa.Integer(), nullable=True),
        sa.Column("last_sync_job", sa.BigInteger(), nullable=True),
        sa.Column("meta", JSONType, nullable=False),
        sa.Column("traceback", sa.Text(), nullable=True),
        sa.Column("created_by_id", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_storages_project", "storages", ["project_id", "kind"])
    op.create_table(
        "storage_objects",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("storage_id", BigId, sa.ForeignKey("storages.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", KeyType, nullable=False),
        sa.Column("etag", sa.String(256), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_storage_objects_key", "storage_objects", ["storage_id", "key"], unique=True)
    op.create_table(
        "storage_links",
        sa.Column("object_id", BigId, sa.ForeignKey("storage_objects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("row_index", sa.Integer(), nullable=False),
        sa.Column("task_id", BigId, sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("object_id", "row_index"),
    )
    op.create_index("ix_storage_links_task", "storage_links", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_storage_links_task", table_name="storage_links")
    op.drop_table("storage_links")
    op.drop_index("ix_storage_objects_key", table_name="storage_objects")
    op.drop_table("storage_objects")
    op.drop_index("ix_storages_project", table_name="storages")
    op.drop_table("storages")
