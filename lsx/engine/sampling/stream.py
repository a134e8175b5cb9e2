"""The label stream: `next_task` and the calls that end or extend a claim.

next_task follows the reference §4 in order: candidates (step 2), the task U already holds
(3b), ground truth first (3c), breadth-first (3e), the project's strategy (4), the postponed and
skipped queues (5), then lock (6) and history (7). Each answer names its queue.

Concurrency: on SQLite the whole call is one BEGIN IMMEDIATE transaction, so claims are
serialized and need no second look. On PostgreSQL a claim takes the task's row lock with
`FOR UPDATE SKIP LOCKED` (annotators skip rows others are claiming instead of waiting) and then
re-checks the task in a fresh snapshot; every writer that changes a task's slots (claims,
annotations) holds that row lock, so no task gets more holders than it still needs.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

import lsx.engine.annotations as ann_service
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Annotation, Draft, Project
from lsx.engine.errors import Conflict, InputError, NotFound
from lsx.engine.sampling import queues
from lsx.engine.sampling import queues_sql as Q
from lsx.engine.sampling.clock import Clock, seconds
from lsx.engine.sampling.models import LabelStreamHistory, TaskLock
from lsx.engine.sampling.pool import Pool, T
from lsx.engine.sampling.rawsql import is_raw, raw_transaction
from lsx.engine.sampling.strategies import Sampler, get_sampler
from lsx.engine.task_state import REQUEUE_FOR_ME, REQUEUE_FOR_OTHERS, SKIP_QUEUES

_locks = TaskLock.__table__
_history = LabelStreamHistory.__table__
_RNG = random.Random()
MAX_LOCKS_PER_ANNOTATOR = 2
SWEEP_PROBABILITY = 0.02
CONTENTION_WAIT = 10.0  # seconds next_task keeps looking while others claim the last candidates
Now = float | datetime | Clock | None


@dataclass(frozen=True)
class NextTask:
    """A served task: what to show, which queue it came from, and the lock taken on it."""

    task_id: int
    project_id: int
    inner_id: int
    data: dict[str, Any]
    queue: str
    lock_id: int | None
    lock_expires_at: float | None
    allow_skip: bool = True
    allow_postpone: bool = True

    def as_json(self) -> dict[str, Any]:
        """Label Studio's /next answer fields (task + queue + unique_lock_id)."""
        return {
            "id": self.task_id,
            "project": self.project_id,
            "inner_id": self.inner_id,
            "data": self.data,
            "queue": self.queue,
            "unique_lock_id": self.lock_id,
            "lock_expires_at": (
                datetime.fromtimestamp(self.lock_expires_at, UTC).isoformat().replace("+00:00", "Z")
                if self.lock_expires_at is not None
                else None
            ),
            "allow_skip": self.allow_skip,
            "allow_postpone": self.allow_postpone,
        }


@dataclass(frozen=True)
class HistoryEntry:
    task_id: int
    queue: str
    served_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"taskId": self.task_id, "task_id": self.task_id, "queue": self.queue,
                "served_at": self.served_at.isoformat()}


@contextmanager
def _tx(target: Any) -> Iterator[tuple[Session, int]]:
    """A write transaction from a Workspace, or the caller's Session; plus the default lock TTL."""
    if isinstance(target, Session):
        with nullcontext(target) as s:
            yield s, int(os.environ.get("LSX_TASK_LOCK_TTL") or 3600)
        return
    with target.session() as s:
        yield s, int(target.settings.task_lock_ttl)


def _ttl(project_ttl: int | None, default: int, override: int | None) -> int:
    if override is not None:
        return int(override)
    return int(project_ttl) if project_ttl else int(default)


