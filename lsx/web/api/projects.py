"""Projects: list, create, get, change, delete, config validation, summary, export formats, the
interface tree, and the label stream (next task, history, lock heartbeat and release)."""

from __future__ import annotations

from typing import Any

from lsx.engine.errors import NotFound
from lsx.web.api import schemas as sch
from lsx.web.api.pages import drf_page
from lsx.web.api.routing import Call, Param, api

PAGE = (Param("page", "integer"), Param("page_size", "integer"))


def _settings(body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.projects import PROJECT_FIELDS, SETTING_ALIASES

    return {k: v for k, v in body.items()
            if k != "title" and (k in PROJECT_FIELDS or k in SETTING_ALIASES)}


def _list(ws: Any, actor: Any, page: int, size: int, ids: list[int] | None, title: str | None) -> tuple[list, int]:
    from lsx.engine.projects import list_projects, project_counts, project_json

    with ws.read() as s:
        projects = list_projects(s, actor)
        if ids:
            projects = [p for p in projects if p.id in set(ids)]
        if title:
            projects = [p for p in projects if title.lower() in p.title.lower()]
        projects.sort(key=lambda p: (p.pinned_at is None, -p.id))
        count = len(projects)
        if page < 1 or size < 1 or (page - 1) * size >= max(count, 1):
            raise NotFound("Invalid page.")
        chunk = projects[(page - 1) * size: page * size]
        counts = project_counts(s, [p.id for p in chunk])
        return [project_json(s, p, counts[p.id]) for p in chunk], count


@api("GET", "/api/projects/", summary="List projects", tag="projects", response=sch.PROJECT_PAGE,
     query=(*PAGE, Param("ids", "integer", many=True), Param("title")))
async def list_projects(call: Call) -> Any:
    """Paginated `{count, next, previous, results}`; pinned first, then newest."""
    page, size = call.query.get("page", 1), min(call.query.get("page_size", 30), 100)
    rows, count = await call.run(_list, call.ws, call.actor, page, size, call.query.get("ids"), call.query.get("title"))
    return drf_page(call.request, rows, count, page, size)


def _create(ws: Any, actor: Any, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.projects import create_project, project_json

    with ws.session() as s:
        p = create_project(s, actor, body.get("title") or "New Project", label_config=body.get("label_config"),
                           config_source="label_config", **_settings(body))
        return project_json(s, p)


@api("POST", "/api/projects/", summary="Create a project", tag="projects", response=sch.PROJECT, status=201,
     body=sch.PROJECT_CREATE_BODY)
async def create_project(call: Call) -> Any:
    return await call.run(_create, call.ws, call.actor, call.body)


def _get(ws: Any, actor: Any, project_id: int) -> dict[str, Any]:
    from lsx.engine.projects import get_project, project_json

    with ws.read() as s:
        return project_json(s, get_project(s, actor, project_id))


@api("GET", "/api/projects/{id}/", summary="Get a project", tag="projects", response=sch.PROJECT)
async def get_project(call: Call) -> Any:
    return await call.run(_get, call.ws, call.actor, call.ids["id"])


def _update(ws: Any, actor: Any, project_id: int, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.projects import get_project, project_json, update_project

    settings = _settings(body)
    if "title" in body:
        settings["title"] = body["title"]
    with ws.session() as s:
        p = get_project(s, actor, project_id, for_update=True)
        update_project(s, actor, p, label_config=body.get("label_config"), config_source="label_config",
                       force=bool(body.get("force", False)), **settings)
        s.flush()
        return project_json(s, p)


@api("PATCH", "/api/projects/{id}/", summary="Change a project", tag="projects", response=sch.PROJECT,
     body=sch.PROJECT_PATCH_BODY)
async def update_project(call: Call) -> Any:
    """A config change that would orphan annotations is refused (400) unless `force` is true."""
    return await call.run(_update, call.ws, call.actor, call.ids["id"], call.body)


def _delete(ws: Any, actor: Any, project_id: int) -> None:
    from lsx.engine.projects import delete_project, get_project

    with ws.session() as s:
        delete_project(s, actor, get_project(s, actor, project_id))


@api("DELETE", "/api/projects/{id}/", summary="Delete a project", tag="projects", status=204)
async def delete_project(call: Call) -> Any:
    await call.run(_delete, call.ws, call.actor, call.ids["id"])


def _validate(xml: str) -> None:
    from lsx.engine.projects import check_config

    check_config(xml, source="label_config")


@api("POST", "/api/projects/validate/", summary="Validate a labeling config", tag="projects", status=204,
     body=sch.CONFIG_BODY)
async def validate_config(call: Call) -> Any:
    """204 when valid; 400 naming line, column and tag otherwise."""
    await call.run(_validate, call.body["label_config"])


def _validate_for(ws: Any, actor: Any, project_id: int, xml: str) -> dict[str, Any]:
    from lsx.engine.projects import check_config, check_config_change, get_project

    with ws.read() as s:
        project = get_project(s, actor, project_id)
        info = check_config(xml, source="label_config")
        check_config_change(s, project, xml, source="label_config")
        return {"config_essential_data_has_changed": info.data_types != (project.data_types or {})}


@api("POST", "/api/projects/{id}/validate/", summary="Validate a config against the project's data", tag="projects",
     response=sch.CONFIG_CHANGED, body=sch.CONFIG_BODY)
async def validate_project_config(call: Call) -> Any:
    return await call.run(_validate_for, call.ws, call.actor, call.ids["id"], call.body["label_config"])


def _summary(ws: Any, actor: Any, project_id: int) -> dict[str, Any]:
    from lsx.engine.projects import config_usage, get_project, project_counts
    from lsx.engine.timefmt import iso

    with ws.read() as s:
        project = get_project(s, actor, project_id)
        n = project_counts(s, [project.id])[project.id]["task_number"]
        usage = config_usage(s, project)
        keys = list(project.data_types or {})
        return {
            "project": project.id, "created_at": iso(project.created_at),
            "all_data_columns": {k: n for k in keys}, "common_data_columns": keys,
            "created_annotations": {"|".join(k): v for k, v in usage.tuples.items()},
            "created_labels": usage.labels, "created_labels_drafts": {},
        }


@api("GET", "/api/projects/{id}/summary/", summary="Project summary", tag="projects", response=sch.SUMMARY)
async def project_summary(call: Call) -> Any:
    return await call.run(_summary, call.ws, call.actor, call.ids["id"])


def _formats(ws: Any, actor: Any, project_id: int) -> list[dict[str, Any]]:
    from lsx.engine.config import parse_config
    from lsx.engine.projects import get_project

    with ws.read() as s:
        xml = get_project(s, actor, project_id).label_config
    return parse_config(xml, source="label_config").export_formats()


@api("GET", "/api/projects/{id}/export/formats", summary="Export formats for the project's config", tag="export",
     response=sch.arr(sch.EXPORT_FORMAT))
async def export_formats(call: Call) -> Any:
    return await call.run(_formats, call.ws, call.actor, call.ids["id"])


def _interface(ws: Any, actor: Any, project_id: int) -> dict[str, Any]:
    from lsx.engine.config import parse_config
    from lsx.engine.projects import get_project

    with ws.read() as s:
        xml = get_project(s, actor, project_id).label_config
    return parse_config(xml, source="label_config").interface_tree()


@api("GET", "/api/projects/{id}/interface", summary="The labeling interface as a JSON tree (lsx)", tag="projects",
     response=sch.interface_tree())
async def project_interface(call: Call) -> Any:
    """The parsed config the web UI renders from (lsx's own endpoint)."""
    return await call.run(_interface, call.ws, call.actor, call.ids["id"])


def _next(ws: Any, actor: Any, project_id: int, exclude: list[int]) -> dict[str, Any]:
    from lsx.engine.projects import get_project
    from lsx.engine.sampling import next_task
    from lsx.web.api.fastread import next_answer

    found = next_task(ws, project_id, actor, exclude=exclude)
    if found is None:
        with ws.read() as s:
            get_project(s, actor, project_id)
        raise NotFound(f"There are no tasks for {actor.email}")
    return next_answer(ws, actor, found)


@api("GET", "/api/projects/{id}/next/", summary="Next task for the current user", tag="label stream",
     response=sch.NEXT_TASK, query=(Param("exclude", "integer", many=True),))
async def next_task(call: Call) -> Any:
    """Locks the task for the caller; `exclude` prefetches past the current task. 404 when none is left."""
    return await call.run(_next, call.ws, call.actor, call.ids["id"], call.query.get("exclude", []))


def _history(ws: Any, actor: Any, project_id: int) -> list[dict[str, Any]]:
    from lsx.engine.sampling import history

    return [h.as_json() for h in history(ws, actor, project_id)]


@api("GET", "/api/projects/{id}/label-stream-history/", summary="Tasks last served to the current user",
     tag="label stream", response=sch.arr(sch.HISTORY))
async def label_stream_history(call: Call) -> Any:
    return await call.run(_history, call.ws, call.actor, call.ids["id"])


def _heartbeat(ws: Any, actor: Any, task_id: int) -> dict[str, Any]:
    from datetime import UTC, datetime

    from lsx.engine.sampling import heartbeat

    expires = heartbeat(ws, actor, task_id)
    return {"task": task_id, "expire_at": datetime.fromtimestamp(expires, UTC).isoformat().replace("+00:00", "Z")}


@api("POST", "/api/tasks/{id}/lock/heartbeat/", summary="Extend the caller's lock on a task", tag="label stream",
     response=sch.LOCK)
async def lock_heartbeat(call: Call) -> Any:
    return await call.run(_heartbeat, call.ws, call.actor, call.ids["id"])


def _release(ws: Any, actor: Any, task_id: int) -> None:
    from lsx.engine.sampling import release

    release(ws, actor, task_id)


@api("DELETE", "/api/tasks/{id}/lock/", summary="Release the caller's lock on a task", tag="label stream", status=204)
async def lock_release(call: Call) -> Any:
    await call.run(_release, call.ws, call.actor, call.ids["id"])
