"""The task state machine: allowed transitions, exact counters, overlap recomputation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import lsx.engine.annotations as annotations
from lsx.engine import task_state
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Project, Task
from lsx.engine.task_state import Event, Facts, InvalidTransition, TaskState, transition
from tests.engine.sampling.helpers import RESULT, add_tasks, annotators, make_project

TRANSITIONS = [
    (TaskState.NEW, Event.LOCK, Facts(0, 1, locks=1), TaskState.IN_PROGRESS),
    (TaskState.IN_PROGRESS, Event.RELEASE, Facts(0, 1), TaskState.NEW),
    (TaskState.IN_PROGRESS, Event.ANNOTATE, Facts(1, 1, annotations=1), TaskState.LABELED),
    (TaskState.IN_PROGRESS, Event.ANNOTATE, Facts(1, 2, annotations=1), TaskState.IN_PROGRESS),
    (TaskState.LABELED, Event.REMOVE_ANNOTATION, Facts(1, 2, annotations=1), TaskState.IN_PROGRESS),
    (TaskState.LABELED, Event.ANNOTATE, Facts(3, 2, annotations=3), TaskState.LABELED),
]
INVALID = [(TaskState.LABELED, Event.LOCK), (TaskState.NEW, Event.REMOVE_ANNOTATION), (TaskState.NEW, Event.RELEASE)]


@pytest.mark.parametrize(("state", "event", "facts", "expected"), TRANSITIONS)
def test_transition_table(state: TaskState, event: Event, facts: Facts, expected: TaskState) -> None:
    assert transition(state, event, facts) is expected


@pytest.mark.parametrize(("state", "event"), INVALID)
def test_invalid_transition_raises(state: TaskState, event: Event) -> None:
    with pytest.raises(InvalidTransition):
        transition(state, event, Facts(0, 1))


def _task(ws: Any, task_id: int) -> Task:
    with ws.read() as s:
        task = s.get(Task, task_id)
        assert task is not None
        return task


@pytest.mark.db
def test_counters_follow_annotations_skips_and_deletes(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner, maximum_annotations=2)
    (tid,) = add_tasks(ws, pid, 1, overlap=2)
    a, b, c = annotators(ws, owner, 3)
    with ws.session() as s:
        annotations.create_annotation(s, a, tid, result=RESULT)
        annotations.create_annotation(s, b, tid, was_cancelled=True)
    t = _task(ws, tid)
    assert (t.total_annotations, t.cancelled_annotations, t.is_labeled) == (1, 1, False)
    with ws.session() as s:
        last = annotations.create_annotation(s, c, tid, result=RESULT)
    assert _task(ws, tid).is_labeled
    with ws.session() as s:
        annotations.delete_annotation(s, c, last.id)
    t = _task(ws, tid)
    assert (t.total_annotations, t.cancelled_annotations, t.is_labeled) == (1, 1, False)


@pytest.mark.db
def test_same_annotator_twice_counts_once_for_is_labeled(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner, maximum_annotations=2)
    (tid,) = add_tasks(ws, pid, 1, overlap=2)
    (a,) = annotators(ws, owner, 1)
    with ws.session() as s:
        annotations.create_annotation(s, a, tid, result=RESULT)
        annotations.create_annotation(s, a, tid, result=RESULT)
    t = _task(ws, tid)
    assert (t.total_annotations, t.is_labeled) == (2, False)


@pytest.mark.db
def test_ignore_skipped_counts_skips_towards_is_labeled(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner, skip_queue="IGNORE_SKIPPED")
    (tid,) = add_tasks(ws, pid, 1)
    (a,) = annotators(ws, owner, 1)
    with ws.session() as s:
        annotations.create_annotation(s, a, tid, was_cancelled=True)
    assert _task(ws, tid).is_labeled


@pytest.mark.db
def test_recompute_overlap_gives_the_cohort_maximum_annotations(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner, maximum_annotations=3, overlap_cohort_percentage=50)
    ids = add_tasks(ws, pid, 4)
    (a,) = annotators(ws, owner, 1)
    with ws.session() as s:
        annotations.create_annotation(s, a, ids[3], result=RESULT)
    with ws.session() as s:
        task_state.recompute_overlap(s, s.get(Project, pid))
    with ws.read() as s:
        overlaps = dict(s.execute(select(Task.id, Task.overlap).where(Task.project_id == pid)).all())
        labeled = s.scalar(select(Task.is_labeled).where(Task.id == ids[3]))
    assert sorted(overlaps.values()) == [1, 1, 3, 3]
    assert overlaps[ids[3]] == 3  # the most annotated task is in the cohort
    assert labeled is False  # 1 annotator < overlap 3


@pytest.mark.db
def test_recompute_counters_repairs_drift(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner)
    (tid,) = add_tasks(ws, pid, 1)
    (a,) = annotators(ws, owner, 1)
    with ws.session() as s:
        annotations.create_annotation(s, a, tid, result=RESULT)
        s.get(Task, tid).total_annotations = 7  # type: ignore[union-attr]
    with ws.session() as s:
        task_state.recompute_counters(s, pid)
    t = _task(ws, tid)
    assert (t.total_annotations, t.is_labeled) == (1, True)
