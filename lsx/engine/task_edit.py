"""Single-object edits the API needs beyond bulk import: create and change one task, import
predictions for existing tasks, read and change one draft. Every change is validated against the
project's labeling config first, so nothing is half-written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.annotations import load_task, save_draft
from lsx.engine.db.models import Draft, Task
from lsx.engine.errors import InputError, NotFound, PermissionDenied, Problem, ValidationFailed
from lsx.engine.predictions import create_prediction

_UNSET: Any = object()


def create_task(ws: Any, actor: Actor, project_id: int, data: Any, meta: Any = None, allow_skip: bool = True) -> int:
    """One task through the import pipeline (same validation, counters and inner ids)."""
    from lsx.engine.imports import run_import

    item: dict[str, Any] = {"data": data, "allow_skip": allow_skip}
    if meta is not None:
        item["meta"] = meta
    report = run_import(ws, actor, project_id, iter([("task 0", item)]), source="api")
    return report.task_ids[0]


def update_task(session: Session, actor: Actor, task_id: int, *, data: Any = _UNSET, meta: Any = _UNSET,
                allow_skip: Any = _UNSET) -> Task:
    task, project = load_task(session, actor, task_id, for_update=True)
    actor.require("manager", "change tasks")
    if data is not _UNSET:
        if not isinstance(data, dict):
            raise InputError("data: must be an object")
        if project.data_types:
            from lsx.engine.config import parse_config, validate_task_data

            problems = validate_task_data(parse_config(project.label_config), data, where="data")
            if problems:
                raise ValidationFailed(problems)
        task.data = data
    if meta is not _UNSET:
        if not isinstance(meta, dict):
            raise InputError("meta: must be an object")
        task.meta = meta
    if allow_skip is not _UNSET:
        task.allow_skip = bool(allow_skip)
    task.updated_by_id = actor.id
    task.updated_at = datetime.now(UTC)
    audit.record(session, actor, "update", "task", task.id, project_id=task.project_id)
    return task


def import_predictions(session: Session, actor: Actor, project_id: int, items: list[dict[str, Any]]) -> int:
    """`import/predictions`: all or nothing; a problem names the item index and field."""
    from lsx.engine.projects import get_project

    get_project(session, actor, project_id)
    problems: list[Problem] = []
    for i, item in enumerate(items):
        task_id = item.get("task")
        try:
            task, _ = load_task(session, actor, int(task_id))  # type: ignore[arg-type]
            if task.project_id != project_id:
                raise NotFound(f"task {task_id} not found")
            create_prediction(session, actor, int(task_id), result=item.get("result"), score=item.get("score"),  # type: ignore[arg-type]
                              model_version=item.get("model_version"))
        except ValidationFailed as exc:
            problems.extend(Problem(f"prediction {i}: {p}", field=f"[{i}].result", index=None) for p in exc.problems)
        except (InputError, NotFound, TypeError, ValueError) as exc:
            field = "task" if isinstance(exc, NotFound | TypeError | ValueError) else "result"
            problems.append(Problem(f"prediction {i}: {exc}", field=f"[{i}].{field}"))
    if problems:
        raise ValidationFailed(problems)
    return len(items)


def get_draft(session: Session, actor: Actor, draft_id: int) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"draft {draft_id} not found")
    load_task(session, actor, draft.task_id)
    if draft.user_id != actor.id:
        try:
            actor.require("manager", "see another user's draft")
        except PermissionDenied:
            raise NotFound(f"draft {draft_id} not found") from None
    return draft


def update_draft(session: Session, actor: Actor, draft_id: int, *, result: Any = _UNSET, lead_time: Any = _UNSET,
                 was_postponed: Any = _UNSET) -> Draft:
    draft = get_draft(session, actor, draft_id)
    if draft.user_id != actor.id:
        raise PermissionDenied("only the author may change a draft")
    return save_draft(
        session, actor, draft.task_id,
        result=draft.result if result is _UNSET else result,
        lead_time=draft.lead_time if lead_time is _UNSET else lead_time,
        annotation_id=draft.annotation_id,
        was_postponed=draft.was_postponed if was_postponed is _UNSET else bool(was_postponed),
    )