@contextmanager
def _conn(target: Any, *, full: bool = False) -> Iterator[tuple[Any, int]]:
    """Like _tx, but a bare Core connection: next_task needs no ORM unit of work.

    A Workspace gets the fast path (rawsql.RawConn: the same Core statements, compiled once, run
    on the driver's connection in one transaction) unless `full`."""
    if isinstance(target, Session):
        yield target.connection(), int(os.environ.get("LSX_TASK_LOCK_TTL") or 3600)
        return
    if not full and target.engine.dialect.name in ("sqlite", "postgresql"):
        with raw_transaction(target.engine) as raw:
            yield raw, int(target.settings.task_lock_ttl)
        return
    with target.engine.begin() as conn:
        yield conn, int(target.settings.task_lock_ttl)


class _Contended(Exception):
    """PostgreSQL: no candidate could be claimed, but some were skipped because other annotators
    were claiming them at that moment (their claims may yet fail)."""


class _NeedsFullPath(Exception):
    """The fast path met a case it leaves to the ORM (a skip turned into a submission)."""


_SAMPLERS: dict[str, Sampler] = {}


def _sampler(name: str) -> Sampler:
    found = _SAMPLERS.get(name)
    if found is None:
        found = _SAMPLERS[name] = get_sampler(name or "sequential")
    return found


def next_task(
    target: Any,
    project_id: int,
    actor: Actor,
    *,
    view: Sequence[int] | None = None,
    exclude: Sequence[int] = (),
    now: Now = None,
    rng: random.Random | None = None,
    lock_ttl: int | None = None,
) -> NextTask | None:
    """The next task for `actor` in the project, locked for them; None when nothing is left.

    `target` is a Workspace (a write transaction is opened) or a Session (the caller's).
    `view` is "label as displayed": the caller's filtered, ordered task ids are the queue.
    `exclude` lets a front end prefetch (`exclude=[current]`); an annotator holds at most two
    locks, the current one (exclude[0]) and the new one.
    """
    excl = tuple(int(x) for x in exclude)
    deadline = None
    while True:
        with _conn(target) as (session, default_ttl):
            try:
                return _next(session, project_id, actor, view, excl, seconds(now), rng or _RNG, default_ttl,
                             lock_ttl)
            except _Contended:
                if isinstance(target, Session):
                    return None  # the caller's transaction: nothing we may wait for
        # Every candidate left was being claimed by others at that instant (PostgreSQL): one of
        # those claims may still fail its re-check, so look again in a new transaction rather
        # than answer "nothing left" while a slot may be free.
        clock = time.monotonic()
        if deadline is None:
            deadline = clock + CONTENTION_WAIT
        elif clock > deadline:
            return None
        time.sleep(0.001 + 0.004 * _RNG.random())


