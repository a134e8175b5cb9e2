"""Import/export throughput through the CLI, against a raw-sqlite3 ceiling measured in the same run.

    .venv/bin/python bench/import_export.py --tasks 1000000 [--annotations]

Generates text tasks as JSONL, then times, each in its own `lsx` process: the JSONL import, a full
task listing (--jsonl), and JSON and CSV exports. The ceiling inserts the same rows with raw
sqlite3 `executemany` into a table with the same columns and indexes as lsx's task table (copied
from the schema lsx created), with lsx's PRAGMAs, committing every 10,000 rows, JSON parsing
included, and selects them back. Prints one JSON line: tasks/s per step, peak RSS (MB) per step,
the ceiling, and import as a fraction of the ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
LSX = [sys.executable, "-m", "lsx"]
CONFIG = ROOT / "configs" / "samples" / "sentiment.xml"
WORDS = "good bad fine slow quick broken lovely awful late early cheap pricey calm loud clean dirty".split()


ANNOTATORS = ["ann@example.com", "bo@example.com", "cy@example.com"]


def _annotation(rnd: random.Random) -> dict[str, object]:
    """One annotation as a team's file carries it: who, which choice, how long it took."""
    choice = rnd.choice(["Positive", "Neutral", "Negative"])
    return {
        "completed_by": {"email": rnd.choice(ANNOTATORS)},
        "lead_time": round(rnd.uniform(1, 30), 3),
        "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}],
    }


def generate(path: Path, n: int, annotations: bool) -> None:
    rnd = random.Random(7)
    with open(path, "wb") as fh:
        for i in range(n):
            text = f"review {i}: " + " ".join(rnd.choice(WORDS) for _ in range(12))
            item = {"data": {"text": text}, "annotations": [_annotation(rnd)]} if annotations else {"text": text}
            fh.write(orjson.dumps(item) + b"\n")


CPU: list[float] = []  # CPU seconds of each run, in order


def run(args: list[str], env: dict[str, str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, float]:
    """Run one lsx command; (wall seconds, peak RSS in MB of that process). Its CPU seconds go to CPU."""
    start = time.perf_counter()
    proc = subprocess.Popen([*LSX, *args], env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    CPU.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"lsx {' '.join(args)} failed: {err}")
    return elapsed, usage.ru_maxrss / 1024


def ceiling(db: Path, data: Path, schema: list[str]) -> tuple[float, float]:
    """Raw sqlite3: insert every line's task with executemany in 10,000-row commits, then read back."""
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL",
                   "cache_size=-65536", "temp_store=MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE projects (id INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO projects VALUES (1)")
    for sql in schema:
        conn.execute(sql)
    now = "2026-01-01 00:00:00.000000"
    sql = (
        "INSERT INTO tasks (id, project_id, data, meta, created_at, updated_at, is_labeled, allow_skip, overlap, "
        "file_upload, inner_id, total_annotations, cancelled_annotations, total_predictions, task_import_id, "
        "updated_by_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    start = time.perf_counter()
    rows = []
    n = 0
    with open(data, "rb") as fh:
        for line in fh:
            item = orjson.loads(line)
            n += 1
            rows.append((n, 1, orjson.dumps(item.get("data", item)).decode(), "{}", now, now, 0, 1, 1, None, n, 0, 0,
                         0, 1, 1))
            if len(rows) == 10_000:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(sql, rows)
                conn.execute("COMMIT")
                rows.clear()
    if rows:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
    insert = time.perf_counter() - start
    start = time.perf_counter()
    cur = conn.execute("SELECT id, data, meta FROM tasks WHERE project_id = 1 ORDER BY id")
    while cur.fetchmany(5000):
        pass
    select = time.perf_counter() - start
    conn.close()
    return n / insert, n / select


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--annotations", action="store_true", help="each task carries one annotation")
    args = parser.parse_args()
    n = args.tasks
    with tempfile.TemporaryDirectory(prefix="lsx-bench-") as tmp:
        work = Path(tmp)
        data = work / "tasks.jsonl"
        generate(data, n, args.annotations)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LSX_")}
        env["LSX_HOME"] = str(work / "home")
        run(["project", "create", "Bench", "--config", str(CONFIG)], env)
        steps: dict[str, float] = {}
        rss: dict[str, float] = {}
        t, rss["import"] = run(["import", "1", str(data)], env)
        steps["import"] = n / t
        with open(work / "list.jsonl", "wb") as out:
            t, rss["list"] = run(["task", "list", "1", "--limit", "0", "--jsonl"], env, stdout=out.fileno())
        steps["list"] = n / t
        t, rss["export_json"] = run(["export", "1", "--format", "JSON", "-o", str(work / "out.json")], env)
        steps["export_json"] = n / t
        t, rss["export_csv"] = run(["export", "1", "--format", "CSV", "-o", str(work / "out.csv")], env)
        steps["export_csv"] = n / t
        # Checked last: a forked child's peak RSS starts from the parent's, so the parent stays small
        # while the steps run.
        exported = json.loads((work / "out.json").read_bytes())
        assert len(exported) == n, len(exported)
        del exported
        lsx_db = sqlite3.connect(work / "home" / "lsx.db")
        schema = [r[0] for r in lsx_db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'tasks' AND sql IS NOT NULL ORDER BY type DESC"
        )]
        lsx_db.close()
        schema = [s.replace("REFERENCES task_imports", "REFERENCES projects") for s in schema]
        ceil_insert, ceil_select = ceiling(work / "ceiling.db", data, schema)
    print(json.dumps({
        "bench": "import_export",
        "tasks": n,
        "annotations": args.annotations,
        "tasks_per_s": {k: round(v) for k, v in steps.items()},
        # The same per CPU-second of the lsx process: what a quiet machine's wall clock would approach.
        "tasks_per_cpu_s": dict(zip(steps, (round(n / c) for c in CPU[1:]), strict=True)),
        "peak_rss_mb": {k: round(v, 1) for k, v in rss.items()},
        "ceiling_tasks_per_s": {"insert": round(ceil_insert), "select": round(ceil_select)},
        "import_vs_ceiling": round(steps["import"] / ceil_insert, 3),
        "cores": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
