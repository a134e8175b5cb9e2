"""Storages under Label Studio's paths: `/api/storages/{type}/...` (import) and
`/api/storages/export/{type}/...` (export), with `/sync` and `/validate`; media access through
`/tasks/{id}/resolve/` and `/data/local-files/`. Handlers only translate HTTP to lsx.engine.storage."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from lsx.web.api import schemas as sch
from lsx.web.api.routing import Call, Handler, Param, api

TYPES = ("s3", "gcs", "azure", "localfiles")
# Label Studio's storage object (see lsx.engine.storage.storage_json): common fields always,
# type- and kind-specific ones when they apply; secrets are never returned.
STORAGE = sch.component("Storage", sch.obj(
    {
        "id": sch.INT, "type": sch.S, "kind": sch.S, "title": sch.null(sch.S), "description": sch.null(sch.S),
        "project": sch.INT, "created_at": sch.null(sch.DT), "synchronizable": sch.B, "last_sync": sch.null(sch.DT),
        "last_sync_count": sch.null(sch.INT), "last_sync_job": sch.null(sch.INT), "status": sch.S,
        "traceback": sch.null(sch.S), "meta": sch.OBJ, "prefix": sch.null(sch.S),
        "regex_filter": sch.null(sch.S), "use_blob_urls": sch.B,
    },
    {
        "bucket": sch.null(sch.S), "container": sch.null(sch.S), "path": sch.null(sch.S),
        "s3_endpoint": sch.null(sch.S), "region_name": sch.null(sch.S), "endpoint_url": sch.null(sch.S),
        "presign": sch.B, "presign_ttl": sch.INT, "recursive_scan": sch.B, "can_delete_objects": sch.null(sch.B),
        "layout": sch.S, "format": sch.null(sch.S), "aws_sse_kms_key_id": sch.S, "google_project_id": sch.S,
        "on_change": sch.S, "on_delete": sch.S,
    },
))
STORAGE_TYPE = sch.obj({"name": sch.S, "title": sch.S})
STORAGE_BODY = sch.body({"project": sch.INT, "title": sch.S, "description": sch.S, "prefix": sch.null(sch.S),
                         "regex_filter": sch.null(sch.S), "use_blob_urls": sch.B, "presign": sch.B,
                         "presign_ttl": sch.INT, "recursive_scan": sch.B, "can_delete_objects": sch.null(sch.B)})
CHUNK = 1 << 20


def _json(ws: Any, row: Any) -> dict[str, Any]:
    from lsx.engine.storage import storage_json

    return storage_json(ws, row)


def _list(ws: Any, actor: Any, kind: str, type_name: str | None, project: int | None) -> list[dict[str, Any]]:
    from lsx.engine.storage import list_storages

    return [_json(ws, r) for r in list_storages(ws, actor, project_id=project, type_name=type_name, kind=kind)]


def _create(ws: Any, actor: Any, kind: str, type_name: str, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.errors import InputError
    from lsx.engine.storage import create_storage

    project = body.get("project")
    if not isinstance(project, int):
        raise InputError("project is required")
    fields = {k: v for k, v in body.items() if k != "project"}
    return _json(ws, create_storage(ws, actor, project, type_name, fields, kind=kind))


def _validate(ws: Any, actor: Any, kind: str, type_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """Check a storage's settings and credentials without saving (an `id` validates a change)."""
    from lsx.engine.storage import backend_for, get_storage
    from lsx.engine.storage.models import Storage
    from lsx.engine.storage.service import _apply, backend_class, canonical_type

    cls = backend_class(type_name)
    if body.get("id"):
        row = get_storage(ws, actor, int(body["id"]), type_name=type_name, kind=kind)
    else:
        from lsx.engine.projects import get_project

        with ws.read() as s:
            get_project(s, actor, int(body.get("project") or 0))
        row = Storage(type=canonical_type(type_name), kind=kind, credentials={}, options={}, bucket="", prefix="",
                      regex_filter="", presign_ttl=1)
    _apply(row, {k: v for k, v in body.items() if k not in ("id", "project")}, cls)
    backend_for(ws, row).validate()
    return {}


def _get(ws: Any, actor: Any, kind: str, type_name: str, sid: int) -> dict[str, Any]:
    from lsx.engine.storage import get_storage

    return _json(ws, get_storage(ws, actor, sid, type_name=type_name, kind=kind))