def _next(
    conn: Connection, project_id: int, actor: Actor, view: Sequence[int] | None, exclude: tuple[int, ...],
    now: float, rng: random.Random, default_ttl: int, lock_ttl: int | None,
) -> NextTask | None:
    params: dict[str, Any] = {"p": project_id, "u": actor.id, "now": now, "exclude": list(exclude)}
    proj = conn.execute(Q.project_statement(), params).first()
    if proj is None or proj.organization_id != actor.organization_id:
        raise NotFound(f"project {project_id} not found")
    skip_queue = proj.skip_queue if proj.skip_queue in SKIP_QUEUES else REQUEUE_FOR_OTHERS
    pg = conn.dialect.name == "postgresql"
    overlap = "any"
    labels: list[str] = []
    if proj.show_overlap_first:
        overlap = "multi" if conn.execute(Q.any_multi_overlap(skip_queue), params).first() else "single"
        labels.append(queues.OVERLAP_FIRST)
    pool = Pool(conn, proj, actor.id, now, exclude, Q.where(skip_queue, overlap), params,
                limit=8 if pg else 1, rng=rng, others_active=bool(proj.others_active),
                cache_key=(skip_queue, overlap))
    expires = now + _ttl(proj.task_lock_ttl, default_ttl, lock_ttl)
    claim = _Claimer(conn, params, pg, {
        "keep": list(exclude[: MAX_LOCKS_PER_ANNOTATOR - 1]), "expires": expires, "created": datetime.now(UTC),
    }, labels)
    found: tuple[int, str, bool, bool] | None = None  # task, queue, lock it, allow postpone
    evaluation = bool(proj.annotator_evaluation_enabled)

    if view is not None:
        task_id = _first_in_view(pool, claim, view, Q.main(skip_queue, overlap), queues.DATA_MANAGER)
        if task_id is not None:
            found = (task_id, queues.DATA_MANAGER, True, True)
    else:
        if proj.held is not None:
            found = (int(proj.held), queues.TASK_LOCK, False, True)
        if found is None and evaluation:
            sequential = _sampler(proj.sampling).name == "sequential"
            q = Q.ground_truth(skip_queue, overlap, not sequential)
            ids = pool.ids(q.listing)
            task_id = claim.first(ids if sequential else pool.shuffled(ids), q.recheck)
            if task_id is not None:
                found = (task_id, queues.GROUND_TRUTH, False, True)
        if found is None and proj.maximum_annotations > 1:
            q = Q.breadth_first(skip_queue, overlap, evaluation)
            rows = conn.execute(q.listing, params).all()
            if rows:
                top = rows[0][1]
                task_id = claim.first(pool.shuffled([r[0] for r in rows if r[1] == top]), q.recheck,
                                      queues.BREADTH_FIRST)
                if task_id is None:
                    task_id = claim.first([r[0] for r in rows if r[1] != top], q.recheck, queues.BREADTH_FIRST)
                if task_id is not None:
                    found = (task_id, queues.BREADTH_FIRST, True, True)
        if found is None:
            sampler = _sampler(proj.sampling)
            task_id = claim.first(sampler.candidates(pool), Q.main(skip_queue, overlap).recheck, sampler.queue)
            if task_id is not None:
                found = (task_id, sampler.queue, True, True)
    if found is None:
        q = Q.postponed(skip_queue)
        task_id = claim.first(_restrict(pool.ids(q.listing), view), q.recheck, queues.POSTPONED)
        if task_id is not None:
            found = (task_id, queues.POSTPONED, True, False)
    if found is None and skip_queue == REQUEUE_FOR_ME:
        q = Q.skipped()
        task_id = claim.first(_restrict(pool.ids(q.listing), view), q.recheck, queues.SKIPPED)
        if task_id is not None:
            found = (task_id, queues.SKIPPED, True, True)
    if found is None:
        if claim.contended:
            raise _Contended
        return None

    task_id, queue, take_lock, allow_postpone = found
    label = queues.join(*labels, queue)
    lock_id: int | None = None
    if not take_lock:
        expires = None  # type: ignore[assignment]
    if take_lock:
        if pg:  # the lock and the history row were written by the claim (_Claimer.first)
            lock_id = claim.lock_ids[task_id]
            if rng.random() < SWEEP_PROBABILITY:
                conn.execute(_SWEEP_LOCKS, {"p": project_id, "now": now})
        else:
            lock_id = _take_lock(conn, project_id, actor.id, task_id, exclude, now, expires,
                                 own_locks=int(proj.own_locks or 0), rng=rng)
    elif queue == queues.TASK_LOCK:
        lock_id, expires = conn.execute(_HELD_LOCK, {"t": task_id, "u": actor.id}).one()
    if not (take_lock and pg):
        conn.execute(_HISTORY, {"project_id": project_id, "user_id": actor.id, "task_id": task_id,
                                "queue": label, "created_at": datetime.now(UTC)})
    row = claim.rows.get(task_id) or conn.execute(_TASK_ROW, {"id": task_id}).one()
    return NextTask(task_id, project_id, row.inner_id, row.data, label, lock_id, expires,
                    allow_skip=bool(row.allow_skip), allow_postpone=allow_postpone)


_TASK_ROW = select(T.inner_id, T.data, T.allow_skip).where(T.id == Q.ID)
_HELD_LOCK = select(_locks.c.id, _locks.c.expire_at).where(_locks.c.task_id == bindparam("t"),
                                                         _locks.c.user_id == bindparam("u"))
