"""A worker and its work-horse SIGKILLed mid-job: another worker finishes the job, nothing duplicated.

Heartbeat timeout is 3 s here (tests.plugins.jobs.HEARTBEAT_TIMEOUT), 60 s in production.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from lsx.engine.access.actor import Actor
from lsx.engine.access.users import LOCAL_OWNER, actor_for
from lsx.engine.db.models import Task
from lsx.engine.jobs import get_job, run_job, wait_job
from lsx.engine.workspace import Workspace
from tests.plugins.jobs import StartWorker, WorkerProcess

N = 200_000
CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>'


@pytest.fixture
def boss(rq_ws: Workspace) -> Actor:
    with rq_ws.read() as s:
        return actor_for(s, LOCAL_OWNER)


def _kill_midway(rq_ws: Workspace, boss: Actor, job_id: int, worker: WorkerProcess, at_least: int) -> int:
    """SIGKILL the worker and its horse once the job has done `at_least` items; returns done then."""
    deadline = time.monotonic() + 60
    while True:
        info = get_job(rq_ws, boss, job_id)
        assert info.status in ("queued", "started"), (info, worker.output())
        if info.status == "started" and info.progress_done >= at_least:
            break
        assert time.monotonic() < deadline, worker.output()
        time.sleep(0.02)
    assert info.worker and info.worker.endswith(f":{worker.pid}")
    horses = worker.kill_hard()
    assert len(horses) == 1 and os.getpgid(os.getpid()) != horses[0]
    for pid in (worker.pid, horses[0]):  # both gone, not merely signaled
        _gone(pid)
    return info.progress_done


def _gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and "Z" not in _state(pid):
        assert time.monotonic() < deadline, f"process {pid} survived SIGKILL"
        time.sleep(0.02)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


@pytest.mark.db
def test_killed_worker_job_is_finished_by_another(rq_ws: Workspace, boss: Actor, start_worker: StartWorker) -> None:
    first = start_worker()
    info = run_job(rq_ws, boss, "t.count", {"n": N, "step": 2000, "sleep": 0.02}, background=True)
    second = start_worker()
    done_then = _kill_midway(rq_ws, boss, info.id, first, 20_000)
    final = wait_job(rq_ws, info.id, timeout=60)
    assert final.status == "finished", second.output()
    assert final.attempts == 2
    assert final.result["n"] == N and final.result["attempt"] == 2
    assert final.result["resumed_from"] >= done_then - 2000  # it resumed, it did not start over
    assert final.worker and final.worker.rsplit(":", 1)[0]


def _project(ws: Workspace, boss: Actor) -> int:
    from lsx.engine.projects import create_project

    with ws.session() as s:
        return create_project(s, boss, "big", label_config=CONFIG).id


@pytest.mark.slow
@pytest.mark.db
def test_import_of_200000_tasks_survives_a_killed_worker(
    rq_ws: Workspace, boss: Actor, start_worker: StartWorker, tmp_path: Path
) -> None:
    from lsx.engine.projects import get_project
    from lsx.engine.tasks import count_tasks

    project_id = _project(rq_ws, boss)
    source = tmp_path / "tasks.jsonl"
    with source.open("wb") as fh:
        for i in range(N):
            fh.write(orjson.dumps({"text": f"task {i}"}) + b"\n")
    first = start_worker()
    info = run_job(rq_ws, boss, "import", {"project": project_id, "paths": [str(source)]},
                   project_id=project_id, background=True)
    # The second worker starts after the kill: its start-up takes longer than a fast import runs.
    _kill_midway(rq_ws, boss, info.id, first, 30_000)
    second = start_worker()
    final = wait_job(rq_ws, info.id, timeout=180)
    assert final.status == "finished", (final.error, second.output())
    assert final.attempts == 2
    assert final.result["task_import_id"] == final.params["task_import_id"]  # the same import, resumed
    with rq_ws.read() as s:
        assert count_tasks(s, get_project(s, boss, project_id)) == N
        rows = s.execute(select(func.count()).select_from(Task).where(Task.project_id == project_id)).scalar()
        assert rows == N  # no half-imported leftovers either
        inner = s.execute(select(func.count(func.distinct(Task.inner_id))).where(Task.project_id == project_id))
        assert inner.scalar() == N


@pytest.mark.slow
def test_export_of_200000_tasks_survives_a_killed_worker(
    rq_ws: Workspace, boss: Actor, start_worker: StartWorker, tmp_path: Path
) -> None:
    project_id = _project(rq_ws, boss)
    source = tmp_path / "tasks.jsonl"
    with source.open("wb") as fh:
        for i in range(N):
            fh.write(orjson.dumps({"text": f"task {i}"}) + b"\n")
    assert run_job(rq_ws, boss, "import", {"project": project_id, "paths": [str(source)]},
                   project_id=project_id).ok
    out = tmp_path / "out" / "export.json"
    first = start_worker()
    info = run_job(rq_ws, boss, "export", {"project": project_id, "fmt": "JSON", "out": str(out)},
                   project_id=project_id, background=True)
    # The second worker starts after the kill: its start-up takes longer than the export runs.
    _kill_midway(rq_ws, boss, info.id, first, 20_000)
    second = start_worker()
    assert not out.exists()  # never a truncated file under the real name
    final = wait_job(rq_ws, info.id, timeout=180)
    assert final.status == "finished", (final.error, second.output())
    assert final.attempts == 2
    tasks = json.loads(out.read_text())
    assert len(tasks) == N and tasks[-1]["data"]["text"] == f"task {N - 1}"
    assert [p.name for p in out.parent.iterdir()] == ["export.json"]  # the killed attempt's temp file is gone
