"""A task's life as an explicit state machine, and the one owner of its counters.

    new ──lock──▶ in_progress ──annotate (enough annotators)──▶ labeled
     ▲               │  ▲                                          │
     └──release/expire┘  └──────────── remove annotation ──────────┘

Skipped and postponed are per annotator (a cancelled annotation, a postponed draft), not task
states. `total_annotations` (non-cancelled), `cancelled_annotations`, `total_predictions` and
`is_labeled` change only through the functions here, inside the caller's transaction, so they are
exact when that transaction commits. `overlap` comes from the project's `maximum_annotations` and
`overlap_cohort_percentage` (`recompute_overlap`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, distinct, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from lsx.engine.db.models import Annotation, Prediction, Project, Task, TaskImport
from lsx.engine.errors import Conflict

REQUEUE_FOR_OTHERS, REQUEUE_FOR_ME, IGNORE_SKIPPED = "REQUEUE_FOR_OTHERS", "REQUEUE_FOR_ME", "IGNORE_SKIPPED"
SKIP_QUEUES = (REQUEUE_FOR_OTHERS, REQUEUE_FOR_ME, IGNORE_SKIPPED)


class TaskState(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    LABELED = "labeled"


class Event(enum.StrEnum):
    LOCK = "lock"
    RELEASE = "release"  # a lock ends: released, expired, or turned into an annotation
    ANNOTATE = "annotate"
    REMOVE_ANNOTATION = "remove_annotation"
    RECOUNT = "recount"  # overlap or skip-queue mode changed


class InvalidTransition(Conflict):
    """An event that makes no sense in the task's current state (a bug or a stale client)."""


@dataclass(frozen=True)
class Facts:
    """What decides a task's state: distinct annotators counted, annotators needed, live locks."""

    annotators: int
    needed: int
    locks: int = 0
    annotations: int = 0  # every annotation row, cancelled included

    def state(self) -> TaskState:
        if self.annotators >= self.needed:
            return TaskState.LABELED
        if self.annotations or self.locks:
            return TaskState.IN_PROGRESS
        return TaskState.NEW


# Which events each state accepts. Anything else raises InvalidTransition.
ALLOWED: dict[TaskState, frozenset[Event]] = {
    TaskState.NEW: frozenset({Event.LOCK, Event.ANNOTATE, Event.RECOUNT}),
    TaskState.IN_PROGRESS: frozenset(
        {Event.LOCK, Event.RELEASE, Event.ANNOTATE, Event.REMOVE_ANNOTATION, Event.RECOUNT}
    ),
    # Extra annotations on a labeled task are allowed (managers, imports, ground truth);
    # a new lock is not: nobody should be served a task that has enough annotators.
    TaskState.LABELED: frozenset({Event.RELEASE, Event.ANNOTATE, Event.REMOVE_ANNOTATION, Event.RECOUNT}),
}


def transition(state: TaskState, event: Event, after: Facts) -> TaskState:
    """The state after `event`; raises InvalidTransition when `state` does not accept it."""
    if event not in ALLOWED[state]:
        raise InvalidTransition(f"a {state.value} task cannot take the event {event.value!r}")
    return after.state()


def counts_skipped(skip_queue: str) -> bool:
    """Whether skipped (cancelled) annotations count towards is_labeled."""
    return skip_queue == IGNORE_SKIPPED


def visible(task: type[Task] = Task) -> object:
    """SQL condition: the task is not part of an import that has not committed."""
    return (task.task_import_id.is_(None)) | (
        select(TaskImport.id)
        .where(TaskImport.id == task.task_import_id, TaskImport.state == "committed")
        .exists()
    )


def annotators_counted(session: Session | Connection, task_id: int, skip_queue: str) -> int:
    """Distinct annotators whose annotations count towards the task's overlap."""
    q = select(func.count(distinct(Annotation.completed_by_id))).where(Annotation.task_id == task_id)
    if not counts_skipped(skip_queue):
        q = q.where(Annotation.was_cancelled.is_(False))
    return int(session.scalar(q) or 0)


@dataclass(frozen=True)
class Counters:
    """A task's stored counters, as read (under its row lock) before a change."""

    project_id: int
    total: int
    cancelled: int
    overlap: int
    is_labeled: bool

    @classmethod
    def of(cls, task: Task) -> Counters:
        return cls(task.project_id, task.total_annotations, task.cancelled_annotations, task.overlap,
                   task.is_labeled)

    def state(self, locks: int = 0) -> TaskState:
        if self.is_labeled:
            return TaskState.LABELED
        if self.total or self.cancelled or locks:
            return TaskState.IN_PROGRESS
        return TaskState.NEW


