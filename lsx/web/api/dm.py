"""Data Manager: saved views and bulk actions."""

from __future__ import annotations

from typing import Any

from lsx.web.api import schemas as sch
from lsx.web.api.routing import Call, Param, api


def _list_views(ws: Any, actor: Any, project_id: int | None) -> list[dict[str, Any]]:
    from lsx.engine.dm import list_views, view_json

    with ws.read() as s:
        return [view_json(v) for v in list_views(s, actor, project_id)]


@api("GET", "/api/dm/views/", summary="List Data Manager views", tag="data manager", response=sch.arr(sch.VIEW),
     query=(Param("project", "integer"),))
async def list_views(call: Call) -> Any:
    return await call.run(_list_views, call.ws, call.actor, call.query.get("project"))


def _create_view(ws: Any, actor: Any, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.dm import create_view, view_json

    with ws.session() as s:
        return view_json(create_view(s, actor, body["project"], body.get("data"), body.get("order")))


@api("POST", "/api/dm/views/", summary="Create a view", tag="data manager", response=sch.VIEW, status=201,
     body=sch.VIEW_BODY)
async def create_view(call: Call) -> Any:
    """Filters and ordering are checked when saved: an unknown column answers 400."""
    return await call.run(_create_view, call.ws, call.actor, call.body)


def _get_view(ws: Any, actor: Any, view_id: int) -> dict[str, Any]:
    from lsx.engine.dm import get_view, view_json

    with ws.read() as s:
        return view_json(get_view(s, actor, view_id))


@api("GET", "/api/dm/views/{id}/", summary="Get a view", tag="data manager", response=sch.VIEW)
async def get_view(call: Call) -> Any:
    return await call.run(_get_view, call.ws, call.actor, call.ids["id"])


def _update_view(ws: Any, actor: Any, view_id: int, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.dm import update_view, view_json

    with ws.session() as s:
        return view_json(update_view(s, actor, view_id, data=body.get("data"), order=body.get("order")))


@api("PATCH", "/api/dm/views/{id}/", summary="Change a view", tag="data manager", response=sch.VIEW,
     body=sch.VIEW_PATCH_BODY)
async def update_view(call: Call) -> Any:
    return await call.run(_update_view, call.ws, call.actor, call.ids["id"], call.body)


def _delete_view(ws: Any, actor: Any, view_id: int) -> None:
    from lsx.engine.dm import delete_view

    with ws.session() as s:
        delete_view(s, actor, view_id)


@api("DELETE", "/api/dm/views/{id}/", summary="Delete a view", tag="data manager", status=204)
async def delete_view(call: Call) -> Any:
    await call.run(_delete_view, call.ws, call.actor, call.ids["id"])


def _actions(ws: Any, actor: Any, project_id: int | None) -> list[dict[str, Any]]:
    from lsx.engine.dm import list_actions

    with ws.read() as s:
        return [a.as_json() for a in list_actions(s, actor, project_id)]


@api("GET", "/api/dm/actions/", summary="List Data Manager actions", tag="data manager",
     response=sch.arr(sch.ACTION), query=(Param("project", "integer"),))
async def list_actions(call: Call) -> Any:
    return await call.run(_actions, call.ws, call.actor, call.query.get("project"))


def _run(ws: Any, actor: Any, action_id: str, project_id: int, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.dm import TaskQuery, run_action

    q = TaskQuery.from_query(project_id, body, body.get("view"))
    with ws.session() as s:
        return run_action(s, actor, action_id, q, body)


@api("POST", "/api/dm/actions/", summary="Run a Data Manager action on selected tasks", tag="data manager",
     response=sch.ACTION_RESULT, body=sch.ACTION_BODY,
     query=(Param("id", required=True), Param("project", "integer", required=True)))
async def run_action(call: Call) -> Any:
    """`?id=delete_tasks|delete_tasks_annotations|delete_tasks_predictions|predictions_to_annotations|
    remove_duplicates&project=ID` with `{selectedItems, filters, ordering}` or `{view}`."""
    return await call.run(_run, call.ws, call.actor, call.query["id"], call.query["project"], call.body)
