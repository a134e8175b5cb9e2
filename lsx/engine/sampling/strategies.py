"""Sampling strategies, registered by name; third parties add theirs via the `lsx.samplers` group.

A strategy is a small class with one method, `candidates(pool)`, returning task ids in the order
it wants them served. The engine applies every queue rule around it (locks, ground truth,
breadth-first, postponed and skipped queues), so a strategy only decides an order.

Label Studio's strings ("Sequential sampling", ...) are accepted everywhere a name is, and
`sampling_label` gives Label Studio's string back where one exists.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, ClassVar

from sqlalchemy import Select, bindparam, select, tuple_

from lsx.engine.db.models import Prediction
from lsx.engine.errors import InputError
from lsx.engine.sampling import queues
from lsx.engine.sampling.models import SamplingCursor
from lsx.engine.sampling.pool import P, Pool, T, probe, tasks

ENTRY_POINT_GROUP = "lsx.samplers"


class Sampler:
    """Base of every strategy. Subclasses set `name`, `queue`, optionally `label`, and implement
    `candidates`."""

    name: ClassVar[str]
    label: ClassVar[str | None] = None  # Label Studio's `sampling` string, when LS has one
    queue: ClassVar[str] = queues.SEQUENCE  # the queue label answers from this strategy carry
    help: ClassVar[str] = ""

    def candidates(self, pool: Pool) -> list[int]:
        """Task ids from `pool` in serving order; a handful (`pool.limit`) is enough.

        Build queries with `pool.where` (a condition over the `tasks` alias, columns `T`) and run
        them with `pool.ids(stmt)`, or use the helpers `pool.ordered(...)` and `pool.random()`.
        """
        raise NotImplementedError


class Sequential(Sampler):
    name = "sequential"
    label = "Sequential sampling"
    queue = queues.SEQUENCE
    help = "Tasks in id order."

    def candidates(self, pool: Pool) -> list[int]:
        """The lowest task ids first."""
        return pool.ordered(T.id)


class Uniform(Sampler):
    name = "uniform"
    label = "Uniform sampling"
    queue = queues.UNIFORM
    help = "Tasks in random order."

    def candidates(self, pool: Pool) -> list[int]:
        """Tasks from a random point of the project."""
        return pool.random()


_pred = Prediction.__table__
_cursors = SamplingCursor.__table__
_STATEMENTS: dict[tuple[Any, ...], Select[Any]] = {}
_INF = float("inf")


@dataclass
class _Cursor:
    """Where one process may start the score-ordered scan of a (database, project, model version,
    direction): every prediction before (score, prediction_id) in scan order belongs to a labeled
    task. Valid while the project's cursor generation (bumped by task_state.invalidate_cursors
    whenever a task may reopen) is `generation` and no prediction above `max_prediction_id` scores
    before it. Kept in memory, so serving a task writes nothing for it."""

    score: float
    prediction_id: int
    generation: int | None
    max_prediction_id: int


_CURSORS: dict[tuple[Any, ...], _Cursor] = {}
_CURSORS_LOCK = threading.Lock()


class Uncertainty(Sampler):
    """Lowest prediction score (for the project's model version) first."""

    name = "uncertainty"
    label = "Uncertainty sampling"
    queue = queues.ACTIVE_LEARNING
    help = "Lowest prediction score for the project's model version first (active learning)."
    descending: ClassVar[bool] = False
    # With other annotators at work, tasks of equal best score are served in random order, so
    # they do not all queue for the same one; this many rows are read to find the ties.
    sample_size: ClassVar[int] = 4

    def candidates(self, pool: Pool) -> list[int]:
        """Tasks by prediction score; when others annotate too, random among equal scores;
        random tasks when no prediction matches the project's model version.

        The scan starts at the cursor (past the labeled prefix in score order), so it costs the
        same however many of the lowest-score tasks are labeled already."""
        n = max(pool.limit, self.sample_size if pool.others_active else 1)
        mv = pool.project.model_version or ""
        cursor = self._cursor(pool, mv)
        params = {**pool.params, "mv": mv, "cs": cursor.score, "cid": cursor.prediction_id}
        rows = pool.conn.execute(self._statement(pool, n), params)
        order: dict[int, float] = {}
        for task_id, score in rows:
            order.setdefault(task_id, score)
        if cursor.generation is not None:  # advance past tasks labeled since the last scan
            head = pool.conn.execute(self._advance_statement(), params).first()
            if head is not None:
                cursor.score, cursor.prediction_id = float(head[0]), int(head[1])
        if not order:
            return pool.random()
        found = list(order)
        if pool.others_active:
            best = order[found[0]]
            ties = [i for i in found if order[i] == best]
            return pool.shuffled(ties) + found[len(ties):]
        return found

    def _start(self) -> tuple[float, int]:
        return (_INF, 2**62) if self.descending else (-_INF, 0)

    def _cursor(self, pool: Pool, mv: str) -> _Cursor:
        """This process's cursor, reset when the project's generation moved or a new prediction
        scores before it; the database row only carries the generation."""
        project = pool.project
        generation = getattr(project, "cursor_generation", None)
        max_pred = int(getattr(project, "max_prediction_id", None) or 0)
        engine = getattr(pool.conn, "engine", None)
        key = (str(engine.url) if engine is not None else "", pool.params["p"], mv, self.descending)
        with _CURSORS_LOCK:
            cursor = _CURSORS.get(key)
            # (fewer predictions than before: a different or rebuilt database; start over)
            if (cursor is None or generation is None or cursor.generation != generation
                    or max_pred < cursor.max_prediction_id):
                score, pid = self._start()
                cursor = _CURSORS[key] = _Cursor(score, pid, generation, max_pred)
                if generation is None:
                    self._create_row(pool, mv)
                return cursor
        if max_pred > cursor.max_prediction_id:
            newer = pool.conn.execute(self._newer_statement(), {
                "p": pool.params["p"], "mv": mv, "seen": cursor.max_prediction_id, "cs": cursor.score,
                "cid": cursor.prediction_id}).first()
            if newer is not None:
                cursor.score, cursor.prediction_id = self._start()
            cursor.max_prediction_id = max_pred
        return cursor

    def _create_row(self, pool: Pool, mv: str) -> None:
        """The cursor row whose generation tells every process when to reset (once per project)."""
        conn = pool.conn
        values = {"project_id": pool.params["p"], "model_version": mv, "direction": -1 if self.descending else 1,
                  "max_prediction_id": 0, "generation": 0}
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        stmt = _CREATE.get(conn.dialect.name)
        if stmt is None:
            stmt = _CREATE[conn.dialect.name] = dialect_insert(_cursors).on_conflict_do_nothing()
        conn.execute(stmt, values)

    def _after_cursor(self) -> Any:
        key = tuple_(_pred.c.score, _pred.c.id)
        start = tuple_(bindparam("cs"), bindparam("cid"))
        return key <= start if self.descending else key >= start

    def _order(self) -> tuple[Any, Any]:
        if self.descending:
            return _pred.c.score.desc(), _pred.c.id.desc()
        return _pred.c.score.asc(), _pred.c.id.asc()

    def _statement(self, pool: Pool, n: int) -> Select[Any]:
        key = (type(self).__name__, self.descending, pool.cache_key, n)
        stmt = _STATEMENTS.get(key) if pool.cache_key else None
        if stmt is None:
            # Predictions in score order, each task checked by a per-row probe: as a join,
            # PostgreSQL's generic plan scanned and filtered every open task of the project once
            # per call (a materialized inner side) instead of looking up the few it meets.
            stmt = (
                select(_pred.c.task_id, _pred.c.score)
                .where(
                    _pred.c.project_id == P,
                    _pred.c.model_version == bindparam("mv"),
                    _pred.c.score.is_not(None),
                    self._after_cursor(),
                    probe(T.id == _pred.c.task_id, pool.where),
                )
                .order_by(*self._order())
                .limit(n)
            )
            if pool.cache_key:
                _STATEMENTS[key] = stmt
        return stmt

    def _advance_statement(self) -> Select[Any]:
        """The first prediction from the cursor whose task is not labeled: the new cursor."""
        key = ("advance", self.descending)
        stmt = _STATEMENTS.get(key)
        if stmt is None:
            stmt = _STATEMENTS[key] = (
                select(_pred.c.score, _pred.c.id)
                .select_from(_pred.join(tasks, T.id == _pred.c.task_id))
                .where(_pred.c.project_id == P, _pred.c.model_version == bindparam("mv"),
                       _pred.c.score.is_not(None), self._after_cursor(), T.is_labeled.is_(False))
                .order_by(*self._order())
                .limit(1)
            )
        return stmt

    def _newer_statement(self) -> Select[Any]:
        """A prediction added since the cursor was set that scores before it (a primary-key range)."""
        key = ("newer", self.descending)
        stmt = _STATEMENTS.get(key)
        if stmt is None:
            pos = tuple_(_pred.c.score, _pred.c.id)
            start = tuple_(bindparam("cs"), bindparam("cid"))
            stmt = _STATEMENTS[key] = (
                select(_pred.c.id)
                .where(_pred.c.id > bindparam("seen"), _pred.c.project_id == P,
                       _pred.c.model_version == bindparam("mv"), _pred.c.score.is_not(None),
                       pos > start if self.descending else pos < start)
                .limit(1)
            )
        return stmt


_CREATE: dict[str, Any] = {}


class Confidence(Uncertainty):
    """Highest prediction score first: review a model's surest guesses."""

    name = "confidence"
    label = None
    queue = queues.CONFIDENCE
    help = "Highest prediction score for the project's model version first (review sure guesses)."
    descending = True


BUILTINS: tuple[type[Sampler], ...] = (Sequential, Uniform, Uncertainty, Confidence)
_REGISTRY: dict[str, type[Sampler]] = {cls.name: cls for cls in BUILTINS}
# Entry points cannot replace a built-in (they register with setdefault), so a built-in name is
# answered without scanning installed packages (a scan costs tens of milliseconds at start-up).
_BUILTIN_BY_NAME: dict[str, type[Sampler]] = dict(_REGISTRY)
_loaded_entry_points = False


def register(cls: type[Sampler] | None = None, *, name: str | None = None) -> Any:
    """Register a strategy class (usable as a decorator). Built-ins register the same way."""

    def add(c: type[Sampler]) -> type[Sampler]:
        key = name or c.name
        if not key or not hasattr(c, "candidates"):
            raise InputError(f"sampler {c!r} needs a name and a candidates(pool) method")
        _REGISTRY[key] = c
        return c

    return add(cls) if cls is not None else add


def load_entry_points(*, force: bool = False) -> None:
    """Register strategies that installed packages declare under `lsx.samplers`."""
    global _loaded_entry_points
    if _loaded_entry_points and not force:
        return
    _loaded_entry_points = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        cls = obj if isinstance(obj, type) else None
        if cls is None and callable(obj):
            cls = _wrap(ep.name, obj)
        if cls is not None:
            _REGISTRY.setdefault(ep.name, cls)
            if not getattr(cls, "name", None):
                cls.name = ep.name


def _wrap(name: str, fn: Callable[[Pool], list[int]]) -> type[Sampler]:
    return type(f"Sampler_{name}", (Sampler,), {"name": name, "candidates": lambda self, pool: fn(pool)})


def registry() -> dict[str, type[Sampler]]:
    load_entry_points()
    return dict(_REGISTRY)


def _by_label() -> dict[str, str]:
    return {cls.label.lower(): name for name, cls in registry().items() if cls.label}


def normalize_sampling(name: str) -> str:
    """lsx's name for a strategy given lsx's name or Label Studio's string (case-insensitive)."""
    text = str(name or "").strip()
    if text in _BUILTIN_BY_NAME:
        return text
    reg = registry()
    if text in reg:
        return text
    lowered = text.lower()
    for key in reg:
        if key.lower() == lowered:
            return key
    by_label = _by_label()
    if lowered in by_label:
        return by_label[lowered]
    valid = sorted(reg) + sorted(cls.label for cls in reg.values() if cls.label)
    raise InputError(f"unknown sampling {name!r}; valid: {', '.join(repr(v) for v in valid)}")


def sampling_label(name: str) -> str:
    """Label Studio's string for a strategy when it has one (else lsx's name)."""
    builtin = _BUILTIN_BY_NAME.get(name)
    if builtin is not None:
        return builtin.label or name
    key = normalize_sampling(name)
    return registry()[key].label or key


def get_sampler(name: str) -> Sampler:
    """An instance of the strategy a project names (lsx name or LS string)."""
    builtin = _BUILTIN_BY_NAME.get(name)
    if builtin is not None:
        return builtin()
    return registry()[normalize_sampling(name)]()