def current_state(task: Task, *, locks: int = 0) -> TaskState:
    """The state as stored (is_labeled) plus whether anything is going on."""
    return Counters.of(task).state(locks)


_tasks = Task.__table__
_ann = Annotation.__table__


def _count_statement(skipped_count: bool) -> Any:
    distinct_q = select(func.count(distinct(_ann.c.completed_by_id))).where(_ann.c.task_id == _tasks.c.id)
    if not skipped_count:
        distinct_q = distinct_q.where(_ann.c.was_cancelled.is_(False))
    return (
        update(_tasks)
        .where(_tasks.c.id == bindparam("t"))
        .values(
            total_annotations=_tasks.c.total_annotations + bindparam("d_total"),
            cancelled_annotations=_tasks.c.cancelled_annotations + bindparam("d_cancelled"),
            is_labeled=case((distinct_q.scalar_subquery() >= _tasks.c.overlap, True), else_=False),
        )
        .returning(_tasks.c.is_labeled, _tasks.c.total_annotations, _tasks.c.cancelled_annotations)
    )


_COUNT = {True: _count_statement(True), False: _count_statement(False)}


def count(
    conn: Connection, task_id: int, before: Counters, event: Event, *, d_total: int = 0, d_cancelled: int = 0,
    skip_queue: str,
) -> TaskState:
    """Apply an annotation event to the task in one UPDATE: counters by delta, is_labeled recounted
    from the annotation rows (already written). Raises InvalidTransition for impossible events."""
    if before.total + d_total < 0 or before.cancelled + d_cancelled < 0:
        raise InvalidTransition(f"task {task_id} has no {'skipped ' if d_cancelled else ''}annotation to remove")
    state = before.state()
    if event not in ALLOWED[state]:
        raise InvalidTransition(f"a {state.value} task cannot take the event {event.value!r}")
    labeled, total, cancelled = conn.execute(
        _COUNT[counts_skipped(skip_queue)], {"t": task_id, "d_total": d_total, "d_cancelled": d_cancelled}
    ).one()
    if before.is_labeled and not labeled:
        invalidate_cursors(conn, before.project_id)
    after = Counters(before.project_id, total, cancelled, before.overlap, bool(labeled))
    return after.state()


def _apply(session: Session, task: Task, event: Event, d_total: int, d_cancelled: int, skip_queue: str) -> TaskState:
    """ORM callers: flush their rows, count in SQL, and keep the loaded Task in step."""
    session.flush()
    before = Counters.of(task)
    after = count(session.connection(), task.id, before, event, d_total=d_total, d_cancelled=d_cancelled,
                  skip_queue=skip_queue)
    set_committed_value(task, "total_annotations", before.total + d_total)
    set_committed_value(task, "cancelled_annotations", before.cancelled + d_cancelled)
    set_committed_value(task, "is_labeled", after is TaskState.LABELED)
    return after


def annotation_added(session: Session, task: Task, *, was_cancelled: bool, skip_queue: str) -> TaskState:
    """Count a new annotation and settle is_labeled."""
    return _apply(session, task, Event.ANNOTATE, 0 if was_cancelled else 1, 1 if was_cancelled else 0, skip_queue)


def annotation_removed(session: Session, task: Task, *, was_cancelled: bool, skip_queue: str) -> TaskState:
    """Uncount a deleted annotation; the task may go back from labeled to in progress."""
    return _apply(session, task, Event.REMOVE_ANNOTATION, -1 if not was_cancelled else 0,
                  -1 if was_cancelled else 0, skip_queue)


def annotation_changed(
    session: Session, task: Task, *, was_cancelled: bool, now_cancelled: bool, skip_queue: str
) -> TaskState:
    """A skip turned into a submission or back (the skipped queue does this)."""
    if was_cancelled == now_cancelled:
        return current_state(task)
    sign = 1 if was_cancelled else -1  # skip → submit moves one from cancelled to total
    return _apply(session, task, Event.RECOUNT, sign, -sign, skip_queue)


def check_lockable(task: Task) -> None:
    """Refuse to lock a labeled task (new → in progress is the only way into a lock)."""
    transition(current_state(task), Event.LOCK, Facts(0, task.overlap, locks=1))


