"""The queues around a strategy (reference §4 steps 3b–5), each as a prebuilt statement.

Every queue is a pair: a statement listing candidates in its order, and a condition that says
whether one task (:id) still belongs to it, run again after taking the task's row lock on
PostgreSQL (a fresh snapshot under READ COMMITTED sees every claim committed before ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, literal, literal_column, select

from lsx.engine.db.models import Annotation, Draft, Prediction, Project
from lsx.engine.sampling.models import SamplingCursor, TaskLock
from lsx.engine.sampling.pool import (
    EXCLUDE,
    NOW,
    P,
    T,
    U,
    annotated_by_user,
    candidate,
    has_free_slot,
    is_open,
    postponed_by_user,
    probe,
    tasks,
)
from lsx.engine.task_state import REQUEUE_FOR_ME

_ann = Annotation.__table__
_drafts = Draft.__table__
_locks = TaskLock.__table__
_projects = Project.__table__
_cursors = SamplingCursor.__table__
_preds = Prediction.__table__
ID = bindparam("id")


@dataclass(frozen=True)
class Queue:
    """Candidates in order (`listing`) and the membership test for one task (`recheck`)."""

    listing: Select[Any]
    recheck: Select[Any]


def _recheck(cond: ColumnElement[bool]) -> Select[Any]:
    """The task's row when it still belongs to the queue (the claim needs no second read)."""
    return select(T.id, T.inner_id, T.data, T.allow_skip).where(T.id == ID, cond)


def has_ground_truth(t: Any = T) -> ColumnElement[bool]:
    return probe(_ann.c.task_id == t.id, _ann.c.ground_truth.is_(True))


@cache
def project_statement() -> Select[Any]:
    """Project settings, the task U holds a live lock on (step 3b), whether others are at work and
    how many lock rows U has here, in one round trip."""
    held = (
        select(_locks.c.task_id)
        .select_from(_locks.join(tasks, T.id == _locks.c.task_id))
        .where(
            _locks.c.project_id == P,
            _locks.c.user_id == U,
            _locks.c.expire_at > NOW,
            _locks.c.task_id.not_in(EXCLUDE),
            T.is_labeled.is_(False),
            ~annotated_by_user(),
        )
        .order_by(_locks.c.id)
        .limit(1)
        .scalar_subquery()
    )
    others = exists().where(_locks.c.project_id == P, _locks.c.user_id != U, _locks.c.expire_at > NOW)
    own = select(func.count()).select_from(_locks).where(_locks.c.project_id == P, _locks.c.user_id == U)
    # For the score-ordered strategies' cursors (strategies.Uncertainty): the project's cursor
    # generation (None: no cursor row yet) and the newest prediction id, two index probes.
    generation = select(func.max(_cursors.c.generation)).where(_cursors.c.project_id == P)
    newest = select(func.max(_preds.c.id))
    c = _projects.c
    return select(
        c.organization_id,
        c.sampling,
        c.maximum_annotations,
        c.skip_queue,
        c.show_overlap_first,
        c.annotator_evaluation_enabled,
        c.model_version,
        c.task_lock_ttl,
        held.label("held"),
        others.label("others_active"),
        own.scalar_subquery().label("own_locks"),
        generation.scalar_subquery().label("cursor_generation"),
        newest.scalar_subquery().label("max_prediction_id"),
    ).where(c.id == P)


@cache
def any_multi_overlap(skip_queue: str) -> Select[Any]:
    """Show-overlap-first: is there any candidate needing more than one annotator?"""
    return select(literal(1)).where(candidate(skip_queue, overlap="multi")).limit(1)


@cache
def where(skip_queue: str, overlap: str) -> ColumnElement[bool]:
    return candidate(skip_queue, overlap=overlap)


@cache
def main(skip_queue: str, overlap: str) -> Queue:
    """The strategy's pool: only the recheck lives here; strategies list candidates."""
    return Queue(listing=select(T.id), recheck=_recheck(where(skip_queue, overlap)))


@cache
def ground_truth(skip_queue: str, overlap: str, random_order: bool) -> Queue:
    """Step 3c: candidates with a ground-truth annotation; never locked, so no slot test."""
    cond = and_(is_open(), T.id.not_in(EXCLUDE), ~annotated_by_user(), ~postponed_by_user())
    if overlap == "multi":
        cond = and_(cond, T.overlap > 1)
    elif overlap == "single":
        cond = and_(cond, T.overlap == 1)
    listing = (
        select(T.id)
        .select_from(_ann.join(tasks, T.id == _ann.c.task_id))
        .where(_ann.c.project_id == P, _ann.c.ground_truth.is_(True), cond)
        .order_by(T.id)
        .limit(50 if random_order else 8)
    )
    return Queue(listing=listing, recheck=_recheck(and_(cond, has_ground_truth())))


@cache
def breadth_first(skip_queue: str, overlap: str, exclude_ground_truth: bool) -> Queue:
    """Step 3e: the most-started candidates first (others' annotations), so tasks get finished."""
    # A literal 0, not a bound one: only then may the planner (PostgreSQL's generic plan, SQLite's)
    # prove the partial index ix_tasks_started_open (WHERE total_annotations > 0) applies.
    cond = and_(where(skip_queue, overlap), T.total_annotations > literal_column("0"))
    if exclude_ground_truth:
        cond = and_(cond, ~has_ground_truth())
    listing = select(T.id, T.total_annotations).where(cond).order_by(
        T.total_annotations.desc(), T.id.desc()
    ).limit(8)
    return Queue(listing=listing, recheck=_recheck(cond))


@cache
def postponed(skip_queue: str) -> Queue:
    """Step 5: U's postponed drafts on open tasks, oldest first."""
    cond = and_(is_open(), T.id.not_in(EXCLUDE), ~annotated_by_user(), has_free_slot(skip_queue))
    listing = (
        select(T.id)
        .select_from(_drafts.join(tasks, T.id == _drafts.c.task_id))
        .where(_drafts.c.user_id == U, _drafts.c.was_postponed.is_(True), cond)
        .order_by(_drafts.c.updated_at, _drafts.c.id)
        .limit(8)
    )
    return Queue(listing=listing, recheck=_recheck(and_(cond, postponed_by_user())))


@cache
def skipped() -> Queue:
    """Step 5, REQUEUE_FOR_ME only: tasks U skipped that are still open, oldest skip first."""
    cond = and_(
        is_open(),
        T.id.not_in(EXCLUDE),
        ~annotated_by_user(cancelled=False),
        ~postponed_by_user(),
        has_free_slot(REQUEUE_FOR_ME, own_skips_possible=True),
    )
    listing = (
        select(T.id)
        .select_from(_ann.join(tasks, T.id == _ann.c.task_id))
        .where(_ann.c.project_id == P, _ann.c.completed_by_id == U, _ann.c.was_cancelled.is_(True), cond)
        .order_by(_ann.c.updated_at, _ann.c.id)
        .limit(8)
    )
    return Queue(listing=listing, recheck=_recheck(and_(cond, annotated_by_user(cancelled=True))))

