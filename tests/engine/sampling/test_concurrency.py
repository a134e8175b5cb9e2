"""Many annotators at once: 16 threads (and 4 processes) loop next → submit until nothing is left.

Every task must end with exactly `maximum_annotations` annotations by distinct annotators, with no
deadlock and no "database is locked" surfacing. The rates are printed (`-s`); whether 16 threads
on PostgreSQL go at least twice as fast as one is measured by `bench/concurrency.py`, not asserted
here (timings on a shared machine make a flaky test).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from lsx.engine import sampling
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Annotation, Task
from tests.engine.sampling.helpers import RESULT, add_tasks, annotators, make_project

TASKS, OVERLAP, THREADS = 2000, 3, 16


def _loop(ws: Any, project_id: int, actor: Actor, counts: list[int], errors: list[BaseException]) -> None:
    try:
        while True:
            nt = sampling.next_task(ws, project_id, actor)
            if nt is None:
                return
            sampling.submit(ws, actor, nt.task_id, RESULT)
            counts.append(1)
    except BaseException as exc:
        errors.append(exc)


def _run_threads(ws: Any, project_id: int | list[int], people: list[Actor]) -> float:
    """cycles/s of one thread per annotator, all on one project or each on its own (a list)."""
    counts: list[int] = []
    errors: list[BaseException] = []
    projects = project_id if isinstance(project_id, list) else [project_id] * len(people)
    threads = [threading.Thread(target=_loop, args=(ws, p, a, counts, errors))
               for p, a in zip(projects, people, strict=True)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    elapsed = time.perf_counter() - start
    assert not any(t.is_alive() for t in threads), "an annotator thread hangs (deadlock?)"
    assert not errors, f"{len(errors)} errors, first: {errors[0]!r}"
    return len(counts) / elapsed


def _assert_exact(ws: Any, project_id: int, overlap: int) -> None:
    with ws.read() as s:
        rows = s.execute(
            select(Annotation.task_id, func.count(), func.count(func.distinct(Annotation.completed_by_id)))
            .where(Annotation.project_id == project_id)
            .group_by(Annotation.task_id)
        ).all()
        n_tasks = s.scalar(select(func.count()).select_from(Task).where(Task.project_id == project_id))
        bad_state = s.scalar(
            select(func.count()).select_from(Task).where(
                Task.project_id == project_id, (Task.is_labeled.is_(False)) | (Task.total_annotations != overlap)
            )
        )
    assert len(rows) == n_tasks, f"{n_tasks - len(rows)} tasks got no annotation"
    wrong = [(t, n, d) for t, n, d in rows if n != overlap or d != overlap]
    assert not wrong, f"{len(wrong)} tasks with a wrong count, e.g. {wrong[:5]}"
    assert bad_state == 0


@pytest.mark.db
@pytest.mark.slow
def test_sixteen_threads_label_every_task_exactly_overlap_times(ws: Any, owner: Actor, database: str) -> None:
    solo_project = make_project(ws, owner, title="solo")
    add_tasks(ws, solo_project, 300)
    project = make_project(ws, owner, maximum_annotations=OVERLAP)
    add_tasks(ws, project, TASKS, overlap=OVERLAP)
    people = annotators(ws, owner, THREADS)

    single = _run_threads(ws, solo_project, people[:1])
    _assert_exact(ws, solo_project, 1)
    many = _run_threads(ws, project, people)
    _assert_exact(ws, project, OVERLAP)
    print(f"\n{database.split(':')[0]}: 1 thread {single:.0f} cycles/s, {THREADS} threads {many:.0f} cycles/s")


def _process_main(url: str, home: str, project_id: int, people: list[Actor], out: Any) -> None:
    from lsx.engine.settings import load_settings
    from lsx.engine.workspace import open_workspace

    ws = open_workspace(load_settings(overrides={"LSX_DATABASE_URL": url, "LSX_HOME": home}), migrate=False)
    try:
        counts: list[int] = []
        errors: list[BaseException] = []
        threads = [threading.Thread(target=_loop, args=(ws, project_id, a, counts, errors)) for a in people]
        start = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        # When the loops ran, so bench/concurrency.py can rate them without interpreter start-up.
        out.put((len(counts), start, time.time(), [repr(e) for e in errors]))
    finally:
        ws.close()


@pytest.mark.db
@pytest.mark.slow
def test_four_processes_label_every_task_exactly_overlap_times(ws: Any, owner: Actor, database: str) -> None:
    project = make_project(ws, owner, maximum_annotations=OVERLAP)
    add_tasks(ws, project, TASKS, overlap=OVERLAP)
    people = annotators(ws, owner, THREADS)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_process_main, args=(database, ws.settings.home, project, people[i::4], out))
        for i in range(4)
    ]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(60)
    elapsed = time.perf_counter() - start
    errors = [e for *_, errs in results for e in errs]
    assert not errors, errors[:3]
    total = sum(n for n, *_ in results)
    assert total == TASKS * OVERLAP
    print(f"\n{database.split(':')[0]}: 4 processes × 4 threads {total / elapsed:.0f} cycles/s")
    _assert_exact(ws, project, OVERLAP)
