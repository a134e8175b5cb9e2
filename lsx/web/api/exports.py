"""Exports: the streamed synchronous export and snapshot exports run as jobs."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from lsx.web.api import schemas as sch
from lsx.web.api.routing import Call, Param, api

CONTENT_TYPES = {"json": "application/json", "csv": "text/csv", "tsv": "text/tab-separated-values"}
EXPORT_MEDIA = ("application/json", "text/csv", "text/tab-separated-values", "application/octet-stream")
CHUNK = 256 * 1024


class _Bridge:
    """A binary file for the export thread that forwards chunks to the event loop's response.

    The response starts on the first write, so an error raised before any output (unknown format, a
    format the config cannot produce) still answers a clean 4xx."""

    def __init__(self, loop: asyncio.AbstractEventLoop, start: Any, write: Any) -> None:
        self.loop, self.start, self.send = loop, start, write
        self.buf = bytearray()
        self.started = False

    def _push(self, data: bytes) -> None:
        if not self.started:
            asyncio.run_coroutine_threadsafe(self.start(), self.loop).result()
            self.started = True
        asyncio.run_coroutine_threadsafe(self.send(data), self.loop).result()

    def write(self, data: bytes) -> int:
        self.buf += data
        if len(self.buf) >= CHUNK:
            self._push(bytes(self.buf))
            self.buf.clear()
        return len(data)

    def flush(self) -> None:
        if self.buf or not self.started:
            self._push(bytes(self.buf))
            self.buf.clear()


def _export(ws: Any, actor: Any, project_id: int, fmt: str, only_annotated: bool, out: _Bridge) -> None:
    from lsx.engine.exports import export_project

    export_project(ws, actor, project_id, fmt, out, only_annotated=only_annotated)  # type: ignore[arg-type]
    out.flush()


@api("GET", "/api/projects/{id}/export", summary="Export a project (streamed)", tag="export", media=EXPORT_MEDIA,
     query=(Param("exportType"), Param("export_type"), Param("download_all_tasks", "boolean"),
            Param("download_resources", "boolean"), Param("interpolate_key_frames", "boolean")))
async def export_project(call: Call) -> Any:
    """Streams the file as it is produced; memory stays flat on any project size."""
    from lsx.engine.formats.registry import EXPORTERS

    fmt = str(call.query.get("exportType") or call.query.get("export_type") or "JSON").upper().replace("-", "_")
    exporter = EXPORTERS.get(fmt)
    ext = getattr(exporter, "extension", "json").lstrip(".") if exporter else "json"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H-%M")
    digest = hashlib.md5(f"{call.ids['id']}{stamp}{fmt}".encode(), usedforsecurity=False).hexdigest()[:8]
    resp = web.StreamResponse(headers={
        "Content-Type": CONTENT_TYPES.get(ext, "application/octet-stream"),
        "Content-Disposition": f'attachment; filename="project-{call.ids["id"]}-at-{stamp}-{digest}.{ext}"',
    })

    async def start() -> None:
        await resp.prepare(call.request)

    bridge = _Bridge(asyncio.get_running_loop(), start, resp.write)
    await call.run(_export, call.ws, call.actor, call.ids["id"], fmt,
                   not call.query.get("download_all_tasks", False), bridge)
    await resp.write_eof()
    return resp


def _create(ws: Any, actor: Any, project_id: int, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.export_snapshots import create_snapshot

    only = bool((body.get("task_filter_options") or {}).get("only_with_annotations", False))
    return create_snapshot(ws, actor, project_id, title=str(body.get("title") or ""),
                           fmt=str(body.get("export_type") or "JSON"), only_annotated=only)


@api("POST", "/api/projects/{id}/exports/", summary="Create a snapshot export (a job)", tag="export",
     response=sch.EXPORT, status=201, body=sch.EXPORT_BODY)
async def create_export(call: Call) -> Any:
    return await call.run(_create, call.ws, call.actor, call.ids["id"], call.body)


def _list(ws: Any, actor: Any, project_id: int) -> list[dict[str, Any]]:
    from lsx.engine.export_snapshots import list_snapshots

    return list_snapshots(ws, actor, project_id)


@api("GET", "/api/projects/{id}/exports/", summary="List snapshot exports", tag="export", response=sch.arr(sch.EXPORT))
async def list_exports(call: Call) -> Any:
    return await call.run(_list, call.ws, call.actor, call.ids["id"])


def _get(ws: Any, actor: Any, project_id: int, export_id: int) -> dict[str, Any]:
    from lsx.engine.export_snapshots import get_snapshot

    return get_snapshot(ws, actor, project_id, export_id)


@api("GET", "/api/projects/{id}/exports/{export_pk}", summary="Get a snapshot export", tag="export",
     response=sch.EXPORT)
async def get_export(call: Call) -> Any:
    return await call.run(_get, call.ws, call.actor, call.ids["id"], call.ids["export_pk"])


def _file(ws: Any, actor: Any, project_id: int, export_id: int) -> Any:
    from lsx.engine.export_snapshots import snapshot_file

    return snapshot_file(ws, actor, project_id, export_id)


@api("GET", "/api/projects/{id}/exports/{export_pk}/download", summary="Download a completed snapshot export",
     tag="export", media=EXPORT_MEDIA, query=(Param("exportType"),))
async def download_export(call: Call) -> Any:
    """404 until the export has completed."""
    path, _fmt = await call.run(_file, call.ws, call.actor, call.ids["id"], call.ids["export_pk"])
    ext = path.suffix.lstrip(".")
    return web.FileResponse(path, headers={
        "Content-Type": CONTENT_TYPES.get(ext, "application/octet-stream"),
        "Content-Disposition": f'attachment; filename="project-{call.ids["id"]}-export-{call.ids["export_pk"]}.{ext}"',
    })
