"""Storage tables: the storages themselves, the objects an import storage has seen (key, ETag, size)
and which tasks each object made. They join the one `Base`; migration branch `0005_storage`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lsx.engine.db.models import Base, BigId, JSONType, utcnow

IMPORT, EXPORT = "import", "export"

# Keys sort byte-wise on both databases, so a listing (which stores return in that order) and the
# recorded keys can be merged in one pass.
KeyType = String(2048).with_variant(String(2048, collation="C"), "postgresql")


class Storage(Base):
    """One import (source) or export (target) storage bound to a project; Label Studio's fields.

    `credentials` holds secrets (never returned); `options` the rest of the per-type settings
    (export layout and format, default sync policies)."""

    __tablename__ = "storages"
    __table_args__ = (Index("ix_storages_project", "project_id", "kind"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8), default=IMPORT)
    type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(2048), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    bucket: Mapped[str] = mapped_column(String(2048), default="")  # bucket, container, or local path
    prefix: Mapped[str] = mapped_column(String(2048), default="")
    regex_filter: Mapped[str] = mapped_column(String(2048), default="")
    use_blob_urls: Mapped[bool] = mapped_column(Boolean, default=False)
    recursive_scan: Mapped[bool] = mapped_column(Boolean, default=False)
    presign: Mapped[bool] = mapped_column(Boolean, default=True)
    presign_ttl: Mapped[int] = mapped_column(Integer, default=1)  # minutes
    endpoint_url: Mapped[str] = mapped_column(String(2048), default="")
    region_name: Mapped[str] = mapped_column(String(128), default="")
    can_delete_objects: Mapped[bool] = mapped_column(Boolean, default=False)
    credentials: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    last_sync: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sync_count: Mapped[int | None] = mapped_column(Integer)
    last_sync_job: Mapped[int | None] = mapped_column(BigInteger)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    traceback: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class StorageObject(Base):
    """An object an import storage turned into tasks, as it was then: what a re-sync compares with."""

    __tablename__ = "storage_objects"
    __table_args__ = (Index("ix_storage_objects_key", "storage_id", "key", unique=True),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    storage_id: Mapped[int] = mapped_column(ForeignKey("storages.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(KeyType)
    etag: Mapped[str] = mapped_column(String(256), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)  # gone from the store, tasks marked
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StorageLink(Base):
    """Object -> task (`row_index`: the item's position in a task file; 0 for a media object)."""

    __tablename__ = "storage_links"
    __table_args__ = (Index("ix_storage_links_task", "task_id"),)
    object_id: Mapped[int] = mapped_column(ForeignKey("storage_objects.id", ondelete="CASCADE"), primary_key=True)
    row_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
