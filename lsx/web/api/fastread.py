"""Reads on the label stream's hot path (the `/next` answer, the created annotation): prebuilt
Core statements instead of ORM loads, run on SQLite's connection directly (rawsql.RawConn: each
statement compiled once, SQLAlchemy's bind and result processors applied) or on a Core connection
elsewhere. Rows carry the mapped attribute names, so the engine's own `*_json` functions shape
them and the JSON stays identical to the ORM path's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, exists, select

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Annotation, Draft, Prediction, Project, Task
from lsx.engine.errors import NotFound
from lsx.engine.storage.models import IMPORT, Storage
from lsx.engine.task_state import visible

_t, _p, _a, _d, _pr = (Task.__table__, Project.__table__, Annotation.__table__, Draft.__table__,
                       Prediction.__table__)
_st = Storage.__table__


@contextmanager
def snapshot(ws: Any, *, statements: int = 2) -> Iterator[Any]:
    """One read-only snapshot: a deferred BEGIN on a pooled sqlite3 connection (never the write
    lock), or a Core connection's transaction on other databases. On SQLite one statement is its
    own snapshot, so `statements=1` runs it without BEGIN/COMMIT."""
    if ws.is_sqlite:
        from lsx.engine.sampling.rawsql import RawConn

        pooled = ws.engine.raw_connection()
        try:
            dbapi = pooled.driver_connection
            if statements == 1:
                yield RawConn(dbapi, ws.engine, pooled.info)
                return
            dbapi.execute("BEGIN")
            try:
                yield RawConn(dbapi, ws.engine, pooled.info)
            finally:
                dbapi.execute("COMMIT")
        finally:
            pooled.close()
    else:
        with ws.read_connection() as conn:
            yield conn


# The served task with what decides the rest of the answer: the project's collaborative-prediction
# setting and whether predictions or the caller's drafts exist (most tasks have neither, so the
# answer is usually this one statement).
_NEXT_TASK = (
    select(
        _t,
        _p.c.show_collab_predictions.label("p_show_predictions"),
        _p.c.model_version.label("p_model_version"),
        exists().where(_pr.c.task_id == _t.c.id).label("p_has_predictions"),
        exists().where(_d.c.task_id == _t.c.id, _d.c.user_id == bindparam("u")).label("p_has_drafts"),
        exists().where(_st.c.project_id == _t.c.project_id, _st.c.kind == IMPORT).label("p_has_storage"),
    )
    .select_from(_t.join(_p, _p.c.id == _t.c.project_id))
    .where(_t.c.id == bindparam("t"), _p.c.organization_id == bindparam("org"), visible(_t.c))
)
_PREDICTIONS = select(_pr).where(_pr.c.task_id == bindparam("t")).order_by(_pr.c.id)
_DRAFTS = select(_d).where(_d.c.task_id == bindparam("t"), _d.c.user_id == bindparam("u")).order_by(_d.c.id)
_ANNOTATION = (
    select(_a)
    .select_from(_a.join(_t, _t.c.id == _a.c.task_id).join(_p, _p.c.id == _t.c.project_id))
    .where(_a.c.id == bindparam("a"), _p.c.organization_id == bindparam("org"), visible(_t.c))
)


def next_answer(ws: Any, actor: Actor, found: Any) -> dict[str, Any]:
    """Label Studio's `/next` body for a task next_task just served (task, queue, lock, the
    project's predictions when it shows them, the caller's drafts)."""
    from lsx.engine.annotations import draft_json
    from lsx.engine.predictions import prediction_json
    from lsx.engine.tasks import task_json

    params = {"t": found.task_id, "u": actor.id, "org": actor.organization_id}
    with snapshot(ws, statements=1) as conn:
        row = conn.execute(_NEXT_TASK, params).first()
    preds: list[dict[str, Any]] = []
    drafts: list[dict[str, Any]] = []
    if row is not None and ((row.p_show_predictions and row.p_has_predictions) or row.p_has_drafts):
        with snapshot(ws) as conn:  # predictions or drafts to list too: all in one snapshot
            row = conn.execute(_NEXT_TASK, params).first()
            if row is not None and row.p_show_predictions and row.p_has_predictions:
                version = row.p_model_version
                preds = [prediction_json(p) for p in conn.execute(_PREDICTIONS, params)
                         if not version or p.model_version == version]
            if row is not None and row.p_has_drafts:
                drafts = [draft_json(d) for d in conn.execute(_DRAFTS, params)]
    if row is None:
        raise NotFound(f"task {found.task_id} not found")
    out = task_json(row)
    if row.p_has_storage:  # storage URIs in the data become the task's resolve URLs
        out["data"] = _rewrite(ws, row.project_id, row.id, out["data"])
    nxt = found.as_json()
    return {**out, "queue": nxt["queue"], "unique_lock_id": nxt["unique_lock_id"],
            "lock_expires_at": nxt["lock_expires_at"], "allow_postpone": nxt["allow_postpone"],
            "predictions": preds, "drafts": drafts, "annotations": []}


def annotation(ws: Any, actor: Actor, annotation_id: int) -> dict[str, Any]:
    """An annotation of the actor's organization, as `annotation_json` shapes it."""
    from lsx.engine.annotations import annotation_json

    with snapshot(ws, statements=1) as conn:
        row = conn.execute(_ANNOTATION, {"a": annotation_id, "org": actor.organization_id}).first()
    if row is None:
        raise NotFound(f"annotation {annotation_id} not found")
    return annotation_json(row)


def _rewrite(ws: Any, project_id: int, task_id: int, data: Any) -> Any:
    from lsx.engine.storage.resolve import rewrite_uris, uri_heads

    with ws.read() as s:
        heads = uri_heads(s, project_id)
    return rewrite_uris(heads, task_id, data)
