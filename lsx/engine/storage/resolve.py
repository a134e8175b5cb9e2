"""Media access: storage URIs in task data become `/tasks/{id}/resolve/?fileuri=<urlsafe base64>`,
and that endpoint checks the user's access to the task before it redirects to a presigned URL or
streams the object (presign off). Local files are served only under LSX_LOCAL_FILES_ROOT."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lsx.engine.errors import InputError, NotFound, PermissionDenied
from lsx.engine.storage.backend import Backend
from lsx.engine.storage.local import LOCAL_FILES_URL, check_relative
from lsx.engine.storage.models import IMPORT, Storage

if TYPE_CHECKING:
    from lsx.engine.access.actor import Actor
    from lsx.engine.workspace import Workspace


def encode_uri(uri: str) -> str:
    return base64.urlsafe_b64encode(uri.encode()).decode()


def decode_uri(fileuri: str) -> str:
    raw = fileuri.strip()
    try:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InputError("fileuri is not URL-safe base64 of a storage URI") from None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _import_backends(ws: Workspace, project_id: int) -> list[tuple[Storage, Backend]]:
    from lsx.engine.storage.service import backend_for

    with ws.read() as s:
        rows = list(s.scalars(select(Storage).where(Storage.project_id == project_id, Storage.kind == IMPORT)))
        for r in rows:
            s.expunge(r)
    out = []
    for r in rows:
        try:
            out.append((r, backend_for(ws, r)))
        except InputError:
            continue  # e.g. a local storage while local files are off
    return out


def rewrite_data(ws: Workspace, project_id: int, task_id: int, data: Any) -> Any:
    """Task data as the UIs get it: every string holding a URI of one of the project's import
    storages (scheme and bucket) replaced by the task's resolve URL."""
    with ws.read() as s:
        heads = uri_heads(s, project_id)
    return rewrite_uris(heads, task_id, data)


def uri_heads(session: Any, project_id: int) -> tuple[str, ...]:
    """`scheme://bucket/` of each import storage of the project that has URIs (S3, GCS, Azure;
    local files have their own URL): one indexed read of the storage rows, no client built, and
    `()` for a project without one (the usual case, which then costs nothing more)."""
    from lsx.engine.storage.backend import backend_class

    rows = session.execute(
        select(Storage.type, Storage.bucket).where(Storage.project_id == project_id, Storage.kind == IMPORT)
    ).all()
    heads = []
    for type_name, bucket in rows:
        try:
            scheme = backend_class(type_name).uri_scheme
        except InputError:
            continue
        if scheme and bucket:
            heads.append(f"{scheme}://{bucket}/")
    return tuple(heads)


def rewrite_uris(heads: tuple[str, ...], task_id: int, data: Any) -> Any:
    """`data` with every string starting with one of `heads` (see `uri_heads`) replaced by the
    task's `/tasks/{id}/resolve/?fileuri=<urlsafe base64>`; `data` itself when there are none."""
    if not heads:
        return data

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            if value.startswith(heads):
                return f"/tasks/{task_id}/resolve/?fileuri={encode_uri(value)}"
            return value
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(data)


@dataclass
class Resolved:
    """Either `redirect` to a URL, or `stream` the object `key` from `backend`."""

    uri: str
    redirect: str | None = None
    backend: Backend | None = None
    key: str | None = None


def resolve_task_uri(ws: Workspace, actor: Actor, task_id: int, fileuri: str) -> Resolved:
    """403 unless the URI is one of the task's own; 404 when no storage of the project serves it."""
    from lsx.engine.tasks import get_task

    uri = decode_uri(fileuri)
    with ws.read() as s:
        task = get_task(s, actor, task_id)
        project_id, data = task.project_id, task.data
    if uri not in set(_strings(data)) and not any(uri in v for v in _strings(data)):
        raise PermissionDenied("the URI is not part of this task's data")
    return _resolve(ws, project_id, uri)


def resolve_project_uri(ws: Workspace, actor: Actor, project_id: int, fileuri: str) -> Resolved:
    """The project-level form (managers only: it is not tied to one task)."""
    from lsx.engine.projects import get_project

    uri = decode_uri(fileuri)
    with ws.read() as s:
        get_project(s, actor, project_id)
    actor.require("manager", "resolve storage URIs outside a task")
    return _resolve(ws, project_id, uri)


def _resolve(ws: Workspace, project_id: int, uri: str) -> Resolved:
    if LOCAL_FILES_URL in uri:
        from urllib.parse import parse_qs, urlsplit

        check_relative(parse_qs(urlsplit(uri).query).get("d", [""])[0])
    for row, backend in _import_backends(ws, project_id):
        key = backend.key_of_uri(uri)
        if key is None:
            continue
        if row.presign and backend.uri_scheme:  # local files are always streamed from here
            url = backend.presign(key, max(1, row.presign_ttl) * 60)
            if url:
                return Resolved(uri, redirect=url)
        return Resolved(uri, backend=backend, key=key)
    raise NotFound("no storage of this project serves that URI")
