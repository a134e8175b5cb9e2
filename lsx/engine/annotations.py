"""Annotations and drafts: create, update, delete, list, and Label Studio's JSON shapes (§2.3).

Every write goes through task_state so the task's counters and is_labeled change in the same
transaction, and creating an annotation releases the annotator's lock on the task (LS does too).
A skip is an annotation with `was_cancelled=true`; a postpone is a draft with `was_postponed=true`.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, column, delete, exists, func, insert, select, table, update
from sqlalchemy.orm import Session

from lsx.engine import task_state
from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Annotation, AuditEvent, Draft, Membership, Prediction, Project, Task
from lsx.engine.errors import Conflict, InputError, NotFound, PermissionDenied, ValidationFailed

_UNSET: Any = object()


def _now() -> datetime:
    return datetime.now(UTC)


def load_task(session: Session, actor: Actor, task_id: int, *, for_update: bool = False) -> tuple[Task, Project]:
    """The task and its project, if the actor's organization can see it (else NotFound).

    `for_update` takes the task's row lock on PostgreSQL: every change to a task's counters and
    locks holds it, which is what makes the label stream exact under concurrency. It is the
    FOR NO KEY UPDATE lock (what an UPDATE of the counters takes anyway): writers still queue on
    it, but inserts that reference the task (a lock, a history row) do not wait for it.
    """
    q = select(Task, Project).join(Project, Project.id == Task.project_id).where(
        Task.id == task_id, task_state.visible()
    )
    if for_update:
        q = q.with_for_update(of=Task, key_share=True)
    row = session.execute(q).first()
    if row is None or row[1].organization_id != actor.organization_id:
        raise NotFound(f"task {task_id} not found")
    return row[0], row[1]


@functools.lru_cache(maxsize=64)
def _parsed(label_config: str) -> Any:
    from lsx.engine.config import parse_config  # type: ignore[attr-defined]

    return parse_config(label_config, source="label_config")


def validate_result(
    project: Project, result: Any, *, kind: str = "annotation", where: str = "result",
    task_data: dict[str, Any] | None = None,
) -> list[Any]:
    """Check a result list against the project's labeling config (see check_result)."""
    return check_result(project.label_config, result, kind=kind, where=where, task_data=task_data)


def check_result(
    label_config: str, result: Any, *, kind: str = "annotation", where: str = "result",
    task_data: dict[str, Any] | None = None,
) -> list[Any]:
    """Check a result list's shape, then against the labeling config when lsx.engine.config is there."""
    if not isinstance(result, list):
        raise InputError(f"{where}: must be a list of result items, got {type(result).__name__}")
    for i, item in enumerate(result):
        if not isinstance(item, dict):
            raise InputError(f"{where}[{i}]: must be an object, got {type(item).__name__}")
    if not result:
        return result
    try:
        import lsx.engine.config as config_module
    except ImportError:
        return result
    check = getattr(config_module, "validate_result", None)
    if check is None or not hasattr(config_module, "parse_config"):
        return result
    error_type = getattr(config_module, "ConfigError", ())
    try:
        config = _parsed(label_config)
    except error_type:  # a broken config is the projects module's problem, not this result's
        return result
    try:
        problems = check(config, result, where=where, kind=kind, task_data=task_data)
    except TypeError:  # an older validate_result without task_data
        problems = check(config, result, where=where, kind=kind)
    if problems:
        raise ValidationFailed(list(problems))
    return result


_locks_delete: Any = None


def release_lock(conn: Connection, task_id: int, user_id: int) -> None:
    """Drop the user's lock on the task."""
    global _locks_delete
    if _locks_delete is None:
        from lsx.engine.sampling.models import TaskLock

        locks = TaskLock.__table__
        _locks_delete = delete(locks).where(locks.c.task_id == bindparam("t"), locks.c.user_id == bindparam("u"))
    conn.execute(_locks_delete, {"t": task_id, "u": user_id})


def _release_lock(session: Session, task_id: int, user_id: int) -> None:
    release_lock(session.connection(), task_id, user_id)


