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

from sqlalchemy import and_, case, distinct, func, select, update
from sqlalchemy.orm import Session

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


def annotators_counted(session: Session, task_id: int, skip_queue: str) -> int:
    """Distinct annotators whose annotations count towards the task's overlap."""
    q = select(func.count(distinct(Annotation.completed_by_id))).where(Annotation.task_id == task_id)
    if not counts_skipped(skip_queue):
        q = q.where(Annotation.was_cancelled.is_(False))
    return int(session.scalar(q) or 0)


def _facts(session: Session, task: Task, skip_queue: str, locks: int = 0) -> Facts:
    return Facts(
        annotators=annotators_counted(session, task.id, skip_queue),
        needed=task.overlap,
        locks=locks,
        annotations=task.total_annotations + task.cancelled_annotations,
    )


def current_state(task: Task, *, locks: int = 0) -> TaskState:
    """The state as stored (is_labeled) plus whether anything is going on."""
    if task.is_labeled:
        return TaskState.LABELED
    if task.total_annotations or task.cancelled_annotations or locks:
        return TaskState.IN_PROGRESS
    return TaskState.NEW


def annotation_added(session: Session, task: Task, *, was_cancelled: bool, skip_queue: str) -> TaskState:
    """Count a new annotation (already flushed) and settle is_labeled."""
    before = current_state(task)
    if was_cancelled:
        task.cancelled_annotations += 1
    else:
        task.total_annotations += 1
    return _settle(session, task, before, Event.ANNOTATE, skip_queue)


def annotation_removed(session: Session, task: Task, *, was_cancelled: bool, skip_queue: str) -> TaskState:
    """Uncount a deleted annotation (already flushed); the task may go back to in progress."""
    before = current_state(task)
    if (task.cancelled_annotations if was_cancelled else task.total_annotations) <= 0:
        raise InvalidTransition(f"task {task.id} has no {'skipped ' if was_cancelled else ''}annotation to remove")
    if was_cancelled:
        task.cancelled_annotations -= 1
    else:
        task.total_annotations -= 1
    return _settle(session, task, before, Event.REMOVE_ANNOTATION, skip_queue)


def annotation_changed(
    session: Session, task: Task, *, was_cancelled: bool, now_cancelled: bool, skip_queue: str
) -> TaskState:
    """A skip turned into a submission or back (the skipped queue does this)."""
    if was_cancelled == now_cancelled:
        return current_state(task)
    annotation_removed(session, task, was_cancelled=was_cancelled, skip_queue=skip_queue)
    return annotation_added(session, task, was_cancelled=now_cancelled, skip_queue=skip_queue)


def check_lockable(task: Task) -> None:
    """Refuse to lock a labeled task (new → in progress is the only way into a lock)."""
    transition(current_state(task), Event.LOCK, Facts(0, task.overlap, locks=1))


def prediction_added(task: Task, n: int = 1) -> None:
    task.total_predictions += n


def prediction_removed(task: Task, n: int = 1) -> None:
    if task.total_predictions < n:
        raise InvalidTransition(f"task {task.id} has no prediction to remove")
    task.total_predictions -= n


def _settle(session: Session, task: Task, before: TaskState, event: Event, skip_queue: str) -> TaskState:
    session.flush()
    after = transition(before, event, _facts(session, task, skip_queue))
    labeled = after is TaskState.LABELED
    if task.is_labeled and not labeled:
        invalidate_cursors(session, task.project_id)
    task.is_labeled = labeled
    return after


def invalidate_cursors(session: Session, project_id: int) -> None:
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
