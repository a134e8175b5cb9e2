"""Many annotators at once, on SQLite and on PostgreSQL: next -> submit cycles/s, 1 vs 16 threads.

    .venv/bin/python bench/concurrency.py [--tasks 2000] [--repeat 3] [--postgres-url URL]

Without --postgres-url a private PostgreSQL cluster is started on a free port (as the tests do)
and removed afterwards. On each database, after an unmeasured warm-up, `--repeat` times in turn: a
500-task project worked by one thread, then a 2,000-task project with maximum_annotations=3
worked by 16 annotator threads until nothing is left, then the control: 16 threads each on a
project of its own (nothing shared); rates are the medians. Then one project by 4 processes of 4
threads (no shared interpreter lock). Every shared task is checked to hold exactly
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


def _busy_cores() -> float:
    """CPU time the whole machine has used so far, in seconds (Linux /proc/stat; 0 elsewhere)."""
    try:
        with open("/proc/stat") as f:
            user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in f.readline().split()[1:8])
    except OSError:
        return 0.0
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _timed(ws: object, project: int, people: list) -> tuple[float, float, float]:
    """cycles/s, this process's CPU ms per cycle, and the cores the whole machine kept busy."""
    import time

    from tests.engine.sampling.test_concurrency import _run_threads

    cpu, wall, busy = time.process_time(), time.perf_counter(), _busy_cores()
    rate = _run_threads(ws, project, people)
    elapsed = time.perf_counter() - wall
    cycles = rate * elapsed
    py_ms = round(1000 * (time.process_time() - cpu) / max(cycles, 1), 2)
    return rate, py_ms, round((_busy_cores() - busy) / elapsed, 2)


def _independent(ws: object, owner: object, people: list, tasks: int, tag: str) -> float:
    """The control: each annotator thread on a project of its own (tasks / 16 tasks), so no row is
    shared and no claim can meet another; cycles/s. What 16 threads get on this machine when
    nothing at all is shared: the ceiling the shared project is compared with."""
    from tests.engine.sampling.helpers import add_tasks, make_project
    from tests.engine.sampling.test_concurrency import _assert_exact, _run_threads

    projects = []
    for i, _ in enumerate(people):
        project = make_project(ws, owner, title=f"own {tag} {i}")
        add_tasks(ws, project, max(tasks // len(people), 1))
        projects.append(project)
    rate = _run_threads(ws, projects, people)
    for project in projects:
        _assert_exact(ws, project, 1)
    return rate


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


def measure(url: str, home: str, tasks: int, repeat: int) -> dict[str, object]:
    from statistics import median

    from lsx.engine.access.users import actor_for
    from lsx.engine.settings import load_settings
    from lsx.engine.workspace import open_workspace
    from tests.engine.sampling.helpers import add_tasks, annotators, make_project
    from tests.engine.sampling.test_concurrency import OVERLAP, THREADS, _assert_exact, _run_threads

    ws = open_workspace(load_settings(overrides={"LSX_DATABASE_URL": url, "LSX_HOME": home}))
    try:
        with ws.read() as s:
            owner = actor_for(s, "admin@localhost")
        people = annotators(ws, owner, THREADS)
        # Not measured: a small project worked by all annotators first, so every pooled connection
        # exists with its statements prepared and planned, as in a server that has been running.
        warm = make_project(ws, owner, maximum_annotations=OVERLAP, title="warm-up")
        add_tasks(ws, warm, 200, overlap=OVERLAP)
        _run_threads(ws, warm, people)
        # 1 thread and 16 threads alternate, each on a fresh project, so a slow spell of the
        # machine (shared, virtual) lands on both sides; medians are compared.
        single: list[tuple[float, float, float]] = []
        many: list[tuple[float, float, float]] = []
        apart: list[float] = []
        for i in range(repeat):
            solo = make_project(ws, owner, title=f"solo {i}")
            add_tasks(ws, solo, tasks // 4)
            single.append(_timed(ws, solo, people[:1]))
            shared = make_project(ws, owner, maximum_annotations=OVERLAP, title=f"shared {i}")
            add_tasks(ws, shared, tasks, overlap=OVERLAP)
            many.append(_timed(ws, shared, people))
            _assert_exact(ws, shared, OVERLAP)
            apart.append(_independent(ws, owner, people, tasks, str(i)))
        spread = make_project(ws, owner, maximum_annotations=OVERLAP, title="processes")
        add_tasks(ws, spread, tasks, overlap=OVERLAP)
        processes = _four_processes(ws, url, home, spread, people)
        _assert_exact(ws, spread, OVERLAP)
        one, n, alone = median(r[0] for r in single), median(r[0] for r in many), median(apart)
        # Python CPU per cycle (this process; the database's own CPU is not in it): unlike the
        # rates, it hardly moves with what else the machine is running. busy_cores: what the whole
        # machine used during the runs (the database included), out of `cores`.
        return {"threads_1": round(one, 1), f"threads_{THREADS}": round(n, 1), "ratio": round(n / one, 2),
                "runs_1": [round(r[0], 1) for r in single], f"runs_{THREADS}": [round(r[0], 1) for r in many],
                f"independent_{THREADS}": round(alone, 1), "independent_ratio": round(alone / one, 2),
                "shared_of_independent": round(n / alone, 2),
                f"runs_independent_{THREADS}": [round(r, 1) for r in apart],
                "processes_4x4": round(processes, 1), "processes_ratio": round(processes / one, 2),
                "py_cpu_ms_per_cycle_1": median(r[1] for r in single),
                f"py_cpu_ms_per_cycle_{THREADS}": median(r[1] for r in many),
                "busy_cores_1": median(r[2] for r in single), f"busy_cores_{THREADS}": median(r[2] for r in many)}
    finally:
        ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--postgres-url")
    parser.add_argument("--repeat", type=int, default=3, help="1-thread and 16-thread runs, alternating")
    args = parser.parse_args()
    out: dict[str, object] = {"bench": "concurrency", "tasks": args.tasks, "cores": os.cpu_count(),
                              "load_avg_1m_before": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="lsx-bench-") as home:
        out["sqlite"] = measure(f"sqlite:///{home}/lsx.db", home, args.tasks, args.repeat)
        if args.postgres_url:
            out["postgresql"] = measure(args.postgres_url, home, args.tasks, args.repeat)
        else:
            with private_postgres() as url:
                out["postgresql"] = measure(url, home, args.tasks, args.repeat)
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
