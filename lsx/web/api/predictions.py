"""Predictions: list by task or project, create, get, change, delete."""

from __future__ import annotations

from typing import Any

from lsx.engine.errors import ValidationFailed
from lsx.web.api import schemas as sch
from lsx.web.api.item_routes import item_routes
from lsx.web.api.routing import Call, Param, api


def _list(ws: Any, actor: Any, q: dict[str, Any]) -> list[dict[str, Any]]:
    from lsx.engine.errors import Problem
    from lsx.engine.predictions import list_predictions, prediction_json

    if q.get("task") is None and q.get("project") is None:
        raise ValidationFailed([Problem("give ?task=ID or ?project=ID", field="task")])
    with ws.read() as s:
        if q.get("project") is not None:
            from lsx.engine.projects import get_project

            get_project(s, actor, q["project"])
        return [prediction_json(p) for p in list_predictions(s, actor, task_id=q.get("task"),
                                                              project_id=q.get("project"))]


@api("GET", "/api/predictions/", summary="List predictions of a task or a project", tag="predictions",
     response=sch.arr(sch.PREDICTION), query=(Param("task", "integer"), Param("project", "integer")))
async def list_predictions(call: Call) -> Any:
    return await call.run(_list, call.ws, call.actor, call.query)


def _create(ws: Any, actor: Any, body: dict[str, Any]) -> dict[str, Any]:
    from lsx.engine.predictions import create_prediction, prediction_json

    with ws.session() as s:
        p = create_prediction(s, actor, body["task"], result=body["result"], score=body.get("score"),
                              model_version=body.get("model_version"), cluster=body.get("cluster"))
        return prediction_json(p)


@api("POST", "/api/predictions/", summary="Create a prediction", tag="predictions", response=sch.PREDICTION,
     status=201, body=sch.PREDICTION_BODY)
async def create_prediction(call: Call) -> Any:
    """`result` may be a region list, or Label Studio's simplified dict / bare value."""
    return await call.run(_create, call.ws, call.actor, call.body)


item_routes("prediction", article="a", path="/api/predictions/{id}/", tag="predictions",
            module="lsx.engine.predictions",
            response=sch.PREDICTION, patch_body=sch.PREDICTION_PATCH_BODY,
            editable=("result", "score", "model_version", "cluster"))
