"""The uncertainty cursor: the scan skips the labeled prefix, and anything that reopens a task or
adds a lower-scoring prediction resets it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select

import lsx.engine.annotations as annotations
from lsx.engine import sampling
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Annotation, Prediction, utcnow
from tests.engine.sampling.helpers import RESULT, add_tasks, annotators, make_project


def _serve_and_submit(ws: Any, project: int, who: Actor) -> int:
    nt = sampling.next_task(ws, project, who)
    assert nt is not None
    sampling.submit(ws, who, nt.task_id, RESULT)
    return nt.task_id


@pytest.mark.db
def test_cursor_follows_labels_and_resets_when_a_task_reopens(ws: Any, owner: Actor) -> None:
    project = make_project(ws, owner, sampling="uncertainty", model_version="v1")
    ids = add_tasks(ws, project, 8, scores=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    a, b = annotators(ws, owner, 2)
    served = [_serve_and_submit(ws, project, a) for _ in range(4)]
    assert served == ids[:4]
    # Reopen the lowest-score task: b must get it although the cursor had moved past it.
    with ws.session() as s:
        ann_id = s.scalar(select(Annotation.id).where(Annotation.task_id == ids[0]))
        annotations.delete_annotation(s, owner, ann_id)
    nt = sampling.next_task(ws, project, b)
    assert nt is not None and nt.task_id == ids[0]
    sampling.release(ws, b, nt.task_id)
    # A new prediction (bulk-inserted, no invalidation) scoring below the cursor is seen too.
    with ws.session() as s:
        s.execute(insert(Prediction), [{"task_id": ids[7], "project_id": project, "result": [], "score": 0.01,
                                        "model_version": "v1", "mislabeling": 0.0, "created_at": utcnow(),
                                        "updated_at": utcnow()}])
    assert _serve_and_submit(ws, project, a) == ids[7]
    assert _serve_and_submit(ws, project, b) == ids[0]
    assert _serve_and_submit(ws, project, b) == ids[4]