def _check_author(actor: Actor, user_id: int | None, what: str) -> None:
    if user_id != actor.id:
        actor.require("manager", what)


def _member(session: Session | Connection, actor: Actor, user_id: int) -> int:
    found = session.scalar(
        select(Membership.user_id).where(
            Membership.user_id == user_id,
            Membership.organization_id == actor.organization_id,
            Membership.deleted_at.is_(None),
        )
    )
    if found is None:
        raise InputError(f"completed_by: user {user_id} is not a member of this organization")
    return int(found)


_t = Task.__table__
_p = Project.__table__
_a = Annotation.__table__
_storages = table("storages", column("project_id"), column("kind"))
# Whether the project has an export storage, read with the task: `annotation.saved` listeners are
# export storages, so a project without one skips the event (one index probe, no cache to go stale).
_HAS_EXPORT = exists().where(_storages.c.project_id == _t.c.project_id, _storages.c.kind == "export")
_INFO_COLUMNS = (_t.c.project_id, _t.c.overlap, _t.c.allow_skip, _t.c.data, _t.c.total_annotations,
                 _t.c.cancelled_annotations, _t.c.is_labeled, _p.c.organization_id, _p.c.skip_queue,
                 _p.c.label_config, _HAS_EXPORT.label("has_export"))
_TASK_INFO = (
    select(*_INFO_COLUMNS)
    .select_from(_t.join(_p, _p.c.id == _t.c.project_id))
    .where(_t.c.id == bindparam("t"), task_state.visible(_t.c))
)
# FOR NO KEY UPDATE: serializes the task's writers without blocking the foreign-key checks
# (FOR KEY SHARE) of rows that reference the task, e.g. a lock another annotator takes on it.
_TASK_INFO_LOCKED = _TASK_INFO.with_for_update(of=_t, key_share=True)
_d = Draft.__table__
# The label stream's submit reads, in the same statement: the author's earlier skip of the task
# (a submit turns it into the annotation) and whether they have a draft to drop.
_TASK_INFO_FOR_SUBMIT = (
    select(
        *_INFO_COLUMNS,
        select(func.min(_a.c.id)).where(_a.c.task_id == _t.c.id, _a.c.completed_by_id == bindparam("u"),
                                        _a.c.was_cancelled.is_(True)).scalar_subquery().label("own_skip"),
        exists().where(_d.c.task_id == _t.c.id, _d.c.user_id == bindparam("u"),
                       _d.c.annotation_id.is_(None)).label("has_draft"),
    )
    .select_from(_t.join(_p, _p.c.id == _t.c.project_id))
    .where(_t.c.id == bindparam("t"), task_state.visible(_t.c))
)
TASK_INFO_FOR_SUBMIT = _TASK_INFO_FOR_SUBMIT.with_for_update(of=_t, key_share=True)
# PostgreSQL's submit reads without the row lock and takes it last (insert_annotation(late_lock=True)).
TASK_INFO_FOR_SUBMIT_UNLOCKED = _TASK_INFO_FOR_SUBMIT
# The task's counters under its row lock, read fresh after the wait for the lock.
_LOCK_COUNTERS = (
    select(_t.c.total_annotations, _t.c.cancelled_annotations, _t.c.overlap, _t.c.is_labeled)
    .where(_t.c.id == bindparam("t"))
    .with_for_update(key_share=True)
)
_INSERT = insert(_a)
_AUDIT = insert(AuditEvent.__table__)


def _audit(conn: Connection, actor: Actor, action: str, object_type: str, object_id: int | None,
           project_id: int | None, **detail: Any) -> None:
    """audit.record for Core callers: the same row, without a unit of work."""
    conn.execute(_AUDIT, {"organization_id": actor.organization_id, "actor_id": actor.id, "action": action,
                          "object_type": object_type, "object_id": object_id, "project_id": project_id,
                          "detail": detail, "created_at": _now()})


_hooks: Any = None