_HISTORY = _history.insert()


def _restrict(ids: list[int], view: Sequence[int] | None) -> list[int]:
    if view is None:
        return ids
    allowed = set(view)
    return [i for i in ids if i in allowed]


def _first_in_view(pool: Pool, claim: _Claimer, view: Sequence[int], queue: Q.Queue, label: str) -> int | None:
    """Label as displayed: the first candidate in the caller's order, read in chunks."""
    chunk = 500
    stmt = select(T.id).where(pool.where, T.id.in_(bindparam("view", expanding=True)))
    for start in range(0, len(view), chunk):
        part = [int(i) for i in view[start:start + chunk]]
        ok = set(pool.ids(stmt, view=part))
        task_id = claim.first([i for i in part if i in ok], queue.recheck, label)
        if task_id is not None:
            return task_id
    return None


class _Claimer:
    """Take the first free task of a list: directly on SQLite (the transaction is serialized);
    on PostgreSQL under a per-task claim lock, then re-checked and claimed in one statement.

    PostgreSQL: claims of one task are serialized by a transaction-level advisory lock on the
    task (`pg_try_advisory_xact_lock`, skipped when another annotator holds it, as SKIP LOCKED
    would), not by the task's row lock, so a submit (which holds the row lock while it counts)
    never waits for a claim and a claim never waits for a submit. That is exact because a submit
    turns the submitter's own lock into an annotation in one transaction: it never changes how
    many slots a task has free, and the re-check, a new statement started after the claim lock was
    taken, sees every earlier claim of the task and every committed submit consistently.
    """

    def __init__(self, conn: Connection, params: dict[str, Any], pg: bool, lock: dict[str, Any] | None = None,
                 labels: Sequence[str] = ()) -> None:
        self.conn, self.params, self.pg = conn, params, pg
        self.lock, self.labels = lock, labels
        self.rows: dict[int, Any] = {}  # task rows the re-check returned (id, inner_id, data, allow_skip)
        self.lock_ids: dict[int, int] = {}  # PostgreSQL: task_locks ids the claims took
        self.contended = False  # PostgreSQL: a candidate was skipped because another claim held it

    def first(self, ids: Sequence[int], recheck: Any, queue: str | None = None) -> int | None:
        """The first of `ids` still in the queue (`recheck`); with `queue` on PostgreSQL it is also
        locked for the user and written to their history under that queue label."""
        if not self.pg:
            return int(ids[0]) if ids else None
        left = [int(i) for i in dict.fromkeys(ids)]
        claim = queue is not None and self.lock is not None
        while left:
            # One round trip takes the claim lock of the first candidate, in the caller's order,
            # nobody else is claiming.
            got = self.conn.execute(_FIRST_FREE, {"ids": left}).first()
            if got is None:
                self.contended = True  # others are claiming every one of them right now
                return None
            task_id = int(got[0])
            if task_id != left[0]:
                self.contended = True
            if claim:
                row = self.conn.execute(_pg_claim(recheck), {
                    **self.params, **self.lock, "id": task_id, "queue": queues.join(*self.labels, queue),
                }).first()
            else:
                row = self.conn.execute(recheck, {**self.params, "id": task_id}).first()
            if row is not None:
                self.rows[task_id] = row
                if claim:
                    self.lock_ids[task_id] = int(row.lock_id)
                return task_id
            left = left[left.index(task_id) + 1:]
        return None


