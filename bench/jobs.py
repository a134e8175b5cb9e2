"""Benchmark of background jobs on RQ; prints ONE JSON line.

    .venv/bin/python bench/jobs.py                  # 2 workers, 2,000 tiny jobs, SQLite
    .venv/bin/python bench/jobs.py --jobs 5000 --workers 4 --database-url postgresql+psycopg://...

Starts its own redis-server on a free port and real `lsx worker` processes. The same workers run
2,000 bare RQ jobs (a function that only counts) and 2,000 tiny lsx jobs (DB record, claim, result,
fenced bookkeeping), in alternating rounds; jobs are queued while workers are suspended and the
clock runs from resume to the last job done. Overhead per job = (lsx time - bare time) / jobs, as
wall-clock per job (what throughput sees), as worker time (x workers), and as CPU time of the
workers and their horses (unaffected by other load on the machine). Target: <= 2 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.plugins.services import free_port  # noqa: E402

COUNTER = "bench:jobs:bare"


def bare_job() -> None:
    """The bare RQ job: count, nothing else."""
    from rq import get_current_job

    job = get_current_job()
    assert job is not None
    job.connection.incr(COUNTER)


def tiny(ws: Any, actor: Any, params: dict[str, Any], handle: Any) -> dict[str, Any]:
    return {"i": params["i"]}


def _register() -> None:
    from lsx.engine.jobs import register_kind

    register_kind("bench.tiny", tiny, max_attempts=1)


_register()


def _wait(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4, help="alternating bare/lsx rounds")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary LSX_HOME")
    args = parser.parse_args()

    import redis
    from rq import Queue, Worker
    from rq.suspension import resume, suspend
    from sqlalchemy import func, select

    home = tempfile.mkdtemp(prefix="lsx-bench-jobs-")
    port = free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port", str(port),
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSX_")}
    env.update(LSX_HOME=home, LSX_REDIS_URL=url, PYTHONPATH=str(REPO))
    if args.database_url:
        env["LSX_DATABASE_URL"] = args.database_url
    os.environ.update({k: v for k, v in env.items() if k.startswith("LSX_")})
    workers: list[subprocess.Popen[bytes]] = []
    try:
        client = redis.Redis.from_url(url)
        _wait(lambda: _ping(client), 10, "redis-server did not start")
        from lsx.engine.access.users import LOCAL_OWNER, actor_for
        from lsx.engine.jobs import Job, run_job
        from lsx.engine.workspace import open_workspace

        ws = open_workspace()
        with ws.read() as s:
            boss = actor_for(s, LOCAL_OWNER)
        for _ in range(args.workers):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "lsx", "worker", "--with", "bench.jobs", "--log-level", "WARNING"],
                env=env, cwd=REPO, start_new_session=True))
        _wait(lambda: len(Worker.all(connection=client)) == args.workers, 30, "workers did not start")
        n = args.jobs
        queue = Queue("default", connection=client)
        pids = [w.pid for w in workers]
        totals = {"bare": 0.0, "lsx": 0.0, "bare_cpu": 0.0, "lsx_cpu": 0.0, "bare_submit": 0.0, "lsx_submit": 0.0}
        done_lsx = 0

        def finished(target: int) -> Any:
            def check() -> bool:
                with ws.read() as s:
                    return s.execute(select(func.count()).where(Job.status == "finished")).scalar() >= target
            return check

        # Alternate bare and lsx rounds, so a change in machine load hits both alike.
        per_round = [n // args.rounds + (1 if i < n % args.rounds else 0) for i in range(args.rounds)]
        for size in per_round:
            for phase in ("bare", "lsx"):
                suspend(client)
                time.sleep(1.2)  # a worker looks at the suspension flag once per loop
                start = time.perf_counter()
                if phase == "bare":
                    with client.pipeline() as pipe:
                        for _ in range(size):
                            queue.enqueue_call("bench.jobs.bare_job", result_ttl=0, pipeline=pipe)
                        pipe.execute()
                    target = int(client.get(COUNTER) or 0) + size
                    check = lambda target=target: int(client.get(COUNTER) or 0) >= target  # noqa: E731
                else:
                    for i in range(size):
                        run_job(ws, boss, "bench.tiny", {"i": i}, background=True)
                    done_lsx += size
                    check = finished(done_lsx)
                totals[f"{phase}_submit"] += time.perf_counter() - start
                cpu = _cpu(pids)
                start = time.perf_counter()
                resume(client)
                _wait(check, 600, f"{phase} jobs did not finish")
                totals[phase] += time.perf_counter() - start
                totals[f"{phase}_cpu"] += _cpu(pids) - cpu
        bare, lsx = totals["bare"], totals["lsx"]
        bare_submit, lsx_submit = totals["bare_submit"], totals["lsx_submit"]
        with ws.read() as s:
            failed = s.execute(select(func.count()).where(Job.status != "finished")).scalar()

        overhead = (lsx - bare) / n * 1000
        print(json.dumps({
            "bench": "jobs",
            "database": ws.engine.dialect.name,
            "workers": args.workers,
            "jobs": n,
            "bare_rq_jobs_per_s": round(n / bare, 1),
            "lsx_jobs_per_s": round(n / lsx, 1),
            "overhead_ms_per_job": round(overhead, 3),
            "overhead_worker_ms_per_job": round(overhead * args.workers, 3),
            "overhead_cpu_ms_per_job": round((totals["lsx_cpu"] - totals["bare_cpu"]) / n * 1000, 3),
            "load_avg_1m": os.getloadavg()[0],
            "target_ms": 2.0,
            "submit_ms_per_job": {"bare_rq": round(bare_submit / n * 1000, 3),
                                  "lsx": round(lsx_submit / n * 1000, 3)},
            "not_finished": failed,
        }))
        ws.close()
    finally:
        for proc in workers:
            try:
                os.killpg(proc.pid, 15)
                proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, 9)
        server.terminate()
        server.wait(10)
        shutil.rmtree(home, ignore_errors=True)


def _cpu(pids: list[int]) -> float:
    """CPU seconds used by the workers and their reaped work-horses (independent of machine load)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick


def _ping(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


if __name__ == "__main__":
    main()
