"""Annotations: list and create per task (submit or skip), get, change, delete."""

from __future__ import annotations

from typing import Any

from lsx.web.api import schemas as sch
from lsx.web.api.item_routes import item_routes
from lsx.web.api.routing import Call, Param, api


def _list(ws: Any, actor: Any, task_id: int) -> list[dict[str, Any]]:
    from lsx.engine.annotations import annotation_json, list_annotations

    with ws.read() as s:
        return [annotation_json(a) for a in list_annotations(s, actor, task_id)]


@api("GET", "/api/tasks/{id}/annotations/", summary="A task's annotations (skips excluded)", tag="annotations",
     response=sch.arr(sch.ANNOTATION))
async def list_annotations(call: Call) -> Any:
    return await call.run(_list, call.ws, call.actor, call.ids["id"])


def _create(ws: Any, actor: Any, task_id: int, body: dict[str, Any], cancelled: bool | None) -> dict[str, Any]:
    from lsx.engine.annotations import annotation_json
    from lsx.engine.sampling import skip, submit

    was_cancelled = bool(body.get("was_cancelled", False)) if cancelled is None else cancelled
    plain = not any(body.get(k) is not None for k in
                    ("ground_truth", "completed_by", "parent_annotation", "unique_id")) and not body.get("ground_truth")
    if plain:
        # The label stream's fast path: also releases the lock and consumes the caller's drafts.
        if was_cancelled:
            ann_id = skip(ws, actor, task_id, lead_time=body.get("lead_time"),
                          parent_prediction=body.get("parent_prediction"))
        else:
            ann_id = submit(ws, actor, task_id, body.get("result") or [], lead_time=body.get("lead_time"),
                            draft_id=body.get("draft_id"), parent_prediction=body.get("parent_prediction"))
        from lsx.web.api.fastread import annotation

        return annotation(ws, actor, int(ann_id if isinstance(ann_id, int) else ann_id.id))
    else:
        from lsx.engine.annotations import create_annotation

        with ws.session() as s:
            ann = create_annotation(
                s, actor, task_id, result=body.get("result") or [], was_cancelled=was_cancelled,
                ground_truth=bool(body.get("ground_truth", False)), lead_time=body.get("lead_time"),
                draft_id=body.get("draft_id"), parent_prediction=body.get("parent_prediction"),
                parent_annotation=body.get("parent_annotation"), completed_by=body.get("completed_by"),
                unique_id=body.get("unique_id"),
            )
            return annotation_json(ann)


@api("POST", "/api/tasks/{id}/annotations/", summary="Create an annotation (or a skip)", tag="annotations",
     response=sch.ANNOTATION, status=201, body=sch.ANNOTATION_BODY, query=(Param("was_cancelled", "boolean"),))
async def create_annotation(call: Call) -> Any:
    """Validated against the labeling config; releases the caller's lock on the task."""
    return await call.run(_create, call.ws, call.actor, call.ids["id"], call.body, call.query.get("was_cancelled"))


item_routes("annotation", article="an", path="/api/annotations/{id}/", tag="annotations",
            module="lsx.engine.annotations",
            response=sch.ANNOTATION, patch_body=sch.ANNOTATION_PATCH_BODY,
            editable=("result", "was_cancelled", "ground_truth", "lead_time"))
