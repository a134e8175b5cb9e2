"""Benchmark next_task on SQLite in a realistic state; prints ONE JSON line.

State (issue 4): 90% of tasks labeled, the annotator already has min(10,000, 5% of tasks)
annotations, every task has a prediction for the project's model version, 20 live locks held by
others. Measures next_task p50/p99 for sequential, uniform and uncertainty at each size, the
flatness ratio p50(largest)/p50(smallest), and next+submit cycles per second in one process.

    python bench/sampling.py                 # 10,000 and 1,000,000 tasks
    python bench/sampling.py --tasks 10000 --tasks 100000
    python bench/sampling.py --postgres --tasks 10000 --tasks 100000   # a private PostgreSQL cluster
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import update

from lsx.engine import sampling
from lsx.engine.access.users import LOCAL_OWNER, actor_for, actor_for_user, create_user
from lsx.engine.db.models import Organization, Project
from lsx.engine.settings import load_settings
from lsx.engine.workspace import Workspace, open_workspace

STRATEGIES = ("sequential", "uniform", "uncertainty")
RESULT = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}]
CONFIG = ('<View><Text name="text" value="$text"/><Choices name="label" toName="text">'
          '<Choice value="A"/><Choice value="B"/></Choices></View>')
NOW = "2026-01-01 00:00:00.000000"


def build(ws: Workspace, n: int, seed: int = 1) -> tuple[int, Any, list[Any]]:
    """The realistic state, written with raw executemany (a million rows in seconds)."""
    rng = random.Random(seed)
    with ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    with ws.session() as s:
        org = s.get(Organization, owner.organization_id)
        project = Project(organization_id=owner.organization_id, title=f"bench {n}", label_config=CONFIG,
                          model_version="v1", maximum_annotations=1, sampling="sequential")
        s.add(project)
        s.flush()
        pid = project.id
        me = actor_for_user(s, create_user(s, None, f"me{n}@bench", org=org))
        others = [actor_for_user(s, create_user(s, None, f"other{n}-{i}@bench", org=org)) for i in range(20)]
    labeled = int(n * 0.9)
    mine = min(10_000, n * 5 // 100)
    mine_ids = set(rng.sample(range(labeled), mine))
    pg = ws.engine.dialect.name == "postgresql"
    true, false = ("true", "false") if pg else ("1", "0")

    def sql(statement: str) -> str:
        if pg:
            statement = statement.replace("?", "%s")
        return statement.replace("TRUE", true).replace("FALSE", false)

    raw = ws.engine.raw_connection()
    try:
        cur = raw.cursor()
        if not pg:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute("SELECT coalesce(max(id), 0) FROM tasks")
        first = cur.fetchone()[0] + 1
        batch = 50_000
        for start in range(0, n, batch):
            rows = range(start, min(n, start + batch))
            cur.executemany(
                sql("INSERT INTO tasks (id, project_id, data, meta, created_at, updated_at, is_labeled, allow_skip,"
                    " overlap, inner_id, total_annotations, cancelled_annotations, total_predictions)"
                    " VALUES (?, ?, ?, '{}', ?, ?, ?, TRUE, 1, ?, ?, 0, 1)"),
                [(first + i, pid, json.dumps({"text": f"task {i}"}), NOW, NOW, i < labeled, i + 1,
                  int(i < labeled)) for i in rows],
            )
            cur.executemany(
                sql("INSERT INTO predictions (task_id, project_id, result, score, model_version, mislabeling,"
                    " created_at, updated_at) VALUES (?, ?, '[]', ?, 'v1', 0, ?, ?)"),
                [(first + i, pid, rng.random(), NOW, NOW) for i in rows],
            )
            cur.executemany(
                sql("INSERT INTO annotations (task_id, project_id, completed_by_id, result, was_cancelled,"
                    " ground_truth, created_at, updated_at, result_count, bulk_created)"
                    " VALUES (?, ?, ?, '[]', FALSE, FALSE, ?, ?, 1, TRUE)"),
                [(first + i, pid, me.id if i in mine_ids else others[i % 20].id, NOW, NOW)
                 for i in rows if i < labeled],
            )
        far = time.time() + 10 * 365 * 86400
        cur.executemany(
            sql("INSERT INTO task_locks (task_id, project_id, user_id, expire_at, created_at) VALUES (?, ?, ?, ?, ?)"),
            [(first + labeled + k, pid, others[k].id, far, time.time()) for k in range(20)],
        )
        if pg:
            cur.execute("SELECT setval(pg_get_serial_sequence('tasks', 'id'), %s)", (first + n,))
            raw.commit()
        else:
            cur.execute("COMMIT")
        cur.execute("ANALYZE")
        if pg:
            raw.commit()
    finally:
        raw.close()
    return pid, me, others


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_next(ws: Workspace, pid: int, me: Any, strategy: str, rounds: int) -> dict[str, float]:
    """next_task latency; the lock is released after each call (untimed) so the state stays put."""
    with ws.session() as s:
        s.execute(update(Project).where(Project.id == pid).values(sampling=strategy))
    times = []
    for i in range(rounds + 50):
        t0 = time.perf_counter()
        nt = sampling.next_task(ws, pid, me)
        elapsed = time.perf_counter() - t0
        assert nt is not None and nt.queue != "Task lock", nt
        sampling.release(ws, me, nt.task_id)
        if i >= 50:
            times.append(elapsed * 1000)
    return {"p50_ms": round(statistics.median(times), 3), "p99_ms": round(percentile(times, 0.99), 3)}


def cycles(ws: Workspace, pid: int, me: Any, seconds: float = 3.0) -> float:
    with ws.session() as s:
        s.execute(update(Project).where(Project.id == pid).values(sampling="sequential"))
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        nt = sampling.next_task(ws, pid, me)
        assert nt is not None
        sampling.submit(ws, me, nt.task_id, RESULT)
        done += 1
    # Wall rate, and the rate this process's CPU time allows (steadier on a shared machine).
    return round(done / (time.perf_counter() - start), 1), round(done / (time.process_time() - cpu), 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, action="append", help="project sizes (default 10,000 and 1,000,000)")
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true", help="on a private PostgreSQL cluster instead")
    args = parser.parse_args(argv)
    sizes = sorted(args.tasks or [10_000, 1_000_000])
    out: dict[str, Any] = {"bench": "sampling", "database": "postgresql" if args.postgres else "sqlite",
                           "next_task": {}}
    with tempfile.TemporaryDirectory() as home, ExitStack() as stack:
        os.environ["LSX_HOME"] = home
        os.environ.pop("LSX_DATABASE_URL", None)
        if args.postgres:
            from bench.concurrency import private_postgres

            os.environ["LSX_DATABASE_URL"] = stack.enter_context(private_postgres())
        ws = open_workspace(load_settings())
        try:
            built: dict[int, tuple[int, Any]] = {}
            for n in sizes:
                t0 = time.perf_counter()
                pid, me, _ = build(ws, n)
                built[n] = (pid, me)
                out.setdefault("build_s", {})[str(n)] = round(time.perf_counter() - t0, 1)
                out["next_task"][str(n)] = {s: time_next(ws, pid, me, s, args.rounds) for s in STRATEGIES}
            small, large = str(sizes[0]), str(sizes[-1])
            out["flatness"] = {
                s: round(out["next_task"][large][s]["p50_ms"] / out["next_task"][small][s]["p50_ms"], 2)
                for s in STRATEGIES
            }
            pid, me = built[sizes[-1]]
            wall, by_cpu = cycles(ws, pid, me)
            out["cycles_per_s"] = {large: wall}
            out["cycles_per_cpu_s"] = {large: by_cpu}
        finally:
            ws.close()
    out["targets"] = {"p50_ms": 1.0, "p99_ms": 5.0, "flatness": 1.5, "cycles_per_s": 1000}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
