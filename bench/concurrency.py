"""Many annotators at once, on SQLite and on PostgreSQL: next -> submit cycles/s, 1 vs 16 threads.

    .venv/bin/python bench/concurrency.py [--tasks 2000] [--postgres-url URL]

Without --postgres-url a private PostgreSQL cluster is started on a free port (as the tests do)
and removed afterwards. Each database gets a 2,000-task project with maximum_annotations=3 worked
by 16 annotator threads until nothing is left, another by 4 processes of 4 threads (no shared
interpreter lock), and a project worked by one thread; every task is then checked to hold exactly
3 annotations by 3 distinct annotators. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@contextmanager
def private_postgres() -> Iterator[str]:
    data = tempfile.mkdtemp(prefix="lsx-bench-pg-")
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(data, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*run_as, str(PG_BIN / "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--no-instructions"], check=True, capture_output=True)
    subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", data, "-l", f"{data}/log", "-w", "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=100", "start"],
                   check=True, capture_output=True)
    try:
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c",
                        "create database lsx_bench"], check=True, capture_output=True)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/lsx_bench"
    finally:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def _timed(ws: object, project: int, people: list) -> tuple[float, float]:
    import time

    from tests.engine.sampling.test_concurrency import _run_threads

    cpu, wall = time.process_time(), time.perf_counter()
    rate = _run_threads(ws, project, people)
    cycles = rate * (time.perf_counter() - wall)
    return rate, round(1000 * (time.process_time() - cpu) / max(cycles, 1), 2)


def _four_processes(ws: object, url: str, home: str, project: int, people: list) -> float:
    """4 processes x 4 threads on one project: cycles/s from the first loop's start to the last's end
    (interpreter start-up not counted). Without one interpreter's lock, this is what the database allows."""
    import multiprocessing

    from tests.engine.sampling.test_concurrency import _process_main

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_process_main, args=(url, home, project, people[i::4], out)) for i in range(4)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(60)
    errors = [e for *_, errs in results for e in errs]
    if errors:
        raise SystemExit(f"annotator processes failed: {errors[:3]}")
    total = sum(r[0] for r in results)
    return total / (max(r[2] for r in results) - min(r[1] for r in results))


def measure(url: str, home: str, tasks: int) -> dict[str, float]:
    from lsx.engine.access.users import actor_for
    from lsx.engine.settings import load_settings
    from lsx.engine.workspace import open_workspace
    from tests.engine.sampling.helpers import add_tasks, annotators, make_project
    from tests.engine.sampling.test_concurrency import OVERLAP, THREADS, _assert_exact

    ws = open_workspace(load_settings(overrides={"LSX_DATABASE_URL": url, "LSX_HOME": home}))
    try:
        with ws.read() as s:
            owner = actor_for(s, "admin@localhost")
        solo = make_project(ws, owner, title="solo")
        add_tasks(ws, solo, tasks // 4)
        shared = make_project(ws, owner, maximum_annotations=OVERLAP)
        add_tasks(ws, shared, tasks, overlap=OVERLAP)
        people = annotators(ws, owner, THREADS)
        single, cpu_1 = _timed(ws, solo, people[:1])
        many, cpu_n = _timed(ws, shared, people)
        _assert_exact(ws, shared, OVERLAP)
        spread = make_project(ws, owner, maximum_annotations=OVERLAP, title="processes")
        add_tasks(ws, spread, tasks, overlap=OVERLAP)
        processes = _four_processes(ws, url, home, spread, people)
        _assert_exact(ws, spread, OVERLAP)
        # Python CPU per cycle (this process; the database's own CPU is not in it): unlike the
        # rates, it hardly moves with what else the machine is running.
        return {"threads_1": round(single, 1), f"threads_{THREADS}": round(many, 1), "ratio": round(many / single, 2),
                "processes_4x4": round(processes, 1), "processes_ratio": round(processes / single, 2),
                "py_cpu_ms_per_cycle_1": cpu_1, f"py_cpu_ms_per_cycle_{THREADS}": cpu_n}
    finally:
        ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    out: dict[str, object] = {"bench": "concurrency", "tasks": args.tasks, "cores": os.cpu_count(),
                              "load_avg_1m_before": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="lsx-bench-") as home:
        out["sqlite"] = measure(f"sqlite:///{home}/lsx.db", home, args.tasks)
        if args.postgres_url:
            out["postgresql"] = measure(args.postgres_url, home, args.tasks)
        else:
            with private_postgres() as url:
                out["postgresql"] = measure(url, home, args.tasks)
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
