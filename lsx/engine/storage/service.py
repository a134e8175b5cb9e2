"""Storages as records: create (credentials checked first), list, show, change, remove.

Front ends call these; secrets never leave here unmasked. The CLI numbers every storage in one id
space; the API addresses the same ids under Label Studio's per-type paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lsx.engine.access import audit
from lsx.engine.db.models import Project, utcnow
from lsx.engine.errors import InputError, NotFound
from lsx.engine.jobs.info import storage_status
from lsx.engine.jobs.models import Job
from lsx.engine.storage.backend import Backend, StorageSpec, backend_class, canonical_type
from lsx.engine.storage.models import EXPORT, IMPORT, Storage
from lsx.engine.timefmt import iso

if TYPE_CHECKING:
    from lsx.engine.access.actor import Actor
    from lsx.engine.workspace import Workspace

ON_CHANGE = ("keep", "update")
ON_DELETE = ("keep", "mark", "remove")
LAYOUTS = ("annotation", "task")

# Request field -> column. Label Studio names per type (bucket/container/path, s3_endpoint) all land
# in the same columns.
_LOCATION = ("bucket", "container", "path")
_COLUMNS = {
    "title": str, "description": str, "prefix": str, "regex_filter": str, "use_blob_urls": bool,
    "recursive_scan": bool, "presign": bool, "presign_ttl": int, "endpoint_url": str, "region_name": str,
    "can_delete_objects": bool,
}
_ALIASES = {"s3_endpoint": "endpoint_url", "container": "bucket", "path": "bucket"}
_OPTIONS = {"layout": LAYOUTS, "format": None, "on_change": ON_CHANGE, "on_delete": ON_DELETE}
MASK = "***"


def _coerce(name: str, kind: type, value: Any) -> Any:
    if value is None:
        return "" if kind is str else (False if kind is bool else 0)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
            return value.lower() in ("1", "true", "yes", "on")
        raise InputError(f"{name} must be true or false, got {value!r}")
    if kind is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be an integer, got {value!r}") from None
    return str(value)


def _apply(row: Storage, fields: dict[str, Any], cls: type[Backend]) -> None:
    """Copy request fields onto the row; unknown fields are ignored (the SDK sends extras)."""
    creds = dict(row.credentials or {})
    options = dict(row.options or {})
    for raw_name, value in fields.items():
        name = _ALIASES.get(raw_name, raw_name)
        if raw_name in _LOCATION or name == "bucket":
            if value is not None:
                row.bucket = str(value).strip()
        elif name in _COLUMNS:
            setattr(row, name, _coerce(name, _COLUMNS[name], value))
        elif name in cls.credential_fields:
            if value in (None, MASK):
                continue  # a masked value sent back unchanged keeps the secret
            if isinstance(value, dict):
                import orjson

                value = orjson.dumps(value).decode()
            if value == "":
                creds.pop(name, None)
            else:
                creds[name] = str(value)
        elif name in _OPTIONS:
            allowed = _OPTIONS[name]
            if value in (None, ""):
                options.pop(name, None)
            elif allowed is not None and value not in allowed:
                raise InputError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
            else:
                options[name] = str(value).upper() if name == "format" else str(value)
    row.credentials, row.options = creds, options
    if row.regex_filter:
        try:
            re.compile(row.regex_filter)
        except re.error as exc:
            raise InputError(f"regex_filter {row.regex_filter!r} is not a valid regular expression: {exc}") from None
    if row.presign_ttl < 1:
        raise InputError("presign_ttl must be at least 1 (minutes)")
    if not row.bucket:
        what = {"azure": "container", "localfiles": "path"}.get(row.type, "bucket")
        raise InputError(f"a {row.type} storage needs a {what}")
    if row.options.get("format"):
        from lsx.engine.formats.registry import EXPORTERS

        if row.options["format"] not in EXPORTERS:
            known = ", ".join(sorted(EXPORTERS))
            raise InputError(f"unknown export format {row.options['format']!r}; formats: {known}")


def spec_of(ws: Workspace, row: Storage) -> StorageSpec:
    return StorageSpec(
        type=row.type, bucket=row.bucket, prefix=row.prefix, regex_filter=row.regex_filter,
        recursive_scan=row.recursive_scan, endpoint_url=row.endpoint_url, region_name=row.region_name,
        credentials=dict(row.credentials or {}), local_root=ws.settings.local_files_root,
    )


def backend_for(ws: Workspace, row: Storage) -> Backend:
    return backend_class(row.type)(spec_of(ws, row))


def _project(s: Any, actor: Actor, project_id: int) -> Project:
    from lsx.engine.projects import get_project

    return get_project(s, actor, project_id)


def create_storage(
    ws: Workspace, actor: Actor, project_id: int, type_name: str, fields: dict[str, Any], *,
    kind: str = IMPORT, validate: bool = True,
) -> Storage:
    """Check the credentials against the store first: a wrong key saves nothing."""
    if kind not in (IMPORT, EXPORT):
        raise InputError(f"storage kind must be import or export, got {kind!r}")
    actor.require("manager", "add storages")
    type_name = canonical_type(type_name)
    cls = backend_class(type_name)
    row = Storage(project_id=project_id, kind=kind, type=type_name, credentials={}, options={}, meta={},
                  created_by_id=actor.id, title="", description="", bucket="", prefix="", regex_filter="",
                  use_blob_urls=False, recursive_scan=False, presign=True, presign_ttl=1, endpoint_url="",
                  region_name="", can_delete_objects=False)
    _apply(row, fields, cls)
    with ws.read() as s:
        _project(s, actor, project_id)
    if validate:
        backend_for(ws, row).validate()
    with ws.session() as s:
        s.add(row)
        s.flush()
        audit.record(s, actor, "create", "storage", row.id, project_id=project_id, type=type_name, kind=kind)
        s.expunge(row)
    _changed(project_id)
    return row


def _changed(project_id: int) -> None:
    from lsx.engine.storage.hooks import forget_project

    forget_project(project_id)


def get_storage(
    ws: Workspace, actor: Actor, storage_id: int, *, type_name: str | None = None, kind: str | None = None
) -> Storage:
    with ws.read() as s:
        row = s.get(Storage, storage_id)
        if row is not None:
            project = s.get(Project, row.project_id)
            if project is None or project.organization_id != actor.organization_id:
                row = None
        if row is None or (type_name and row.type != canonical_type(type_name)) or (kind and row.kind != kind):
            raise NotFound(f"storage {storage_id} not found")
        s.expunge(row)
        return row


def list_storages(
    ws: Workspace, actor: Actor, *, project_id: int | None = None, type_name: str | None = None,
    kind: str | None = None,
) -> list[Storage]:
    q = select(Storage).join(Project, Project.id == Storage.project_id).where(
        Project.organization_id == actor.organization_id
    )
    if project_id is not None:
        q = q.where(Storage.project_id == project_id)
    if type_name:
        q = q.where(Storage.type == canonical_type(type_name))
    if kind:
        q = q.where(Storage.kind == kind)
    with ws.read() as s:
        rows = list(s.scalars(q.order_by(Storage.id)))
        for r in rows:
            s.expunge(r)
        return rows


def update_storage(
    ws: Workspace, actor: Actor, storage_id: int, fields: dict[str, Any], *, validate: bool = True,
    type_name: str | None = None, kind: str | None = None,
) -> Storage:
    actor.require("manager", "change storages")
    row = get_storage(ws, actor, storage_id, type_name=type_name, kind=kind)
    before = spec_of(ws, row)
    _apply(row, fields, backend_class(row.type))
    if validate and spec_of(ws, row) != before:  # only a changed connection needs the store again
        backend_for(ws, row).validate()
    with ws.session() as s:
        merged = s.merge(row)
        merged.updated_at = utcnow()
        audit.record(s, actor, "update", "storage", storage_id, project_id=row.project_id,
                     fields=sorted(k for k in fields if k not in backend_class(row.type).secret_fields))
        s.flush()
        s.expunge(merged)
    return merged


def delete_storage(
    ws: Workspace, actor: Actor, storage_id: int, *, type_name: str | None = None, kind: str | None = None
) -> None:
    """Remove the storage and its sync records; the tasks it made stay."""
    actor.require("manager", "remove storages")
    row = get_storage(ws, actor, storage_id, type_name=type_name, kind=kind)
    with ws.session() as s:
        obj = s.get(Storage, storage_id)
        if obj is not None:
            s.delete(obj)
        audit.record(s, actor, "delete", "storage", storage_id, project_id=row.project_id)
    _changed(row.project_id)


@dataclass(frozen=True)
class SyncState:
    status: str
    job_status: str | None
    error: str | None


def sync_state(ws: Workspace, row: Storage) -> SyncState:
    if row.last_sync_job is None:
        return SyncState("initialized", None, None)
    with ws.read() as s:
        job = s.get(Job, row.last_sync_job)
        if job is None:
            return SyncState("initialized", None, None)
        return SyncState(storage_status(job.status, job.result), job.status, job.error)


def storage_json(ws: Workspace, row: Storage, *, secrets: str = "drop") -> dict[str, Any]:
    """Label Studio's storage object. Secrets: `drop` (the API, as Label Studio) or `mask` (CLI)."""
    cls = backend_class(row.type)
    state = sync_state(ws, row)
    location = {"azure": "container", "localfiles": "path"}.get(row.type, "bucket")
    out: dict[str, Any] = {
        "id": row.id,
        "type": row.type,
        "kind": row.kind,
        "title": row.title,
        "description": row.description,
        "project": row.project_id,
        "created_at": iso(row.created_at),
        "synchronizable": True,
        "last_sync": iso(row.last_sync),
        "last_sync_count": row.last_sync_count,
        "last_sync_job": row.last_sync_job,
        "status": state.status,
        "traceback": row.traceback or (state.error if state.status == "failed" else None),
        "meta": dict(row.meta or {}),
        location: row.bucket,
        "prefix": row.prefix,
        "regex_filter": row.regex_filter,
        "use_blob_urls": row.use_blob_urls,
    }
    if row.type == "s3":
        out["s3_endpoint"] = row.endpoint_url
        out["region_name"] = row.region_name
    elif row.endpoint_url:
        out["endpoint_url"] = row.endpoint_url
    if row.kind == IMPORT:
        out.update(presign=row.presign, presign_ttl=row.presign_ttl, recursive_scan=row.recursive_scan)
    else:
        out.update(can_delete_objects=row.can_delete_objects, layout=row.options.get("layout", "annotation"),
                   format=row.options.get("format"))
    for name in cls.credential_fields:
        value = (row.credentials or {}).get(name)
        if name in cls.secret_fields:
            if secrets == "mask":
                out[name] = MASK if value else ""
        else:
            out[name] = value or ""
    if row.kind == IMPORT:
        for name in ("on_change", "on_delete"):
            if name in row.options:
                out[name] = row.options[name]
    return out