# PostgreSQL: the claim lock of the first of :ids (in list order) no other transaction holds. The
# sorted subquery is a fence, so the try-lock runs row by row and stops at the first success.
# Two int4 keys: a key space of its own (one-bigint advisory keys never collide with it).
CLAIM_LOCK_CLASS = 0x6C7378  # "lsx"
_FIRST_FREE = text(
    "SELECT s.id FROM (SELECT x.id, x.n FROM unnest(CAST(:ids AS BIGINT[])) WITH ORDINALITY AS x(id, n) "
    "ORDER BY x.n OFFSET 0) AS s "
    f"WHERE pg_try_advisory_xact_lock({CLAIM_LOCK_CLASS}, CAST(s.id % 2147483647 AS INTEGER)) LIMIT 1"
)
# Waiting form, for writers that take a slot outside next_task (heartbeat re-taking an expired lock).
_WAIT_CLAIM_LOCK = text(
    f"SELECT pg_advisory_xact_lock({CLAIM_LOCK_CLASS}, CAST(CAST(:t AS BIGINT) % 2147483647 AS INTEGER))"
)
_PG_CLAIMS: dict[int, Any] = {}


def _pg_claim(recheck: Any) -> Any:
    """PostgreSQL: re-check one task (:id) and, when it is still in the queue, drop the user's
    other locks (but :keep) and expired locks on it, take the lock and write history: one
    statement. Every write is gated on the re-check row, so a failed re-check changes nothing.
    The DELETE never touches the (task, user) row the upsert writes, so they cannot conflict."""
    stmt = _PG_CLAIMS.get(id(recheck))
    if stmt is not None:
        return stmt
    from sqlalchemy import and_, exists, literal_column, or_
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    L, H = _locks.c, _history.c
    chk = recheck.cte("chk")
    p = bindparam("p", type_=L.project_id.type)
    u = bindparam("u", type_=L.user_id.type)
    now = bindparam("now", type_=L.expire_at.type)
    tid = chk.c.id
    gate = exists(select(literal_column("1")).select_from(chk))
    dropped = delete(_locks).where(
        gate,
        or_(
            and_(L.project_id == p, L.user_id == u, L.task_id != Q.ID,
                 L.task_id.not_in(bindparam("keep", expanding=True))),
            and_(L.task_id == Q.ID, L.user_id != u, L.expire_at <= now),
        ),
    ).returning(L.id).cte("d")
    up = pg_insert(_locks).from_select(
        ["task_id", "project_id", "user_id", "expire_at", "created_at"],
        select(tid, p, u, bindparam("expires", type_=L.expire_at.type), now).select_from(chk),
    )
    up = up.on_conflict_do_update(
        index_elements=[L.task_id, L.user_id],
        set_={"expire_at": up.excluded.expire_at, "created_at": up.excluded.created_at,
              "project_id": up.excluded.project_id},
    ).returning(L.id).cte("l")
    hist = insert(_history).from_select(
        ["project_id", "user_id", "task_id", "queue", "created_at"],
        select(p, u, tid, bindparam("queue", type_=H.queue.type), bindparam("created", type_=H.created_at.type))
        .select_from(chk),
    ).returning(H.id).cte("h")
    stmt = (
        select(*chk.c, select(up.c.id).scalar_subquery().label("lock_id"))
        .select_from(chk)
        .add_cte(dropped, hist)
    )
    _PG_CLAIMS[id(recheck)] = stmt
    return stmt


_DROP_DRAFTS = delete(Draft.__table__).where(
    Draft.__table__.c.task_id == bindparam("id"), Draft.__table__.c.user_id == bindparam("u"),
    Draft.__table__.c.annotation_id.is_(None),
)


def _take_lock(
    conn: Connection, project_id: int, user_id: int, task_id: int, exclude: tuple[int, ...], now: float,
    expires: float, *, own_locks: int = 1, rng: random.Random = _RNG,
) -> int:
    """Lock `task_id` for the user: drop their other locks here except the current one
    (exclude[0]) and expired locks on the task, then insert. Expired locks elsewhere in the
    project are swept now and then, so the table stays small without a cleaner process."""
    keep = list(exclude[: MAX_LOCKS_PER_ANNOTATOR - 1])
    params = {"p": project_id, "u": user_id, "t": task_id, "keep": keep, "now": now, "expires": expires}
    if own_locks:
        conn.execute(_DROP_LOCKS, params)
    if rng.random() < SWEEP_PROBABILITY:
        conn.execute(_SWEEP_LOCKS, params)
    return int(conn.execute(_INSERT_LOCK, params).inserted_primary_key[0])  # type: ignore[index]