def _listeners(event_name: str) -> tuple[bool, Any]:
    """(whether anyone besides the export-storage hook listens, emit); imports the hook once."""
    global _hooks
    if _hooks is None:
        import lsx.engine.storage.hooks as hooks  # export storages listen

        _hooks = hooks
    from lsx.engine.jobs import events

    subs = getattr(events, "_subscribers", None)
    if subs is None:
        return True, events.emit
    storage_hook = getattr(_hooks, "_on_annotation", None)
    others = any(cb is not storage_hook for cb in (*subs.get(event_name, ()), *subs.get("*", ())))
    return others, events.emit


def _notify(conn: Any, event_name: str, actor: Actor, annotation_id: int, project_id: int,
            task_id: int, *, has_export: bool | None = None) -> None:
    """Emit `annotation.saved` / `annotation.deleted` inside the transaction; listeners (export
    storages) act only once it has ended (see lsx.engine.storage.hooks).

    `has_export=False` (the caller read that the project has no export storage) makes this a
    no-op unless something other than the storage hook listens."""
    others, emit = _listeners(event_name)
    if has_export is False and not others:
        return
    emit(event_name, conn=conn, actor=actor, annotation_id=annotation_id, project_id=project_id, task_id=task_id)


_PREDICTION_OF_TASK = select(Prediction.__table__.c.id).where(
    Prediction.__table__.c.id == bindparam("p"), Prediction.__table__.c.task_id == bindparam("t"))
_SET_PARENT_PREDICTION = update(_a).where(_a.c.id == bindparam("a")).values(parent_prediction_id=bindparam("p"))


def set_parent_prediction(conn: Any, task_id: int, annotation_id: int, prediction_id: int) -> None:
    """Record on an annotation of the task which of its predictions it answers (a skip that
    rejects a prediction, repeated); InputError when it is not a prediction of the task."""
    if conn.execute(_PREDICTION_OF_TASK, {"p": prediction_id, "t": task_id}).first() is None:
        raise InputError(f"parent_prediction {prediction_id} is not a prediction of task {task_id}")
    conn.execute(_SET_PARENT_PREDICTION, {"a": annotation_id, "p": prediction_id})


def create_annotation(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    result: list[dict[str, Any]] | None = None,
    was_cancelled: bool = False,
    ground_truth: bool = False,
    lead_time: float | None = None,
    draft_id: int | None = None,
    parent_prediction: int | None = None,
    parent_annotation: int | None = None,
    completed_by: int | None = None,
    unique_id: str | None = None,
    import_id: int | None = None,
    validate: bool = True,
) -> Annotation:
    """Create an annotation (a skip when `was_cancelled`); releases the author's lock on the task."""
    ann_id = insert_annotation(
        session.connection(), actor, task_id, result=result, was_cancelled=was_cancelled,
        ground_truth=ground_truth, lead_time=lead_time, draft_id=draft_id, parent_prediction=parent_prediction,
        parent_annotation=parent_annotation, completed_by=completed_by, unique_id=unique_id, import_id=import_id,
        validate=validate,
    )
    loaded = session.identity_map.get(session.identity_key(Task, task_id))
    if loaded is not None:
        session.expire(loaded)
    ann = session.get(Annotation, ann_id)
    assert ann is not None
    return ann


