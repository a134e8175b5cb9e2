"""Tasks (Data Manager list with `query` filters, ordering and views; create, get, change, delete)
and drafts."""

from __future__ import annotations

from typing import Any

from lsx.web.api import schemas as sch
from lsx.web.api.routing import Call, Param, api

LIST_QUERY = (
    Param("project", "integer"), Param("view", "integer"), Param("page", "integer"), Param("page_size", "integer"),
    Param("fields", enum=("all", "task_only")),
    Param("query", "json", description="JSON {filters, selectedItems, ordering}"),
    Param("only_annotated", "boolean"), Param("resolve_uri", "boolean"), Param("include"), Param("review", "boolean"),
)


def _list(ws: Any, actor: Any, q: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.dm import DEFAULT_PAGE_SIZE, TaskQuery, list_tasks_page

    tq = TaskQuery.from_query(q.get("project"), q.get("query"), q.get("view"), bool(q.get("only_annotated")))
    with ws.read() as s:
        out = list_tasks_page(s, actor, tq, page=q.get("page", 1), page_size=q.get("page_size", DEFAULT_PAGE_SIZE),
                              full=q.get("fields") == "all")
        if q.get("resolve_uri", True) and out["tasks"]:
            _resolve_uris(s, out["tasks"])
        return out


def _resolve_uris(s: Any, tasks: list[dict[str, Any]]) -> None:
    """Storage URIs in the tasks' data become their resolve URLs (Label Studio's `resolve_uri`):
    one read of the project's import storages, nothing more when it has none."""
    from lsx.engine.storage.resolve import rewrite_uris, uri_heads

    heads: dict[int, tuple[str, ...]] = {}
    for task in tasks:
        pid = task["project"]
        if pid not in heads:
            heads[pid] = uri_heads(s, pid)
        if heads[pid]:
            task["data"] = rewrite_uris(heads[pid], task["id"], task["data"])


@api("GET", "/api/tasks/", summary="List tasks (Data Manager)", tag="tasks", response=sch.TASK_PAGE, query=LIST_QUERY)
async def list_tasks(call: Call) -> Any:
    """`{tasks, total, total_annotations, total_predictions}`; 404 past the last page."""
    return await call.run(_list, call.ws, call.actor, call.query)


def _task_out(ws: Any, actor: Any, task_id: int, *, resolve: bool = False) -> dict[str, Any]:
    from lsx.engine.annotations import annotation_json, draft_json, list_annotations, list_drafts
    from lsx.engine.predictions import list_predictions, prediction_json
    from lsx.engine.tasks import get_task, task_json

    with ws.read() as s:
        task = get_task(s, actor, task_id)
        out = task_json(
            task,
            annotations=[annotation_json(a) for a in list_annotations(s, actor, task_id, include_cancelled=True)],
            predictions=[prediction_json(p) for p in list_predictions(s, actor, task_id=task_id)],
        )
        out["drafts"] = [draft_json(d) for d in list_drafts(s, actor, task_id)]
        if resolve:
            _resolve_uris(s, [out])
        return out


def _create(ws: Any, actor: Any, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.task_edit import create_task

    task_id = create_task(ws, actor, body["project"], body["data"], body.get("meta"), body.get("allow_skip", True))
    return _task_out(ws, actor, task_id)


@api("POST", "/api/tasks/", summary="Create a task", tag="tasks", response=sch.TASK, status=201,
     body=sch.TASK_CREATE_BODY)
async def create_task(call: Call) -> Any:
    return await call.run(_create, call.ws, call.actor, call.body)


@api("GET", "/api/tasks/{id}/", summary="Get a task with its annotations, predictions and drafts", tag="tasks",
     response=sch.TASK)
async def get_task(call: Call) -> Any:
    """Storage URIs in the data come as the task's resolve URLs (`/tasks/{id}/resolve/?fileuri=`)."""
    return await call.run(_task_out, call.ws, call.actor, call.ids["id"], resolve=True)


def _update(ws: Any, actor: Any, task_id: int, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.task_edit import update_task

    fields = {k: body[k] for k in ("data", "meta", "allow_skip") if k in body}
    with ws.session() as s:
        update_task(s, actor, task_id, **fields)
    return _task_out(ws, actor, task_id)


@api("PATCH", "/api/tasks/{id}/", summary="Change a task's data, meta or allow_skip", tag="tasks",
     response=sch.TASK, body=sch.TASK_PATCH_BODY)
async def update_task(call: Call) -> Any:
    return await call.run(_update, call.ws, call.actor, call.ids["id"], call.body)


def _delete(ws: Any, actor: Any, task_id: int) -> None:
    from lsx.engine.tasks import delete_tasks

    with ws.session() as s:
        delete_tasks(s, actor, [task_id])


@api("DELETE", "/api/tasks/{id}/", summary="Delete a task", tag="tasks", status=204)
async def delete_task(call: Call) -> Any:
    await call.run(_delete, call.ws, call.actor, call.ids["id"])


# --- drafts ----------------------------------------------------------------------------------------


def _drafts(ws: Any, actor: Any, task_id: int) -> list[dict[str, Any]]:
    from lsx.engine.annotations import draft_json, list_drafts

    with ws.read() as s:
        return [draft_json(d) for d in list_drafts(s, actor, task_id)]


@api("GET", "/api/tasks/{id}/drafts", summary="The caller's drafts on a task", tag="drafts",
     response=sch.arr(sch.DRAFT))
async def list_drafts(call: Call) -> Any:
    return await call.run(_drafts, call.ws, call.actor, call.ids["id"])


def _save_draft(ws: Any, actor: Any, task_id: int, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.annotations import draft_json, save_draft

    with ws.session() as s:
        d = save_draft(s, actor, task_id, result=body.get("result"), lead_time=body.get("lead_time"),
                       annotation_id=body.get("annotation"), was_postponed=bool(body.get("was_postponed", False)))
        return draft_json(d)


@api("POST", "/api/tasks/{id}/drafts", summary="Save the caller's draft on a task", tag="drafts",
     response=sch.DRAFT, status=201, body=sch.DRAFT_BODY)
async def create_draft(call: Call) -> Any:
    """`was_postponed: true` postpones the task (it returns in the postponed queue)."""
    return await call.run(_save_draft, call.ws, call.actor, call.ids["id"], call.body)


def _get_draft(ws: Any, actor: Any, draft_id: int) -> dict[str, Any]:
    from lsx.engine.annotations import draft_json
    from lsx.engine.task_edit import get_draft

    with ws.read() as s:
        return draft_json(get_draft(s, actor, draft_id))


@api("GET", "/api/drafts/{id}/", summary="Get a draft", tag="drafts", response=sch.DRAFT)
async def get_draft(call: Call) -> Any:
    return await call.run(_get_draft, call.ws, call.actor, call.ids["id"])


def _update_draft(ws: Any, actor: Any, draft_id: int, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.annotations import draft_json
    from lsx.engine.task_edit import update_draft

    fields = {k: body[k] for k in ("result", "lead_time", "was_postponed") if k in body}
    with ws.session() as s:
        return draft_json(update_draft(s, actor, draft_id, **fields))


@api("PATCH", "/api/drafts/{id}/", summary="Change a draft", tag="drafts", response=sch.DRAFT, body=sch.DRAFT_BODY)
async def update_draft(call: Call) -> Any:
    return await call.run(_update_draft, call.ws, call.actor, call.ids["id"], call.body)


def _delete_draft(ws: Any, actor: Any, draft_id: int) -> None:
    from lsx.engine.annotations import delete_draft

    with ws.session() as s:
        delete_draft(s, actor, draft_id)


@api("DELETE", "/api/drafts/{id}/", summary="Delete a draft", tag="drafts", status=204)
async def delete_draft(call: Call) -> Any:
    await call.run(_delete_draft, call.ws, call.actor, call.ids["id"])