def prediction_added(task: Task, n: int = 1) -> None:
    task.total_predictions += n


def prediction_removed(task: Task, n: int = 1) -> None:
    if task.total_predictions < n:
        raise InvalidTransition(f"task {task.id} has no prediction to remove")
    task.total_predictions -= n


def invalidate_cursors(session: Session | Connection, project_id: int) -> None:
    """Anything that can reopen a task resets the score-ordered scan of its project."""
    from lsx.engine.sampling.models import SamplingCursor

    session.execute(
        update(SamplingCursor)
        .where(SamplingCursor.project_id == project_id)
        .values(score=None, prediction_id=None, max_prediction_id=0, generation=SamplingCursor.generation + 1)
    )


# --- bulk recomputation (imports, settings changes, repairs) -------------------------------------


def _project(session: Session, project: Project | int) -> Project | None:
    return project if isinstance(project, Project) else session.get(Project, project)


def recompute_counters(session: Session, project: Project | int, task_ids: Iterable[int] | None = None) -> None:
    """Recount every counter and is_labeled from the rows (after bulk writes or a skip-queue change)."""
    project = _project(session, project)
    if project is None:
        return
    project_id = project.id
    ids = list(task_ids) if task_ids is not None else None
    ann = Annotation.__table__.alias("a")
    total = (
        select(func.count()).select_from(ann)
        .where(ann.c.task_id == Task.id, ann.c.was_cancelled.is_(False)).scalar_subquery()
    )
    cancelled = (
        select(func.count()).select_from(ann)
        .where(ann.c.task_id == Task.id, ann.c.was_cancelled.is_(True)).scalar_subquery()
    )
    preds = select(func.count()).select_from(Prediction).where(Prediction.task_id == Task.id).scalar_subquery()
    distinct_q = select(func.count(distinct(ann.c.completed_by_id))).where(ann.c.task_id == Task.id)
    if not counts_skipped(project.skip_queue):
        distinct_q = distinct_q.where(ann.c.was_cancelled.is_(False))
    labeled = case((distinct_q.scalar_subquery() >= Task.overlap, True), else_=False)
    stmt = update(Task).where(Task.project_id == project_id)
    if ids is not None:
        stmt = stmt.where(Task.id.in_(ids))
    session.execute(
        stmt.values(total_annotations=total, cancelled_annotations=cancelled, total_predictions=preds,
                    is_labeled=labeled),
        execution_options={"synchronize_session": False},
    )
    invalidate_cursors(session, project_id)


def recompute_overlap(session: Session, project: Project | int) -> None:
    """Set each task's overlap from the project's maximum_annotations and cohort percentage.

    With a cohort below 100 %, round(N × pct / 100) tasks get `maximum_annotations` (those with
    most annotations first, ties by id so the answer is reproducible) and the rest get 1; then
    is_labeled is recomputed.
    """
    project = _project(session, project)
    if project is None:
        return
    project_id = project.id
    maximum = max(1, project.maximum_annotations)
    pct = max(0, min(100, project.overlap_cohort_percentage))
    base = and_(Task.project_id == project_id)
    if pct >= 100 or maximum == 1:
        session.execute(
            update(Task).where(base).values(overlap=maximum), execution_options={"synchronize_session": False}
        )
    else:
        n_tasks = session.scalar(select(func.count()).select_from(Task).where(base)) or 0
        cohort = round(n_tasks * pct / 100)
        session.execute(
            update(Task).where(base).values(overlap=1), execution_options={"synchronize_session": False}
        )
        if cohort:
            chosen = (
                select(Task.id).where(base)
                .order_by((Task.total_annotations + Task.cancelled_annotations).desc(), Task.id)
                .limit(cohort).scalar_subquery()
            )
            session.execute(
                update(Task).where(Task.id.in_(chosen)).values(overlap=maximum),
                execution_options={"synchronize_session": False},
            )
    distinct_q = select(func.count(distinct(Annotation.completed_by_id))).where(Annotation.task_id == Task.id)
    if not counts_skipped(project.skip_queue):
        distinct_q = distinct_q.where(Annotation.was_cancelled.is_(False))
    session.execute(
        update(Task).where(base).values(is_labeled=case((distinct_q.scalar_subquery() >= Task.overlap, True),
                                                        else_=False)),
        execution_options={"synchronize_session": False},
    )
    invalidate_cursors(session, project_id)
    session.expire_all()
