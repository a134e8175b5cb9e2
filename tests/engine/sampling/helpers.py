"""Fast test data for the label stream: Core bulk inserts, several annotators, a fake clock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from lsx.engine.access.actor import Actor
from lsx.engine.access.users import actor_for_user, create_user
from lsx.engine.db.models import Organization, Prediction, Project, Task, User, utcnow

CONFIG = """<View><Text name="text" value="$text"/>
<Choices name="label" toName="text"><Choice value="A"/><Choice value="B"/></Choices></View>"""
RESULT = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}]


def make_project(ws: Any, owner: Actor, **settings: Any) -> int:
    values = {"title": "p", "label_config": CONFIG, "sampling": "sequential", "maximum_annotations": 1}
    values.update(settings)
    with ws.session() as s:
        project = Project(organization_id=owner.organization_id, created_by_id=owner.id, **values)
        s.add(project)
        s.flush()
        return project.id


def add_tasks(
    ws: Any, project_id: int, n: int, *, overlap: int = 1, scores: list[float] | None = None,
    model_version: str = "v1", task_import_id: int | None = None, batch: int = 5000,
) -> list[int]:
    """Insert n tasks (and optionally one prediction each) with Core executemany; returns ids."""
    now = utcnow()
    with ws.session() as s:
        first = (s.scalar(select(Task.id).order_by(Task.id.desc()).limit(1)) or 0) + 1
        ids = list(range(first, first + n))
        for start in range(0, n, batch):
            chunk = ids[start:start + batch]
            s.execute(insert(Task), [
                {"id": i, "project_id": project_id, "data": {"text": f"task {i}"}, "meta": {}, "created_at": now,
                 "updated_at": now, "is_labeled": False, "allow_skip": True, "overlap": overlap,
                 "inner_id": i, "total_annotations": 0, "cancelled_annotations": 0,
                 "total_predictions": 1 if scores is not None else 0, "task_import_id": task_import_id}
                for i in chunk
            ])
            if scores is not None:
                s.execute(insert(Prediction), [
                    {"task_id": i, "project_id": project_id, "result": [], "score": scores[i - first],
                     "model_version": model_version, "mislabeling": 0.0, "created_at": now, "updated_at": now}
                    for i in chunk
                ])
    return ids


def annotators(ws: Any, owner: Actor, n: int, *, prefix: str = "ann", role: str = "annotator") -> list[Actor]:
    out = []
    with ws.session() as s:
        org = s.get(Organization, owner.organization_id)
        for i in range(n):
            user = create_user(s, None, f"{prefix}{i}@example.com", org=org, role=role)
            out.append(actor_for_user(s, user))
    return out


def user(ws: Any, actor: Actor) -> User:
    with ws.read() as s:
        found = s.get(User, actor.id)
        assert found is not None
        return found
