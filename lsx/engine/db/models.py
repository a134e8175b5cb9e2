"""SQLAlchemy 2 typed models. Field names follow Label Studio's so JSON shapes match (reference §2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite wants INTEGER PRIMARY KEY for rowid aliasing; PostgreSQL gets 64-bit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType}


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(1000))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    contact_info: Mapped[str | None] = mapped_column(String(254))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    username: Mapped[str] = mapped_column(String(254), default="")
    first_name: Mapped[str] = mapped_column(String(256), default="")
    last_name: Mapped[str] = mapped_column(String(256), default="")
    password_hash: Mapped[str | None] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Annotators named in imported files that have no account here: distinct, inactive, no login.
    is_placeholder: Mapped[bool] = mapped_column(Boolean, default=False)
    active_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    date_joined: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_activity: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


ROLES = ("owner", "admin", "manager", "reviewer", "annotator")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (Index("ix_membership_org_user", "organization_id", "user_id", unique=True),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="annotator")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """An API key for scripts. Only its SHA-256 is stored; `prefix` identifies it in listings."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16), default="token")  # token | pat
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(1000), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    label_config: Mapped[str] = mapped_column(Text, default="<View></View>")
    label_config_hash: Mapped[str] = mapped_column(String(64), default="")
    parsed_label_config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    data_types: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    control_weights: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    expert_instruction: Mapped[str] = mapped_column(Text, default="")
    show_instruction: Mapped[bool] = mapped_column(Boolean, default=False)
    show_skip_button: Mapped[bool] = mapped_column(Boolean, default=True)
    enable_empty_annotation: Mapped[bool] = mapped_column(Boolean, default=True)
    show_annotation_history: Mapped[bool] = mapped_column(Boolean, default=False)
    color: Mapped[str] = mapped_column(String(16), default="#FFFFFF")
    maximum_annotations: Mapped[int] = mapped_column(Integer, default=1)
    overlap_cohort_percentage: Mapped[int] = mapped_column(Integer, default=100)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    model_version: Mapped[str] = mapped_column(String(1000), default="")
    sampling: Mapped[str] = mapped_column(String(64), default="sequential")
    skip_queue: Mapped[str] = mapped_column(String(32), default="REQUEUE_FOR_OTHERS")
    show_overlap_first: Mapped[bool] = mapped_column(Boolean, default=False)
    show_ground_truth_first: Mapped[bool] = mapped_column(Boolean, default=False)
    annotator_evaluation_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    show_collab_predictions: Mapped[bool] = mapped_column(Boolean, default=True)
    reveal_preannotations_interactively: Mapped[bool] = mapped_column(Boolean, default=False)
    evaluate_predictions_automatically: Mapped[bool] = mapped_column(Boolean, default=False)
    min_annotations_to_start_training: Mapped[int] = mapped_column(Integer, default=0)
    start_training_on_annotation_update: Mapped[bool] = mapped_column(Boolean, default=False)
    task_lock_ttl: Mapped[int | None] = mapped_column(Integer)  # seconds; None = LSX_TASK_LOCK_TTL
    task_data_login: Mapped[str | None] = mapped_column(String(256))
    task_data_password: Mapped[str | None] = mapped_column(String(256))
    pinned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Highest inner_id handed out; imports reserve ranges by bumping it in one short transaction.
    last_inner_id: Mapped[int] = mapped_column(BigInteger, default=0)


IMPORT_PENDING, IMPORT_COMMITTED, IMPORT_FAILED = "pending", "committed", "failed"


class TaskImport(Base):
    """One import run. Its tasks are invisible until `state` flips to committed (an O(1) update).

    `source` and `sha256` remember which file it came from, so `lsx project apply` imports each
    file once and notices edits.
    """

    __tablename__ = "task_imports"
    __table_args__ = (Index("ix_task_imports_project_state", "project_id", "state"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=IMPORT_PENDING)
    source: Mapped[str] = mapped_column(String(2000), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    task_count: Mapped[int] = mapped_column(Integer, default=0)
    annotation_count: Mapped[int] = mapped_column(Integer, default=0)
    prediction_count: Mapped[int] = mapped_column(Integer, default=0)
    # Rows already landed, so a retried import job resumes instead of duplicating.
    rows_done: Mapped[int] = mapped_column(BigInteger, default=0)
    # Batches reserve contiguous task ids: the import's tasks lie in [first, last] (for purges).
    first_task_id: Mapped[int | None] = mapped_column(BigInteger)
    last_task_id: Mapped[int | None] = mapped_column(BigInteger)
    # host:pid of the process writing it, so a later open can tell a dead import from a live one.
    owner: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str | None] = mapped_column(Text)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_project_id", "project_id", "id"),
        Index("ix_tasks_project_labeled", "project_id", "is_labeled", "id"),
    )
    # Bulk imports write a million rows at a time: every index and foreign key costs per row, so
    # tasks keep only the project foreign key; task_import_id and updated_by_id are plain columns.
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(BigInteger)
    is_labeled: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_skip: Mapped[bool] = mapped_column(Boolean, default=True)
    overlap: Mapped[int] = mapped_column(Integer, default=1)
    file_upload: Mapped[str | None] = mapped_column(String(2000))
    inner_id: Mapped[int] = mapped_column(BigInteger, default=0)
    total_annotations: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_annotations: Mapped[int] = mapped_column(Integer, default=0)
    total_predictions: Mapped[int] = mapped_column(Integer, default=0)
    task_import_id: Mapped[int | None] = mapped_column(BigInteger)


class Annotation(Base):
    __tablename__ = "annotations"
    __table_args__ = (
        Index("ix_annotations_project_user", "project_id", "completed_by_id", "task_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    result: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    was_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_truth: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    draft_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lead_time: Mapped[float | None] = mapped_column(Float)
    result_count: Mapped[int] = mapped_column(Integer, default=0)
    parent_prediction_id: Mapped[int | None] = mapped_column(ForeignKey("predictions.id", ondelete="SET NULL"))
    parent_annotation_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id", ondelete="SET NULL"))
    unique_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    import_id: Mapped[int | None] = mapped_column(BigInteger)  # the id the annotation had in the imported file
    last_action: Mapped[str | None] = mapped_column(String(64))
    bulk_created: Mapped[bool] = mapped_column(Boolean, default=False)


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_task_user", "task_id", "user_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    annotation_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    result: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    lead_time: Mapped[float | None] = mapped_column(Float)
    was_postponed: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (
        Index("ix_predictions_task", "task_id"),
        Index("ix_predictions_project_version", "project_id", "model_version", "score"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    result: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    score: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(1000), default="undefined")
    cluster: Mapped[int | None] = mapped_column(Integer)
    neighbors: Mapped[Any | None] = mapped_column(JSONType)
    mislabeling: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class AuditEvent(Base):
    """Every write, who did it and to what; read by the later audit-trail features."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_org_time", "organization_id", "created_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
