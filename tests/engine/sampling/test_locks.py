"""Locks: prefetch, at most two per annotator, release paths, invisible tasks, history."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from lsx.engine import sampling
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Task, TaskImport
from lsx.engine.errors import Conflict, NotFound
from lsx.engine.sampling import ManualClock, TaskLock
from tests.engine.sampling.helpers import RESULT, add_tasks, annotators, make_project


def _locks(ws: Any, user_id: int) -> list[int]:
    with ws.read() as s:
        return list(s.scalars(select(TaskLock.task_id).where(TaskLock.user_id == user_id).order_by(TaskLock.id)))


@pytest.mark.db
def test_prefetch_holds_at_most_two_locks(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner)
    t = add_tasks(ws, pid, 5)
    (a,) = annotators(ws, owner, 1)
    first = sampling.next_task(ws, pid, a)
    second = sampling.next_task(ws, pid, a, exclude=[t[0]])
    assert (first and first.task_id, second and second.task_id) == (t[0], t[1])
    assert _locks(ws, a.id) == [t[0], t[1]]
    third = sampling.next_task(ws, pid, a, exclude=[t[1], t[0]])
    assert third is not None and third.task_id == t[2]
    assert _locks(ws, a.id) == [t[1], t[2]]  # current (exclude[0]) and the new one


@pytest.mark.db
def test_skip_and_postpone_release_the_lock(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner)
    add_tasks(ws, pid, 2)
    (a,) = annotators(ws, owner, 1)
    for end in (sampling.skip, sampling.postpone):
        nt = sampling.next_task(ws, pid, a)
        assert nt is not None
        end(ws, a, nt.task_id)
        assert _locks(ws, a.id) == []


@pytest.mark.db
def test_heartbeat_after_expiry_fails_when_someone_took_the_task(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner, task_lock_ttl=2)
    (tid,) = add_tasks(ws, pid, 1)
    a, b = annotators(ws, owner, 2)
    clock = ManualClock()
    sampling.next_task(ws, pid, a, now=clock)
    clock.advance(5)
    assert sampling.heartbeat(ws, a, tid, now=clock) == clock.now() + 2  # nobody took it: re-taken
    clock.advance(5)
    assert sampling.next_task(ws, pid, b, now=clock) is not None
    with pytest.raises(Conflict):
        sampling.heartbeat(ws, a, tid, now=clock)


@pytest.mark.db
def test_default_ttl_comes_from_settings(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner)
    add_tasks(ws, pid, 1)
    (a,) = annotators(ws, owner, 1)
    nt = sampling.next_task(ws, pid, a, now=1000.0)
    assert nt is not None and nt.lock_expires_at == 1000.0 + ws.settings.task_lock_ttl


@pytest.mark.db
def test_tasks_of_an_uncommitted_import_are_never_served(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner)
    with ws.session() as s:
        imp = s.execute(insert(TaskImport).values(project_id=pid, state="pending")).inserted_primary_key[0]
    pending = add_tasks(ws, pid, 2, task_import_id=imp)
    (a,) = annotators(ws, owner, 1)
    assert sampling.next_task(ws, pid, a) is None
    with ws.session() as s:
        s.execute(update(TaskImport).where(TaskImport.id == imp).values(state="committed"))
    nt = sampling.next_task(ws, pid, a)
    assert nt is not None and nt.task_id == pending[0]


@pytest.mark.db
def test_history_lists_served_tasks_newest_first(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner)
    t = add_tasks(ws, pid, 3)
    (a,) = annotators(ws, owner, 1)
    for _ in range(3):
        nt = sampling.next_task(ws, pid, a)
        assert nt is not None
        sampling.submit(ws, a, nt.task_id, RESULT)
    entries = sampling.history(ws, a, pid)
    assert [e.task_id for e in entries] == [t[2], t[1], t[0]]
    assert entries[0].as_json()["queue"] == "Sequence queue"


@pytest.mark.db
def test_other_organizations_project_is_not_found(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner)
    stranger = Actor(owner.id, owner.email, owner.organization_id + 1, "owner")
    with pytest.raises(NotFound):
        sampling.next_task(ws, pid, stranger)


@pytest.mark.db
def test_submit_turns_a_requeued_skip_into_the_annotation(ws: Any, owner: Actor) -> None:
    pid = make_project(ws, owner, skip_queue="REQUEUE_FOR_ME")
    (tid,) = add_tasks(ws, pid, 1)
    (a,) = annotators(ws, owner, 1)
    sampling.skip(ws, a, tid)
    nt = sampling.next_task(ws, pid, a)
    assert nt is not None and nt.queue == "Skipped queue"
    sampling.submit(ws, a, tid, RESULT)
    with ws.read() as s:
        task = s.get(Task, tid)
        n = s.scalar(select(func.count()).select_from(TaskLock))
    assert task is not None and (task.total_annotations, task.cancelled_annotations, task.is_labeled) == (1, 0, True)
    assert n == 0