def insert_annotation(
    conn: Connection,
    actor: Actor,
    task_id: int,
    *,
    result: list[dict[str, Any]] | None = None,
    was_cancelled: bool = False,
    ground_truth: bool = False,
    lead_time: float | None = None,
    draft_id: int | None = None,
    parent_prediction: int | None = None,
    parent_annotation: int | None = None,
    completed_by: int | None = None,
    unique_id: str | None = None,
    import_id: int | None = None,
    validate: bool = True,
    info: Any = None,
    late_lock: bool = False,
) -> int:
    """create_annotation in Core statements on `conn` (the label stream's hot path); the new id.

    Takes the task's row lock (PostgreSQL), checks, inserts, counts it through task_state in one
    UPDATE, releases the author's lock and writes the audit row: five statements in all (four when
    the caller already read `info`, a TASK_INFO_FOR_SUBMIT row, under the row lock). `conn` is a
    Connection or the SQLite fast path's RawConn (lsx.engine.sampling.rawsql).

    `late_lock` (PostgreSQL's label stream; `info` read without the row lock): insert, unlock and
    audit first, then take the task's row lock and count, so concurrent submits of one task queue
    only for the count and the commit. The count is still exact: it runs in a snapshot taken after
    the lock was granted, so it sees every earlier submit of the task, committed.
    """
    if info is None:
        info = conn.execute(_TASK_INFO_LOCKED, {"t": task_id}).first()
    if info is None or info.organization_id != actor.organization_id:
        raise NotFound(f"task {task_id} not found")
    result = [] if result is None else result
    if validate:
        check_result(info.label_config, result, task_data=info.data)
    if was_cancelled and not info.allow_skip:
        raise InputError(f"task {task_id} cannot be skipped (allow_skip is false)")
    author = actor.id if completed_by is None else int(completed_by)
    if author != actor.id:
        actor.require("manager", "annotate on behalf of another user")
        _member(conn, actor, author)
    if lead_time is not None and (isinstance(lead_time, bool) or not isinstance(lead_time, int | float)
                                  or lead_time < 0):
        raise InputError(f"lead_time must be a non-negative number of seconds, got {lead_time!r}")
    if unique_id is not None and conn.scalar(select(_a.c.id).where(_a.c.unique_id == unique_id)):
        raise Conflict(f"an annotation with unique_id {unique_id!r} already exists")
    if parent_prediction is not None and conn.scalar(
        select(Prediction.id).where(Prediction.id == parent_prediction, Prediction.task_id == task_id)
    ) is None:
        raise InputError(f"parent_prediction {parent_prediction} is not a prediction of task {task_id}")
    if parent_annotation is not None and conn.scalar(
        select(_a.c.id).where(_a.c.id == parent_annotation, _a.c.task_id == task_id)
    ) is None:
        raise InputError(f"parent_annotation {parent_annotation} is not an annotation of task {task_id}")
    draft_created_at = None
    if draft_id is not None:
        d = Draft.__table__
        draft = conn.execute(select(d.c.task_id, d.c.user_id, d.c.created_at).where(d.c.id == draft_id)).first()
        if draft is None or draft.task_id != task_id or draft.user_id != author:
            raise InputError(f"draft {draft_id} is not a draft of task {task_id} by this annotator")
        draft_created_at = draft.created_at
        conn.execute(delete(d).where(d.c.id == draft_id))
    if ground_truth:
        actor.require("manager", "mark ground truth")
        conn.execute(update(_a).where(_a.c.task_id == task_id, _a.c.ground_truth.is_(True)).values(ground_truth=False))
    now = _now()
    ann_id = conn.execute(_INSERT, {
        "task_id": task_id, "project_id": info.project_id, "completed_by_id": author, "updated_by_id": actor.id,
        "result": result, "was_cancelled": bool(was_cancelled), "ground_truth": bool(ground_truth),
        "lead_time": float(lead_time) if lead_time is not None else None, "draft_created_at": draft_created_at,
        "result_count": len(result), "parent_prediction_id": parent_prediction,
        "parent_annotation_id": parent_annotation, "unique_id": unique_id, "import_id": import_id,
        "last_action": "skipped" if was_cancelled else "submitted", "bulk_created": False,
        "created_at": now, "updated_at": now,
    }).inserted_primary_key[0]  # type: ignore[index]
    if late_lock:
        release_lock(conn, task_id, author)
        _audit(conn, actor, "skip" if was_cancelled else "create", "annotation", ann_id, info.project_id,
               task_id=task_id)
        info = _Info({**info._mapping, **conn.execute(_LOCK_COUNTERS, {"t": task_id}).one()._mapping})
    before = task_state.Counters(info.project_id, info.total_annotations, info.cancelled_annotations, info.overlap,
                                 bool(info.is_labeled))
    task_state.count(conn, task_id, before, task_state.Event.ANNOTATE, d_total=0 if was_cancelled else 1,
                     d_cancelled=1 if was_cancelled else 0, skip_queue=info.skip_queue)
    if not late_lock:
        release_lock(conn, task_id, author)
        _audit(conn, actor, "skip" if was_cancelled else "create", "annotation", ann_id, info.project_id,
               task_id=task_id)
    _notify(conn, "annotation.saved", actor, int(ann_id), info.project_id, task_id,
            has_export=bool(info.has_export))
    return int(ann_id)


