"""Predictions (model pre-labels): create, list, update, delete, JSON (§2.4), and → annotations.

`score` is coerced to a float (anything else becomes null) and `model_version` defaults to
"undefined", as Label Studio does. Simplified results (a dict, or a bare string/number) are
expanded against the project's parsed labeling config. Changing scores resets the uncertainty
scan (task_state.invalidate_cursors) because its order depends on them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lsx.engine import task_state
from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.annotations import _iso, create_annotation, load_task, validate_result
from lsx.engine.db.models import Annotation, Prediction, Project, Task
from lsx.engine.errors import InputError, NotFound

_UNSET: Any = object()
DEFAULT_MODEL_VERSION = "undefined"
# Single-valued controls a bare string/number may stand for, and how the value is wrapped.
_SCALAR_TYPES: dict[str, type] = {"choices": str, "rating": int, "number": float, "textarea": str}


def coerce_score(score: Any) -> float | None:
    """Label Studio's rule: a float, or null when it is not a number."""
    if score is None or isinstance(score, bool):
        return None
    try:
        value = float(score)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value


def _controls(project: Project) -> list[tuple[str, dict[str, Any]]]:
    parsed = project.parsed_label_config or {}
    return [(name, spec) for name, spec in parsed.items() if isinstance(spec, dict) and spec.get("type")]


def prepare_result(project: Project, result: Any) -> list[dict[str, Any]]:
    """Expand LS's simplified prediction results into a full region list (§2.4)."""
    if isinstance(result, list):
        return result
    try:
        from lsx.engine.config import normalize_prediction_result, parse_config

        return list(normalize_prediction_result(parse_config(project.label_config, source="label_config"), result))
    except ImportError:
        pass
    controls = _controls(project)
    if isinstance(result, dict):
        for name, spec in controls:
            kind = str(spec["type"]).lower()
            if kind in result:
                to_name = (spec.get("to_name") or [""])[0]
                return [{"from_name": name, "to_name": to_name, "type": kind, "value": result}]
        raise InputError(f"prediction result {result!r} matches no control of the labeling config")
    if isinstance(result, str | int | float) and not isinstance(result, bool):
        for name, spec in controls:
            kind = str(spec["type"]).lower()
            wanted = _SCALAR_TYPES.get(kind)
            if wanted is None:
                continue
            if wanted is str and not isinstance(result, str):
                continue
            if wanted is not str and isinstance(result, str):
                continue
            key = "text" if kind == "textarea" else kind
            value = wanted(result)
            to_name = (spec.get("to_name") or [""])[0]
            return [{"from_name": name, "to_name": to_name, "type": kind, "value": {key: [value]}}]
        raise InputError(f"prediction result {result!r} matches no single-valued control of the labeling config")
    raise InputError(f"prediction result must be a list of regions, an object or a value, got {result!r}")


def create_prediction(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    result: Any,
    score: Any = None,
    model_version: str | None = None,
    cluster: int | None = None,
    neighbors: Any = None,
    mislabeling: float = 0.0,
) -> Prediction:
    actor.require("manager", "create predictions")
    task, project = load_task(session, actor, task_id, for_update=True)
    regions = validate_result(project, prepare_result(project, result), kind="prediction", task_data=task.data)
    now = datetime.now(UTC)
    pred = Prediction(
        task_id=task_id,
        project_id=task.project_id,
        result=regions,
        score=coerce_score(score),
        model_version=str(model_version) if model_version not in (None, "") else DEFAULT_MODEL_VERSION,
        cluster=cluster,
        neighbors=neighbors,
        mislabeling=float(mislabeling or 0.0),
        created_at=now,
        updated_at=now,
    )
    session.add(pred)
    session.flush()
    task_state.prediction_added(task)
    audit.record(session, actor, "create", "prediction", pred.id, project_id=task.project_id, task_id=task_id)
    return pred


def get_prediction(session: Session, actor: Actor, prediction_id: int) -> Prediction:
    pred = session.get(Prediction, prediction_id)
    if pred is None:
        raise NotFound(f"prediction {prediction_id} not found")
    load_task(session, actor, pred.task_id)
    return pred


