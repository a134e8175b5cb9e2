"""Tasks: list, get, delete, and the Label Studio JSON shape of one task."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Annotation, Draft, Prediction, Project, Task
from lsx.engine.errors import NotFound
from lsx.engine.timefmt import iso
from lsx.engine.visibility import task_visible


def get_task(session: Session, actor: Actor, task_id: int, *, for_update: bool = False) -> Task:
    query = (
        select(Task)
        .join(Project, Project.id == Task.project_id)
        .where(Task.id == task_id, Project.organization_id == actor.organization_id, task_visible())
    )
    task = session.scalars(query.with_for_update(of=Task) if for_update else query).first()
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


def list_tasks(
    session: Session,
    actor: Actor,
    project: Project,
    *,
    limit: int | None = 100,
    offset: int = 0,
    labeled: bool | None = None,
) -> list[Task]:
    query = select(Task).where(Task.project_id == project.id, task_visible())
    if labeled is not None:
        query = query.where(Task.is_labeled.is_(labeled))
    query = query.order_by(Task.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def iter_task_json(
    session: Session,
    project: Project,
    *,
    limit: int | None = None,
    offset: int = 0,
    labeled: bool | None = None,
) -> Iterator[dict[str, Any]]:
    """Stream tasks as JSON objects (the `task_json` shape) without loading the project."""
    t = Task.__table__
    query = select(t).where(t.c.project_id == project.id, task_visible(t.c.task_import_id))
    if labeled is not None:
        query = query.where(t.c.is_labeled.is_(labeled))
    query = query.order_by(t.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    for row in session.execute(query.execution_options(yield_per=5000)):
        yield {
            "id": row.id,
            "data": row.data,
            "meta": row.meta or {},
            "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at),
            "is_labeled": row.is_labeled,
            "overlap": row.overlap,
            "inner_id": row.inner_id,
            "total_annotations": row.total_annotations,
            "cancelled_annotations": row.cancelled_annotations,
            "total_predictions": row.total_predictions,
            "allow_skip": row.allow_skip,
            "file_upload": row.file_upload,
            "project": row.project_id,
            "updated_by": row.updated_by_id,
        }


def count_tasks(session: Session, project: Project, *, labeled: bool | None = None) -> int:
    query = select(func.count()).select_from(Task).where(Task.project_id == project.id, task_visible())
    if labeled is not None:
        query = query.where(Task.is_labeled.is_(labeled))
    return int(session.scalar(query) or 0)


def delete_tasks(session: Session, actor: Actor, task_ids: list[int]) -> int:
    """Delete tasks (and their annotations, predictions, drafts); every id must exist."""
    actor.require("manager", "delete tasks")
    tasks = [get_task(session, actor, tid) for tid in task_ids]
    ids = [t.id for t in tasks]
    session.execute(delete(Annotation).where(Annotation.task_id.in_(ids)))
    session.execute(delete(Prediction).where(Prediction.task_id.in_(ids)))
    session.execute(delete(Draft).where(Draft.task_id.in_(ids)))
    session.execute(delete(Task).where(Task.id.in_(ids)))
    for t in tasks:
        audit.record(session, actor, "delete", "task", t.id, project_id=t.project_id)
    return len(ids)


def task_json(task: Task, *, annotations: list[dict[str, Any]] | None = None,
              predictions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": task.id,
        "data": task.data,
        "meta": task.meta or {},
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
        "is_labeled": task.is_labeled,
        "overlap": task.overlap,
        "inner_id": task.inner_id,
        "total_annotations": task.total_annotations,
        "cancelled_annotations": task.cancelled_annotations,
        "total_predictions": task.total_predictions,
        "allow_skip": task.allow_skip,
        "file_upload": task.file_upload,
        "project": task.project_id,
        "updated_by": task.updated_by_id,
    }
    if annotations is not None:
        out["annotations"] = annotations
    if predictions is not None:
        out["predictions"] = predictions
    return out


def task_annotations(session: Session, task: Task, *, include_cancelled: bool = True) -> list[Annotation]:
    query = select(Annotation).where(Annotation.task_id == task.id)
    if not include_cancelled:
        query = query.where(Annotation.was_cancelled.is_(False))
    return list(session.scalars(query.order_by(Annotation.id)))


def task_predictions(session: Session, task: Task) -> list[Prediction]:
    return list(session.scalars(select(Prediction).where(Prediction.task_id == task.id).order_by(Prediction.id)))