class _Info(dict):  # type: ignore[type-arg]
    """A row's mapping with attribute access."""

    __getattr__ = dict.__getitem__


def _clear_ground_truth(session: Session, task_id: int) -> None:
    session.execute(
        update(Annotation)
        .where(Annotation.task_id == task_id, Annotation.ground_truth.is_(True))
        .values(ground_truth=False),
        execution_options={"synchronize_session": "fetch"},
    )


def get_annotation(session: Session, actor: Actor, annotation_id: int, *, for_update: bool = False) -> Annotation:
    ann = session.get(Annotation, annotation_id)
    if ann is None:
        raise NotFound(f"annotation {annotation_id} not found")
    load_task(session, actor, ann.task_id, for_update=for_update)
    return ann


def update_annotation(
    session: Session,
    actor: Actor,
    annotation_id: int,
    *,
    result: list[dict[str, Any]] = _UNSET,
    was_cancelled: bool = _UNSET,
    ground_truth: bool = _UNSET,
    lead_time: float | None = _UNSET,
) -> Annotation:
    """Change an annotation; its author or a manager. Skip ↔ submit keeps the counters exact."""
    ann = get_annotation(session, actor, annotation_id, for_update=True)
    task, project = load_task(session, actor, ann.task_id)
    _check_author(actor, ann.completed_by_id, "change another user's annotation")
    changed: list[str] = []
    if result is not _UNSET:
        ann.result = validate_result(project, result, task_data=task.data)
        ann.result_count = len(result)
        changed.append("result")
    if lead_time is not _UNSET:
        ann.lead_time = None if lead_time is None else float(lead_time)
        changed.append("lead_time")
    if ground_truth is not _UNSET and bool(ground_truth) != ann.ground_truth:
        actor.require("manager", "mark ground truth")
        if ground_truth:
            _clear_ground_truth(session, ann.task_id)
        ann.ground_truth = bool(ground_truth)
        changed.append("ground_truth")
    if was_cancelled is not _UNSET and bool(was_cancelled) != ann.was_cancelled:
        if was_cancelled and not task.allow_skip:
            raise InputError(f"task {task.id} cannot be skipped (allow_skip is false)")
        before = ann.was_cancelled
        ann.was_cancelled = bool(was_cancelled)
        session.flush()
        task_state.annotation_changed(
            session, task, was_cancelled=before, now_cancelled=ann.was_cancelled, skip_queue=project.skip_queue
        )
        changed.append("was_cancelled")
    ann.updated_by_id = actor.id
    ann.updated_at = _now()
    ann.last_action = "updated"
    audit.record(session, actor, "update", "annotation", ann.id, project_id=ann.project_id, fields=changed)
    _notify(session.connection(), "annotation.saved", actor, ann.id, ann.project_id, ann.task_id)
    return ann


def delete_annotation(session: Session, actor: Actor, annotation_id: int) -> None:
    """Delete an annotation; the task may go back from labeled to in progress."""
    ann = get_annotation(session, actor, annotation_id, for_update=True)
    task, project = load_task(session, actor, ann.task_id)
    _check_author(actor, ann.completed_by_id, "delete another user's annotation")
    was_cancelled = ann.was_cancelled
    session.delete(ann)
    session.flush()
    task_state.annotation_removed(session, task, was_cancelled=was_cancelled, skip_queue=project.skip_queue)
    audit.record(session, actor, "delete", "annotation", annotation_id, project_id=task.project_id)
    _notify(session.connection(), "annotation.deleted", actor, annotation_id, task.project_id, task.id)


def list_annotations(
    session: Session, actor: Actor, task_id: int, include_cancelled: bool = False
) -> list[Annotation]:
    load_task(session, actor, task_id)
    q = select(Annotation).where(Annotation.task_id == task_id)
    if not include_cancelled:
        q = q.where(Annotation.was_cancelled.is_(False))
    return list(session.scalars(q.order_by(Annotation.id)))


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat().replace("+00:00", "Z")