def list_predictions(
    session: Session,
    actor: Actor,
    *,
    task_id: int | None = None,
    project_id: int | None = None,
    model_version: str | None = None,
) -> list[Prediction]:
    """Predictions of one task or one project (optionally one model version), oldest first."""
    if task_id is None and project_id is None:
        raise InputError("give a task or a project")
    q = select(Prediction).join(Task, Task.id == Prediction.task_id).join(Project, Project.id == Task.project_id)
    q = q.where(Project.organization_id == actor.organization_id, task_state.visible())
    if task_id is not None:
        load_task(session, actor, task_id)
        q = q.where(Prediction.task_id == task_id)
    if project_id is not None:
        q = q.where(Prediction.project_id == project_id)
    if model_version is not None:
        q = q.where(Prediction.model_version == model_version)
    return list(session.scalars(q.order_by(Prediction.id)))


def update_prediction(
    session: Session,
    actor: Actor,
    prediction_id: int,
    *,
    result: Any = _UNSET,
    score: Any = _UNSET,
    model_version: str = _UNSET,
    cluster: int | None = _UNSET,
) -> Prediction:
    actor.require("manager", "change predictions")
    pred = get_prediction(session, actor, prediction_id)
    task, project = load_task(session, actor, pred.task_id, for_update=True)
    if result is not _UNSET:
        pred.result = validate_result(
            project, prepare_result(project, result), kind="prediction", task_data=task.data
        )
    if score is not _UNSET:
        pred.score = coerce_score(score)
    if model_version is not _UNSET:
        pred.model_version = model_version or DEFAULT_MODEL_VERSION
    if cluster is not _UNSET:
        pred.cluster = cluster
    pred.updated_at = datetime.now(UTC)
    if score is not _UNSET or model_version is not _UNSET:
        task_state.invalidate_cursors(session, pred.project_id)
    audit.record(session, actor, "update", "prediction", pred.id, project_id=pred.project_id)
    return pred


def delete_prediction(session: Session, actor: Actor, prediction_id: int) -> None:
    actor.require("manager", "delete predictions")
    pred = get_prediction(session, actor, prediction_id)
    task, _ = load_task(session, actor, pred.task_id, for_update=True)
    session.delete(pred)
    task_state.prediction_removed(task)
    audit.record(session, actor, "delete", "prediction", prediction_id, project_id=task.project_id)


def prediction_json(p: Prediction) -> dict[str, Any]:
    """Label Studio's prediction object (§2.4)."""
    return {
        "id": p.id,
        "task": p.task_id,
        "project": p.project_id,
        "result": p.result,
        "score": p.score,
        "model_version": p.model_version,
        "model": None,
        "model_run": None,
        "cluster": p.cluster,
        "neighbors": p.neighbors,
        "mislabeling": p.mislabeling,
        "created_at": _iso(p.created_at),
        "updated_at": _iso(p.updated_at),
    }


def predictions_to_annotations(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    model_version: str | None = None,
    task_ids: Iterable[int] | None = None,
) -> list[Annotation]:
    """Accept predictions as the actor's annotations (LS's "Create annotations from predictions").

    Per task the newest prediction of `model_version` (default: the project's, else any) becomes
    an annotation with `parent_prediction` set and region ids preserved; a task where the actor
    already accepted that prediction is left alone, so the action can be repeated.
    """
    project = session.get(Project, project_id)
    if project is None or project.organization_id != actor.organization_id:
        raise NotFound(f"project {project_id} not found")
    version = model_version or project.model_version or None
    q = select(Prediction.task_id, Prediction.id).join(Task, Task.id == Prediction.task_id).where(
        Prediction.project_id == project_id, task_state.visible()
    )
    if version:
        q = q.where(Prediction.model_version == version)
    ids = list(task_ids) if task_ids is not None else None
    if ids is not None:
        q = q.where(Prediction.task_id.in_(ids))
    newest: dict[int, int] = {}
    for task_id, pred_id in session.execute(q.order_by(Prediction.id)):
        newest[task_id] = pred_id
    done = set(
        session.scalars(
            select(Annotation.parent_prediction_id).where(
                Annotation.project_id == project_id,
                Annotation.completed_by_id == actor.id,
                Annotation.parent_prediction_id.is_not(None),
            )
        )
    )
    created: list[Annotation] = []
    for task_id, pred_id in sorted(newest.items()):
        if pred_id in done:
            continue
        pred = session.get(Prediction, pred_id)
        assert pred is not None
        regions = [{**r, "origin": "prediction"} if isinstance(r, dict) else r for r in pred.result]
        created.append(
            create_annotation(session, actor, task_id, result=regions, parent_prediction=pred_id)
        )
    return created
