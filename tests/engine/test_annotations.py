"""Annotations and drafts: Label Studio's shapes and lifecycle rules (§2.3)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import lsx.engine.annotations as annotations
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import AuditEvent
from lsx.engine.errors import InputError, NotFound, PermissionDenied, ValidationFailed
from lsx.engine.sampling import TaskLock, next_task
from tests.engine.sampling.helpers import RESULT, add_tasks, annotators, make_project

FIELDS = {"id", "result", "task", "project", "completed_by", "updated_by", "was_cancelled", "ground_truth",
          "created_at", "updated_at", "draft_created_at", "lead_time", "prediction", "result_count",
          "parent_prediction", "parent_annotation", "import_id", "last_action", "last_created_by", "bulk_created"}


@pytest.fixture
def setup(ws: Any, owner: Actor) -> tuple[int, list[int], list[Actor]]:
    pid = make_project(ws, owner, maximum_annotations=2)
    return pid, add_tasks(ws, pid, 3, overlap=2), annotators(ws, owner, 2)


def test_annotation_json_has_label_studios_fields(ws: Any, setup: Any) -> None:
    _, tasks, (a, _) = setup
    with ws.session() as s:
        ann = annotations.create_annotation(s, a, tasks[0], result=RESULT, lead_time=3.5)
        data = annotations.annotation_json(ann)
    assert set(data) == FIELDS
    assert data["completed_by"] == a.id and data["result_count"] == 1 and data["lead_time"] == 3.5
    assert data["created_at"].endswith("Z")


def test_create_releases_the_authors_lock(ws: Any, setup: Any) -> None:
    pid, _, (a, _) = setup
    nt = next_task(ws, pid, a)
    assert nt is not None
    with ws.session() as s:
        annotations.create_annotation(s, a, nt.task_id, result=RESULT)
    with ws.read() as s:
        assert s.scalars(select(TaskLock).where(TaskLock.user_id == a.id)).first() is None


def test_one_ground_truth_per_task(ws: Any, owner: Actor, setup: Any) -> None:
    _, tasks, _ = setup
    with ws.session() as s:
        first = annotations.create_annotation(s, owner, tasks[0], result=RESULT, ground_truth=True)
        second = annotations.create_annotation(s, owner, tasks[0], result=RESULT, ground_truth=True)
        s.refresh(first)
        assert (first.ground_truth, second.ground_truth) == (False, True)


def test_annotator_cannot_mark_ground_truth(ws: Any, setup: Any) -> None:
    _, tasks, (a, _) = setup
    with pytest.raises(PermissionDenied), ws.session() as s:
        annotations.create_annotation(s, a, tasks[0], result=RESULT, ground_truth=True)


def test_result_is_validated_against_the_config(ws: Any, setup: Any) -> None:
    _, tasks, (a, _) = setup
    bad = [{"from_name": "nope", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}]
    with pytest.raises(ValidationFailed), ws.session() as s:
        annotations.create_annotation(s, a, tasks[0], result=bad)
    with pytest.raises(InputError), ws.session() as s:
        annotations.create_annotation(s, a, tasks[0], result={"not": "a list"})  # type: ignore[arg-type]


def test_task_of_another_organization_is_not_found(ws: Any, setup: Any) -> None:
    _, tasks, (a, _) = setup
    stranger = Actor(a.id, a.email, a.organization_id + 999, "annotator")
    with pytest.raises(NotFound), ws.session() as s:
        annotations.create_annotation(s, stranger, tasks[0], result=RESULT)


def test_skip_refused_when_task_disallows_it(ws: Any, setup: Any) -> None:
    from sqlalchemy import update

    from lsx.engine.db.models import Task

    _, tasks, (a, _) = setup
    with ws.session() as s:
        s.execute(update(Task).where(Task.id == tasks[0]).values(allow_skip=False))
    with pytest.raises(InputError, match="cannot be skipped"), ws.session() as s:
        annotations.create_annotation(s, a, tasks[0], was_cancelled=True)


def test_only_author_or_manager_changes_an_annotation(ws: Any, owner: Actor, setup: Any) -> None:
    _, tasks, (a, b) = setup
    with ws.session() as s:
        ann = annotations.create_annotation(s, a, tasks[0], result=RESULT)
    with pytest.raises(PermissionDenied), ws.session() as s:
        annotations.update_annotation(s, b, ann.id, result=[])
    with ws.session() as s:
        assert annotations.update_annotation(s, owner, ann.id, result=[]).result_count == 0


def test_list_hides_skips_unless_asked(ws: Any, setup: Any) -> None:
    _, tasks, (a, b) = setup
    with ws.session() as s:
        annotations.create_annotation(s, a, tasks[0], result=RESULT)
        annotations.create_annotation(s, b, tasks[0], was_cancelled=True)
        assert len(annotations.list_annotations(s, a, tasks[0])) == 1
        assert len(annotations.list_annotations(s, a, tasks[0], include_cancelled=True)) == 2


def test_draft_is_replaced_then_consumed_by_the_annotation(ws: Any, setup: Any) -> None:
    _, tasks, (a, _) = setup
    with ws.session() as s:
        d1 = annotations.save_draft(s, a, tasks[0], result=[])
        d2 = annotations.save_draft(s, a, tasks[0], result=RESULT, lead_time=2)
        assert d1.id == d2.id and annotations.draft_json(d2)["result"] == RESULT
        ann = annotations.create_annotation(s, a, tasks[0], result=RESULT, draft_id=d2.id)
        assert ann.draft_created_at is not None
        assert annotations.list_drafts(s, a, tasks[0]) == []


def test_postponed_draft_releases_the_lock(ws: Any, setup: Any) -> None:
    pid, _, (a, _) = setup
    nt = next_task(ws, pid, a)
    assert nt is not None
    with ws.session() as s:
        d = annotations.save_draft(s, a, nt.task_id, was_postponed=True)
        assert annotations.draft_json(d)["was_postponed"] is True
    with ws.read() as s:
        assert s.scalars(select(TaskLock).where(TaskLock.user_id == a.id)).first() is None


def test_writes_are_audited(ws: Any, setup: Any) -> None:
    _, tasks, (a, _) = setup
    with ws.session() as s:
        ann = annotations.create_annotation(s, a, tasks[0], result=RESULT)
        annotations.delete_annotation(s, a, ann.id)
    with ws.read() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "annotation")).all()
    assert list(actions) == ["create", "delete"]