def annotation_json(a: Annotation) -> dict[str, Any]:
    """Label Studio's annotation object (reference §2.3); `unique_id` is write-only there."""
    return {
        "id": a.id,
        "result": a.result,
        "task": a.task_id,
        "project": a.project_id,
        "completed_by": a.completed_by_id,
        "updated_by": a.updated_by_id,
        "was_cancelled": a.was_cancelled,
        "ground_truth": a.ground_truth,
        "created_at": _iso(a.created_at),
        "updated_at": _iso(a.updated_at),
        "draft_created_at": _iso(a.draft_created_at),
        "lead_time": a.lead_time,
        "prediction": {},
        "result_count": a.result_count,
        "parent_prediction": a.parent_prediction_id,
        "parent_annotation": a.parent_annotation_id,
        "import_id": a.import_id,
        "last_action": a.last_action,
        "last_created_by": None,
        "bulk_created": a.bulk_created,
    }


# --- drafts ------------------------------------------------------------------------------------


def save_draft(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    result: list[dict[str, Any]] | None = None,
    lead_time: float | None = None,
    annotation_id: int | None = None,
    was_postponed: bool = False,
) -> Draft:
    """Create or replace the actor's draft on a task (one per task and annotation being edited).

    A postponed draft takes the task out of the actor's stream until the postponed queue and
    releases the actor's lock, as Label Studio's "postpone" does.
    """
    task, project = load_task(session, actor, task_id, for_update=was_postponed)
    result = [] if result is None else result
    validate_result(project, result, kind="draft", task_data=task.data)
    if annotation_id is not None:
        owner = session.scalar(select(Annotation.task_id).where(Annotation.id == annotation_id))
        if owner != task_id:
            raise InputError(f"annotation {annotation_id} is not an annotation of task {task_id}")
    draft = session.scalars(
        select(Draft).where(
            Draft.task_id == task_id,
            Draft.user_id == actor.id,
            Draft.annotation_id.is_(None) if annotation_id is None else Draft.annotation_id == annotation_id,
        ).order_by(Draft.id)
    ).first()
    now = _now()
    if draft is None:
        draft = Draft(task_id=task_id, user_id=actor.id, annotation_id=annotation_id, created_at=now)
        session.add(draft)
    draft.result = result
    draft.lead_time = None if lead_time is None else float(lead_time)
    draft.was_postponed = bool(was_postponed)
    draft.updated_at = now
    session.flush()
    if was_postponed:
        _release_lock(session, task_id, actor.id)
    audit.record(
        session, actor, "postpone" if was_postponed else "save", "draft", draft.id,
        project_id=task.project_id, task_id=task_id,
    )
    return draft


def list_drafts(session: Session, actor: Actor, task_id: int, *, all_users: bool = False) -> list[Draft]:
    """The actor's drafts on a task (every annotator's with `all_users`, managers only)."""
    load_task(session, actor, task_id)
    q = select(Draft).where(Draft.task_id == task_id)
    if all_users:
        actor.require("manager", "see other users' drafts")
    else:
        q = q.where(Draft.user_id == actor.id)
    return list(session.scalars(q.order_by(Draft.id)))


def delete_draft(session: Session, actor: Actor, draft_id: int) -> None:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"draft {draft_id} not found")
    task, _ = load_task(session, actor, draft.task_id)
    if draft.user_id != actor.id:
        try:
            actor.require("manager", "delete another user's draft")
        except PermissionDenied:
            raise NotFound(f"draft {draft_id} not found") from None
    session.delete(draft)
    audit.record(session, actor, "delete", "draft", draft_id, project_id=task.project_id)


def draft_json(d: Draft) -> dict[str, Any]:
    """Label Studio's AnnotationDraft object (§2.3)."""
    return {
        "id": d.id,
        "result": d.result,
        "lead_time": d.lead_time,
        "task": d.task_id,
        "annotation": d.annotation_id,
        "user": d.user_id,
        "was_postponed": d.was_postponed,
        "import_id": d.import_id,
        "created_at": _iso(d.created_at),
        "updated_at": _iso(d.updated_at),
    }
