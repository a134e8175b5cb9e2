"""The candidate pool: which tasks an annotator may be served, as SQL, per the reference §4 step 2.

A task is a candidate for annotator U when it is visible, not labeled, U has neither annotated
(skipped included) nor postponed it, it is not in `exclude`, and it still has a free slot:
live locks of others + counted annotations < overlap. Which annotations count follows the
project's skip-queue mode (REQUEUE_FOR_OTHERS ignores others' skips, REQUEUE_FOR_ME ignores
U's own, IGNORE_SKIPPED counts all).

Conditions use bind parameters (:p project, :u user, :now, :exclude) so each statement is built
once and SQLAlchemy reuses its compiled form: next_task stays well under a millisecond.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Exists, Select, and_, bindparam, exists, func, literal_column, select

from lsx.engine.db.models import Annotation, Draft, Task, TaskImport
from lsx.engine.sampling.models import TaskLock
from lsx.engine.task_state import IGNORE_SKIPPED, REQUEUE_FOR_ME

tasks = Task.__table__.alias("t")
T = tasks.c
# Aliases, so these subqueries never correlate with a queue that reads annotations or drafts.
_ann = Annotation.__table__.alias("ua")
_drafts = Draft.__table__.alias("ud")
_locks = TaskLock.__table__
_imports = TaskImport.__table__

P, U, NOW = bindparam("p"), bindparam("u"), bindparam("now")
EXCLUDE = bindparam("exclude", expanding=True)


def visible(t: Any = T) -> ColumnElement[bool]:
    """Tasks of an import become visible when the import commits."""
    committed = exists().where(_imports.c.id == t.task_import_id, _imports.c.state == "committed")
    return t.task_import_id.is_(None) | committed


def probe(*conds: ColumnElement[bool]) -> Exists:
    """EXISTS over one task's rows, kept a per-row index probe on PostgreSQL too.

    PostgreSQL turns a plain [NOT] EXISTS into a semi/anti join, and for a LIMIT-8 candidate
    scan it then reads all of U's annotations in the project (merge or hash anti join) on every
    call: cost growing with how much U has labeled. `OFFSET 0` keeps it a correlated subplan that
    probes the (task, user) index only for the few tasks the scan meets, as SQLite does."""
    return select(literal_column("*")).where(*conds).suffix_with("OFFSET 0", dialect="postgresql").exists()


def annotated_by_user(t: Any = T, *, cancelled: bool | None = None) -> ColumnElement[bool]:
    """U has an annotation on the task (uses the (project, completed_by, task) index)."""
    conds = [_ann.c.project_id == P, _ann.c.completed_by_id == U, _ann.c.task_id == t.id]
    if cancelled is not None:
        conds.append(_ann.c.was_cancelled.is_(cancelled))
    return probe(*conds)


def postponed_by_user(t: Any = T) -> ColumnElement[bool]:
    return probe(_drafts.c.task_id == t.id, _drafts.c.user_id == U, _drafts.c.was_postponed.is_(True))


def locks_by_others(t: Any = T) -> Any:
    return (
        select(func.count())
        .select_from(_locks)
        .where(_locks.c.task_id == t.id, _locks.c.expire_at > NOW, _locks.c.user_id != U)
        .scalar_subquery()
    )


def counted_annotations(skip_queue: str, t: Any = T, *, own_skips_possible: bool = False) -> Any:
    """Annotations that fill a slot for U under the skip-queue mode (reference §4, "Lock")."""
    if skip_queue == IGNORE_SKIPPED:
        return t.total_annotations + t.cancelled_annotations
    if skip_queue == REQUEUE_FOR_ME:
        counted = t.total_annotations + t.cancelled_annotations
        if own_skips_possible:  # only the skipped queue serves tasks U has skipped
            own = (
                select(func.count()).select_from(_ann)
                .where(_ann.c.task_id == t.id, _ann.c.completed_by_id == U, _ann.c.was_cancelled.is_(True))
                .scalar_subquery()
            )
            counted = counted - own
        return counted
    # REQUEUE_FOR_OTHERS: others' skips do not count; U has no annotation on a candidate.
    return t.total_annotations


def has_free_slot(skip_queue: str, t: Any = T, *, own_skips_possible: bool = False) -> ColumnElement[bool]:
    return locks_by_others(t) + counted_annotations(skip_queue, t, own_skips_possible=own_skips_possible) < t.overlap


def is_open(t: Any = T) -> ColumnElement[bool]:
    """In the project, visible and not labeled: what every queue starts from."""
    return and_(t.project_id == P, t.is_labeled.is_(False), visible(t))


def candidate(skip_queue: str, *, overlap: str = "any", t: Any = T) -> ColumnElement[bool]:
    """The full candidate condition for U (step 2), `overlap` narrowing for show-overlap-first."""
    # SQLite tests these in order: the free-slot probe comes before U's own annotations and
    # drafts because the open tasks a scan meets first are the ones other annotators hold.
    parts = [
        is_open(t),
        t.id.not_in(EXCLUDE),
        has_free_slot(skip_queue, t),
        ~annotated_by_user(t),
        ~postponed_by_user(t),
    ]
    if overlap == "multi":
        parts.append(t.overlap > 1)
    elif overlap == "single":
        parts.append(t.overlap == 1)
    return and_(*parts)


@cache
def recheck_statement(skip_queue: str, overlap: str) -> Select[Any]:
    """Is this one task (:id) still a candidate? Run after taking its row lock on PostgreSQL."""
    return select(T.id).where(T.id == bindparam("id"), candidate(skip_queue, overlap=overlap))


@dataclass
class Pool:
    """What a strategy sees: the candidate condition and helpers to read candidates in an order.

    `where` is a SQL condition over the table alias `tasks` (columns `T`); statements a strategy
    builds must pass `params` when executed. `limit` is how many candidates to return: the engine
    claims the first one still free (more than one matters on PostgreSQL, where other annotators
    may hold the row).
    """

    conn: Connection
    project: Any  # a Row of project settings (sampling, model_version, ...)
    user_id: int
    now: float
    exclude: tuple[int, ...]
    where: ColumnElement[bool]
    params: dict[str, Any]
    limit: int
    rng: random.Random
    others_active: bool = False
    cache_key: tuple[Any, ...] = field(default_factory=tuple)

    def ids(self, stmt: Select[Any], **extra: Any) -> list[int]:
        """Run a statement built on `where` and return the first column."""
        params = {**self.params, **extra} if extra else self.params
        return [row[0] for row in self.conn.execute(stmt, params)]

    def ordered(self, *order_by: Any, limit: int | None = None) -> list[int]:
        """Candidate ids in `order_by` order (default: by id)."""
        stmt = _ordered_stmt(self.cache_key, self.where, order_by or (T.id,), limit or self.limit)
        return self.ids(stmt)

    def random(self, limit: int | None = None) -> list[int]:
        """Candidates from a random point of the open tasks' id range, wrapping around.

        A seek on (project_id, is_labeled, id) from a random id between the lowest open id and
        the highest id costs the same at 10,000 and 1,000,000 tasks, unlike ORDER BY random().
        """
        lo, hi = self.conn.execute(_id_range_stmt(), self.params).one()
        if lo is None:
            return []
        start = self.rng.randint(int(lo), int(hi))
        n = limit or self.limit
        found = self.ids(_seek_stmt(self.cache_key, self.where, n, after=True), start=start)
        if len(found) < n:
            found += self.ids(_seek_stmt(self.cache_key, self.where, n - len(found), after=False), start=start)
        return found

    def shuffled(self, ids: Sequence[int]) -> list[int]:
        out = list(ids)
        self.rng.shuffle(out)
        return out


_STMTS: dict[tuple[Any, ...], Select[Any]] = {}


def _memo(key: tuple[Any, ...], build: Any) -> Select[Any]:
    stmt = _STMTS.get(key)
    if stmt is None:
        stmt = _STMTS[key] = build()
    return stmt


_ORDER_TEXT: dict[int, tuple[Any, str]] = {}


def _order_text(expr: Any) -> str:
    """str(expr), remembered per object: compiling an ORDER BY term to text costs more than the
    cached statement saves, and strategies pass the same column objects on every call."""
    hit = _ORDER_TEXT.get(id(expr))
    if hit is not None and hit[0] is expr:
        return hit[1]
    text = str(expr)
    if len(_ORDER_TEXT) < 4096:
        _ORDER_TEXT[id(expr)] = (expr, text)  # holding expr keeps its id from being reused
    return text


def _ordered_stmt(base_key: tuple[Any, ...], where: Any, order_by: tuple[Any, ...], limit: int) -> Select[Any]:
    if not base_key:  # a condition nobody cached: build afresh
        return select(T.id).where(where).order_by(*order_by).limit(limit)
    key = ("ordered", base_key, tuple(_order_text(o) for o in order_by), limit)
    return _memo(key, lambda: select(T.id).where(where).order_by(*order_by).limit(limit))


def _seek_stmt(base_key: tuple[Any, ...], where: Any, limit: int, *, after: bool) -> Select[Any]:
    start = bindparam("start")

    def build() -> Select[Any]:
        cond = T.id >= start if after else T.id < start
        return select(T.id).where(where, cond).order_by(T.id).limit(limit)

    return _memo(("seek", base_key, limit, after), build) if base_key else build()


@cache
def _id_range_stmt() -> Select[Any]:
    # Two scalar subqueries, so SQLite answers each min/max from the index in O(log n).
    lo = select(func.min(T.id)).where(T.project_id == P, T.is_labeled.is_(False)).scalar_subquery()
    hi = select(func.max(T.id)).where(T.project_id == P).scalar_subquery()
    return select(lo, hi)