_DROP_LOCKS = delete(_locks).where(
    ((_locks.c.project_id == bindparam("p")) & (_locks.c.user_id == bindparam("u"))
     & _locks.c.task_id.not_in(bindparam("keep", expanding=True)))
    | ((_locks.c.task_id == bindparam("t")) & ((_locks.c.expire_at <= bindparam("now"))
                                                | (_locks.c.user_id == bindparam("u"))))
)
_SWEEP_LOCKS = delete(_locks).where(_locks.c.project_id == bindparam("p"), _locks.c.expire_at <= bindparam("now"))
_INSERT_LOCK = insert(_locks).values(
    task_id=bindparam("t"), project_id=bindparam("p"), user_id=bindparam("u"), expire_at=bindparam("expires"),
    created_at=bindparam("now"),
)


# --- ending or extending a claim -----------------------------------------------------------------


def submit(
    target: Any,
    actor: Actor,
    task_id: int,
    result: list[dict[str, Any]],
    *,
    lead_time: float | None = None,
    draft_id: int | None = None,
    parent_prediction: int | None = None,
) -> int:
    """Submit the actor's annotation and return its id; a task they skipped before gets that skip
    turned into the submission. Releases their lock and consumes their drafts on the task.

    One statement reads the task under its row lock with the author's earlier skip and whether
    they have a draft; then insert, count, unlock and audit (insert_annotation)."""
    try:
        with _conn(target) as (conn, _):
            return _submit(conn, actor, task_id, result, lead_time, draft_id, parent_prediction)
    except _NeedsFullPath:
        with _conn(target, full=True) as (conn, _):
            return _submit(conn, actor, task_id, result, lead_time, draft_id, parent_prediction)


def _submit(conn: Any, actor: Actor, task_id: int, result: list[dict[str, Any]], lead_time: float | None,
            draft_id: int | None, parent_prediction: int | None) -> int:
    # PostgreSQL: read without the task's row lock; insert_annotation takes it last (late_lock).
    late = conn.dialect.name == "postgresql"
    stmt = ann_service.TASK_INFO_FOR_SUBMIT_UNLOCKED if late else ann_service.TASK_INFO_FOR_SUBMIT
    info = conn.execute(stmt, {"t": task_id, "u": actor.id}).first()
    if info is None or info.organization_id != actor.organization_id:
        raise NotFound(f"task {task_id} not found")
    if info.own_skip is not None and draft_id is None:
        if is_raw(conn):
            raise _NeedsFullPath
        with Session(bind=conn) as session:
            ann = ann_service.update_annotation(session, actor, int(info.own_skip), result=result,
                                                was_cancelled=False, lead_time=lead_time)
            session.flush()
            ann_id = ann.id
        ann_service.release_lock(conn, task_id, actor.id)
    else:
        ann_id = ann_service.insert_annotation(conn, actor, task_id, result=result, lead_time=lead_time,
                                               draft_id=draft_id, parent_prediction=parent_prediction, info=info,
                                               late_lock=late)
    if info.has_draft:
        conn.execute(_DROP_DRAFTS, {"id": task_id, "u": actor.id})
    return ann_id


def skip(target: Any, actor: Actor, task_id: int, *, lead_time: float | None = None,
         parent_prediction: int | None = None) -> int:
    """Skip: a cancelled annotation (the skip-queue mode decides who sees the task again); its id.
    `parent_prediction` records the prediction the skip rejects (accept-reject labeling)."""
    with _conn(target) as (conn, _):
        skipped = conn.execute(_OWN_SKIP, {"t": task_id, "u": actor.id}).scalar()
        if skipped is not None:  # skipped again from the skipped queue: to the back of it
            conn.execute(update(_ann).where(_ann.c.id == skipped).values(updated_at=datetime.now(UTC)))
            if parent_prediction is not None:
                ann_service.set_parent_prediction(conn, task_id, int(skipped), parent_prediction)
            ann_service.release_lock(conn, task_id, actor.id)
            return int(skipped)
        return ann_service.insert_annotation(conn, actor, task_id, result=[], was_cancelled=True,
                                             lead_time=lead_time, parent_prediction=parent_prediction)


