"""PostgreSQL query plans of the label stream: a candidate scan costs the rows it meets, not the
annotator's history.

PostgreSQL turns a plain NOT EXISTS into an anti join; for a LIMIT-8 candidate scan it then reads
every annotation the annotator has in the project on each call (merge, hash or a join filter), so
next_task slows down as they label. The probes are kept per-row subplans (`pool.probe`), and the
breadth-first queue's `total_annotations > 0` is a literal so the partial index can serve it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from lsx.engine import sampling
from lsx.engine.access.actor import Actor
from lsx.engine.access.users import LOCAL_OWNER, actor_for
from lsx.engine.sampling import queues_sql as Q
from lsx.engine.sampling.pool import T
from lsx.engine.task_state import REQUEUE_FOR_OTHERS
from lsx.engine.workspace import Workspace
from tests.engine.sampling.helpers import RESULT, add_tasks, annotators, make_project

LABELED = 200


def _plan(ws: Workspace, stmt: Any, **params: Any) -> dict[str, Any]:
    """The executed plan of `stmt` as a prepared statement's generic plan, the one a pooled
    connection settles on after a few executions (the driver prepares repeated statements)."""
    state = stmt.params(**params).compile(dialect=postgresql.dialect(paramstyle="numeric_dollar"))
    state = state.construct_expanded_state()
    args = ", ".join(_literal(state.parameters[name]) for name in state.positiontup)
    with ws.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        conn.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        conn.exec_driver_sql("PREPARE lsx_plan AS " + state.statement.replace("%", "%%"))
        raw = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE lsx_plan({args})").scalar()
        conn.exec_driver_sql("DEALLOCATE lsx_plan")
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _rows_read(plan: dict[str, Any], relation: str) -> int:
    """Rows the plan's scans of `relation` met (returned or filtered out), over all their loops."""
    own = 0
    if plan.get("Relation Name") == relation:
        met = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        own = met * plan.get("Actual Loops", 1)
    return own + sum(_rows_read(child, relation) for child in plan.get("Plans", []))


def _node_types(plan: dict[str, Any]) -> list[str]:
    return [plan["Node Type"], *(t for child in plan.get("Plans", []) for t in _node_types(child))]


def _label(ws: Workspace, project: int, actor: Actor, n: int) -> None:
    for _ in range(n):
        nt = sampling.next_task(ws, project, actor)
        assert nt is not None
        sampling.submit(ws, actor, nt.task_id, RESULT)


def test_candidate_scan_does_not_read_the_annotators_history(pg_ws: Workspace) -> None:
    with pg_ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    project = make_project(pg_ws, owner)
    add_tasks(pg_ws, project, 2 * LABELED)
    (me,) = annotators(pg_ws, owner, 1)
    _label(pg_ws, project, me, LABELED)

    listing = select(T.id).where(Q.where(REQUEUE_FOR_OTHERS, "any")).order_by(T.id).limit(8)
    plan = _plan(pg_ws, listing, p=project, u=me.id, now=0.0, exclude=[])
    # The scan meets 8 open tasks and probes the (task, user) index once for each: nothing found.
    # An anti join would read all LABELED of the annotator's annotations.
    assert _rows_read(plan, "annotations") < 20, json.dumps(plan, indent=1)[:3000]
    assert not any("Anti Join" in t for t in _node_types(plan))


def test_breadth_first_listing_reads_only_started_tasks(pg_ws: Workspace) -> None:
    with pg_ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    project = make_project(pg_ws, owner, maximum_annotations=2)
    add_tasks(pg_ws, project, 1000, overlap=2)
    first, second = annotators(pg_ws, owner, 2)
    _label(pg_ws, project, first, 5)

    listing = Q.breadth_first(REQUEUE_FOR_OTHERS, "any", False).listing
    plan = _plan(pg_ws, listing, p=project, u=second.id, now=0.0, exclude=[])
    # Only the 5 started tasks are read (partial index ix_tasks_started_open), not the 1,000 open ones.
    assert _rows_read(plan, "tasks") <= 5, json.dumps(plan, indent=1)[:3000]


def test_uncertainty_listing_looks_up_only_the_tasks_it_meets(pg_ws: Workspace) -> None:
    from types import SimpleNamespace

    from lsx.engine.sampling.strategies import Uncertainty

    with pg_ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    project = make_project(pg_ws, owner, sampling="uncertainty", model_version="v1")
    ids = add_tasks(pg_ws, project, 10_000, scores=[i / 10_000 for i in range(10_000)])
    (me,) = annotators(pg_ws, owner, 1)
    with pg_ws.session() as s:  # bench/sampling.py's state: 90% labeled
        s.execute(text("UPDATE tasks SET is_labeled = true, total_annotations = 1 WHERE id % 10 <> 0 AND id <= :last"),
                  {"last": ids[-1]})

    pool = SimpleNamespace(cache_key=(), where=Q.where(REQUEUE_FOR_OTHERS, "any"))
    listing = Uncertainty()._statement(pool, 8)  # type: ignore[arg-type]
    plan = _plan(pg_ws, listing, p=project, u=me.id, now=0.0, exclude=[], mv="v1", cs=-1.0, cid=0)
    # From the lowest score, 8 candidates among about 80 predictions. (The join this replaced got a
    # plan scanning and filtering every open task on bench/sampling.py's --postgres state; here its
    # plan happens to be a good one too, so this checks the property, not the regression.)
    assert _rows_read(plan, "tasks") < 200, json.dumps(plan, indent=1)[:3000]