def _patch(ws: Any, actor: Any, kind: str, type_name: str, sid: int, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.storage import update_storage

    fields = {k: v for k, v in body.items() if k not in ("project", "id", "type")}
    return _json(ws, update_storage(ws, actor, sid, fields, type_name=type_name, kind=kind))


def _delete(ws: Any, actor: Any, kind: str, type_name: str, sid: int) -> None:
    from lsx.engine.storage import delete_storage

    delete_storage(ws, actor, sid, type_name=type_name, kind=kind)


def _sync(ws: Any, actor: Any, kind: str, type_name: str, sid: int) -> dict[str, Any]:
    """Start the sync as a job and answer at once (status `queued`), as Label Studio does."""
    from lsx.engine.storage import get_storage, sync_storage

    get_storage(ws, actor, sid, type_name=type_name, kind=kind)
    sync_storage(ws, actor, sid, submit=True)
    return _json(ws, get_storage(ws, actor, sid))


def _files(ws: Any, actor: Any, type_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """Preview: the first keys a sync would pick up."""
    from lsx.engine.storage import backend_for, get_storage

    row = get_storage(ws, actor, int(body.get("id") or 0), type_name=type_name, kind="import")
    keys = []
    for info in backend_for(ws, row).iter_objects():
        keys.append(info.key)
        if len(keys) >= 100:
            break
    return {"files": keys}


def _named(fn: Handler, name: str) -> Handler:
    fn.__name__ = name
    fn.__qualname__ = name
    return fn


def _routes(kind: str, t: str) -> None:
    base = f"/api/storages/export/{t}" if kind == "export" else f"/api/storages/{t}"
    tag = "storage"
    word = "export" if kind == "export" else "import"
    op = f"{word}_storage_{t}"

    async def list_(call: Call) -> Any:
        return await call.run(_list, call.ws, call.actor, kind, t, call.query.get("project"))

    async def create(call: Call) -> Any:
        return await call.run(_create, call.ws, call.actor, kind, t, call.body)

    async def validate(call: Call) -> Any:
        await call.run(_validate, call.ws, call.actor, kind, t, call.body)
        return {}

    async def form(call: Call) -> Any:
        return []

    async def get(call: Call) -> Any:
        return await call.run(_get, call.ws, call.actor, kind, t, call.ids["id"])

    async def patch(call: Call) -> Any:
        return await call.run(_patch, call.ws, call.actor, kind, t, call.ids["id"], call.body)

    async def delete(call: Call) -> Any:
        await call.run(_delete, call.ws, call.actor, kind, t, call.ids["id"])

    async def sync(call: Call) -> Any:
        return await call.run(_sync, call.ws, call.actor, kind, t, call.ids["id"])

    project_q = (Param("project", "integer"),)
    api("GET", f"{base}/", summary=f"List {word} storages ({t})", tag=tag, response=sch.arr(STORAGE),
        query=project_q)(_named(list_, f"list_{op}"))
    api("POST", f"{base}/", summary=f"Create an {word} storage ({t}); credentials are checked first", tag=tag,
        response=STORAGE, status=201, body=STORAGE_BODY)(_named(create, f"create_{op}"))
    api("POST", f"{base}/validate", summary=f"Check an {word} storage's settings and credentials ({t})", tag=tag,
        response=sch.obj({}), body=STORAGE_BODY)(_named(validate, f"validate_{op}"))
    api("GET", f"{base}/form", summary=f"Form layout of an {word} storage ({t})", tag=tag,
        response=sch.arr(sch.ANY))(_named(form, f"form_{op}"))
    api("GET", f"{base}/{{id}}", summary=f"Get an {word} storage ({t})", tag=tag,
        response=STORAGE)(_named(get, f"get_{op}"))
    api("PATCH", f"{base}/{{id}}", summary=f"Change an {word} storage ({t})", tag=tag, response=STORAGE,
        body=STORAGE_BODY)(_named(patch, f"update_{op}"))
    api("DELETE", f"{base}/{{id}}", summary=f"Remove an {word} storage ({t})", tag=tag, status=204)(
        _named(delete, f"delete_{op}"))
    api("POST", f"{base}/{{id}}/sync", summary=f"Sync an {word} storage ({t}) as a job", tag=tag,
        response=STORAGE)(_named(sync, f"sync_{op}"))
    if kind == "import":
        async def files(call: Call) -> Any:
            return await call.run(_files, call.ws, call.actor, t, call.body)

        api("POST", f"{base}/files", summary=f"Preview the keys an import storage would sync ({t})", tag=tag,
            response=sch.obj({"files": sch.arr(sch.S)}), body=sch.body({"id": sch.INT}, ("id",)))(
            _named(files, f"files_{op}"))


for _kind in ("import", "export"):
    for _t in TYPES:
        _routes(_kind, _t)


def _types(kind: str) -> list[dict[str, str]]:
    from lsx.engine.storage import backend_class, storage_types

    return [{"name": t, "title": backend_class(t).title} for t in storage_types()]


@api("GET", "/api/storages/", summary="List import storages of every type", tag="storage",
     response=sch.arr(STORAGE), query=(Param("project", "integer"),))
async def list_import_storages(call: Call) -> Any:
    return await call.run(_list, call.ws, call.actor, "import", None, call.query.get("project"))


@api("GET", "/api/storages/export", summary="List export storages of every type", tag="storage",
     response=sch.arr(STORAGE), query=(Param("project", "integer"),))
async def list_export_storages(call: Call) -> Any:
    return await call.run(_list, call.ws, call.actor, "export", None, call.query.get("project"))


@api("GET", "/api/storages/types", summary="Import storage types", tag="storage", response=sch.arr(STORAGE_TYPE))
async def import_storage_types(call: Call) -> Any:
    return _types("import")


@api("GET", "/api/storages/export/types", summary="Export storage types", tag="storage", response=sch.arr(STORAGE_TYPE))
async def export_storage_types(call: Call) -> Any:
    return _types("export")


# --- media access --------------------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


async def _serve(call: Call, resolved: Any) -> web.StreamResponse:
    if resolved.redirect:
        return web.Response(status=303, headers={"Location": resolved.redirect, "Cache-Control": "no-store"})
    backend, key = resolved.backend, resolved.key
    info = await call.run(backend.info, key)
    size = int(info.get("size") or 0)
    etag = str(info.get("ETag") or info.get("etag") or "").strip('"')
    start, end = 0, size  # [start, end)
    status = 200
    header = call.request.headers.get("Range")
    if header:
        m = _RANGE.match(header.strip())
        if not m or (not m.group(1) and not m.group(2)):
            return web.Response(status=416, headers={"Content-Range": f"bytes */{size}"})
        if m.group(1):
            start = int(m.group(1))
            end = min(size, int(m.group(2)) + 1) if m.group(2) else size
        else:
            start = max(0, size - int(m.group(2)))
        if start >= size or start >= end:
            return web.Response(status=416, headers={"Content-Range": f"bytes */{size}"})
        status = 206
    resp = web.StreamResponse(status=status)
    resp.headers["Accept-Ranges"] = "bytes"
    resp.headers["Content-Type"] = _mime(key)
    resp.content_length = end - start
    if etag:
        resp.headers["ETag"] = f'"{etag}"'
    if status == 206:
        resp.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    await resp.prepare(call.request)
    pos = start
    while pos < end:
        chunk = await call.run(backend.read_range, key, pos, min(end, pos + CHUNK))
        if not chunk:
            break
        await resp.write(chunk)
        pos += len(chunk)
    await resp.write_eof()
    return resp


def _mime(key: str) -> str:
    import mimetypes

    return mimetypes.guess_type(key)[0] or "application/octet-stream"


MEDIA = ("application/octet-stream",)
FILEURI = (Param("fileuri", required=True, description="URL-safe base64 of the storage URI"),)


def _resolver(kind: str) -> Callable[..., Any]:
    from lsx.engine.storage import resolve

    return resolve.resolve_task_uri if kind == "task" else resolve.resolve_project_uri


@api("GET", "/tasks/{id}/resolve/", summary="A task's storage object: presigned redirect or streamed", tag="storage",
     media=MEDIA, query=FILEURI)
async def resolve_task_uri(call: Call) -> Any:
    """303 to a presigned URL (`presign`), or the object streamed with Range support."""
    resolved = await call.run(_resolver("task"), call.ws, call.actor, call.ids["id"], call.query["fileuri"])
    return await _serve(call, resolved)


@api("GET", "/tasks/{id}/presign/", summary="Alias of /tasks/{id}/resolve/", tag="storage", media=MEDIA,
     query=FILEURI)
async def presign_task_uri(call: Call) -> Any:
    resolved = await call.run(_resolver("task"), call.ws, call.actor, call.ids["id"], call.query["fileuri"])
    return await _serve(call, resolved)


@api("GET", "/projects/{id}/resolve/", summary="A project's storage object (managers)", tag="storage", media=MEDIA,
     query=FILEURI)
async def resolve_project_uri(call: Call) -> Any:
    resolved = await call.run(_resolver("project"), call.ws, call.actor, call.ids["id"], call.query["fileuri"])
    return await _serve(call, resolved)


@api("GET", "/data/local-files/", summary="A file under LSX_LOCAL_FILES_ROOT", tag="storage", media=MEDIA,
     query=(Param("d", required=True, description="path relative to the root"),))
async def local_files(call: Call) -> Any:
    """403 for any path that leaves the root (`..`, absolute, symlinks, encoded forms)."""
    from lsx.engine.storage.local import local_file

    path = await call.run(local_file, call.ws, call.actor, call.query["d"])
    return web.FileResponse(path)