_ann = Annotation.__table__
_OWN_SKIP = (
    select(_ann.c.id)
    .where(_ann.c.task_id == bindparam("t"), _ann.c.completed_by_id == bindparam("u"), _ann.c.was_cancelled.is_(True))
    .order_by(_ann.c.id)
    .limit(1)
)


def postpone(
    target: Any, actor: Actor, task_id: int, *, result: list[dict[str, Any]] | None = None,
    lead_time: float | None = None,
) -> Draft:
    """Postpone: a postponed draft; the task comes back in the postponed queue."""
    with _tx(target) as (session, _):
        return ann_service.save_draft(session, actor, task_id, result=result, lead_time=lead_time,
                                      was_postponed=True)


def release(target: Any, actor: Actor, task_id: int) -> bool:
    """Give the task back; True when the actor held a lock on it."""
    with _tx(target) as (session, _):
        ann_service.load_task(session, actor, task_id)
        res = session.execute(delete(TaskLock).where(TaskLock.task_id == task_id, TaskLock.user_id == actor.id))
        return bool(res.rowcount)  # type: ignore[attr-defined]


def heartbeat(target: Any, actor: Actor, task_id: int, *, now: Now = None, lock_ttl: int | None = None) -> float:
    """Extend the actor's lock (they are still working); returns the new expiry (Unix seconds).

    An expired lock is taken again if nobody else took the slot meanwhile; otherwise Conflict.
    """
    t = seconds(now)
    with _tx(target) as (session, default_ttl):
        _task, project = ann_service.load_task(session, actor, task_id, for_update=True)
        expires = t + _ttl(project.task_lock_ttl, default_ttl, lock_ttl)
        conn = session.connection()
        res = conn.execute(
            update(_locks).where(_locks.c.task_id == task_id, _locks.c.user_id == actor.id, _locks.c.expire_at > t)
            .values(expire_at=expires)
        )
        if res.rowcount:
            return expires
        skip_queue = project.skip_queue if project.skip_queue in SKIP_QUEUES else REQUEUE_FOR_OTHERS
        params = {"p": project.id, "u": actor.id, "now": t, "exclude": [], "id": task_id}
        if conn.dialect.name == "postgresql":  # serialized with claims of the task (_Claimer)
            conn.execute(_WAIT_CLAIM_LOCK, {"t": task_id})
        if conn.execute(Q.main(skip_queue, "any").recheck, params).first() is None:
            raise Conflict(f"the lock on task {task_id} expired and the task went to another annotator")
        _take_lock(conn, project.id, actor.id, task_id, (task_id,), t, expires)
        return expires


def history(target: Any, actor: Actor, project_id: int, *, limit: int = 20) -> list[HistoryEntry]:
    """The tasks last served to the actor in the project, newest first, each once."""
    ctx = target.read() if not isinstance(target, Session) else nullcontext(target)
    with ctx as session:
        org = session.scalar(select(Project.organization_id).where(Project.id == project_id))
        if org is None or org != actor.organization_id:
            raise NotFound(f"project {project_id} not found")
        if limit < 1:
            raise InputError("limit must be at least 1")
        rows = session.execute(
            select(_history.c.task_id, _history.c.queue, _history.c.created_at)
            .where(_history.c.project_id == project_id, _history.c.user_id == actor.id)
            .order_by(_history.c.id.desc())
            .limit(limit * 5)
        )
        seen: dict[int, HistoryEntry] = {}
        for task_id, queue, created in rows:
            if task_id not in seen:
                seen[task_id] = HistoryEntry(task_id, queue, created)
            if len(seen) >= limit:
                break
        return list(seen.values())
