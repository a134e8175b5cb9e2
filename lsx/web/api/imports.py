"""Import tasks (JSON body or multipart files in every format the engine reads) and predictions."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from lsx.web.api import schemas as sch
from lsx.web.api.keys import MAX_BODY
from lsx.web.api.routing import Call, Param, api


def _report_json(report: Any, return_ids: bool, found: list[str], columns: list[str]) -> dict[str, Any]:
    out = report.as_json()
    out.update(file_upload_ids=[], could_be_tasks_list=False, found_formats=found, data_columns=columns)
    if return_ids:
        out["task_ids"] = report.task_ids
    return out


def _import_items(ws: Any, actor: Any, project_id: int, body: Any, return_ids: bool) -> dict[str, Any]:
    from lsx.engine.imports import run_import

    items = body if isinstance(body, list) else [body]
    report = run_import(ws, actor, project_id, ((f"task {i}", item) for i, item in enumerate(items)), source="api")
    first = items[0] if items and isinstance(items[0], dict) else {}
    data = first.get("data") if isinstance(first.get("data"), dict) else first
    return _report_json(report, return_ids, [], sorted(data) if isinstance(data, dict) else [])


def _import_files(ws: Any, actor: Any, project_id: int, paths: list[Path], return_ids: bool) -> dict[str, Any]:
    from lsx.engine.imports import import_files

    report = import_files(ws, actor, project_id, paths)
    return _report_json(report, return_ids, sorted({p.suffix for p in paths}), [])


async def _save_parts(call: Call, target: Path) -> list[Path]:
    """Stream multipart files to disk, enforcing the body cap as bytes arrive."""
    reader = await call.request.multipart()
    limit, total, paths = call.request.app[MAX_BODY], 0, []
    while (part := await reader.next()) is not None:
        if not isinstance(part, aiohttp.BodyPartReader) or not part.filename:
            continue
        name = Path(part.filename).name or "upload"
        path = target / f"{len(paths):03d}-{name}"
        with open(path, "wb") as fh:
            while chunk := await part.read_chunk(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=total)
                fh.write(chunk)
        paths.append(path)
    return paths


@api("POST", "/api/projects/{id}/import", summary="Import tasks", tag="import", response=sch.IMPORT_RESULT,
     status=201, body=sch.IMPORT_BODY, multipart=True,
     query=(Param("return_task_ids", "boolean"), Param("commit_to_project", "boolean")))
async def import_tasks(call: Call) -> Any:
    """A JSON list of tasks (or one task), or multipart files (JSON, JSONL, CSV, TSV, TXT, HTML, media).
    All or nothing: a bad task answers 400 naming its index and field."""
    from lsx.engine.media import save_upload_dir

    return_ids = bool(call.query.get("return_task_ids", False))
    project_id = call.ids["id"]
    if call.body is not None:
        return await call.run(_import_items, call.ws, call.actor, project_id, call.body, return_ids)
    await call.run(_check_project, call.ws, call.actor, project_id)
    target = save_upload_dir(call.ws, project_id) / uuid.uuid4().hex
    target.mkdir(parents=True)
    try:
        paths = await _save_parts(call, target)
        if not paths:
            from lsx.engine.errors import Problem, ValidationFailed

            raise ValidationFailed([Problem("no files in the multipart body", field="file")])
        return await call.run(_import_files, call.ws, call.actor, project_id, paths, return_ids)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _check_project(ws: Any, actor: Any, project_id: int) -> None:
    from lsx.engine.projects import get_project

    with ws.read() as s:
        get_project(s, actor, project_id)


def _predictions(ws: Any, actor: Any, project_id: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    from lsx.engine.task_edit import import_predictions

    with ws.session() as s:
        return {"created": import_predictions(s, actor, project_id, items)}


@api("POST", "/api/projects/{id}/import/predictions", summary="Import predictions for existing tasks", tag="import",
     response=sch.CREATED, status=201, body=sch.PREDICTIONS_IMPORT_BODY)
async def import_predictions(call: Call) -> Any:
    return await call.run(_predictions, call.ws, call.actor, call.ids["id"], call.body)
