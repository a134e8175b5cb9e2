"""A worker and its work-horse SIGKILLed in the middle of a 50,000-object sync: the retried sync ends
with exactly one task per object."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from lsx.engine.access.users import LOCAL_OWNER, actor_for
from lsx.engine.db.models import Task
from lsx.engine.jobs import get_job, wait_job
from lsx.engine.settings import load_settings
from lsx.engine.storage import create_storage, sync_storage
from lsx.engine.storage.models import StorageLink, StorageObject
from lsx.engine.workspace import Workspace
from tests.engine.storage.conftest import IMAGE_CONFIG
from tests.plugins.jobs import StartWorker

N = 50_000


def test_killed_worker_sync_retries_to_exactly_one_task_per_object(
    rq_ws: Workspace, start_worker: StartWorker, tmp_path: Path
) -> None:
    from lsx.engine.projects import create_project

    root = tmp_path / "files"
    big = root / "big"
    big.mkdir(parents=True)
    for i in range(N):
        (big / f"{i:06d}.jpg").touch()
    # Workers read their settings from LSX_HOME/lsx.toml too: that is how they learn the root.
    Path(rq_ws.settings.home, "lsx.toml").write_text(f'local_files_root = "{root}"\n')
    rq_ws.settings = load_settings()
    with rq_ws.read() as s:
        boss = actor_for(s, LOCAL_OWNER)
    with rq_ws.session() as s:
        pid = create_project(s, boss, "big", label_config=IMAGE_CONFIG).id
    sid = create_storage(rq_ws, boss, pid, "local", {"path": "big", "use_blob_urls": True}).id

    first = start_worker()
    job = sync_storage(rq_ws, boss, sid, background=True).job
    assert job is not None
    second = start_worker()
    deadline = time.monotonic() + 120
    while True:
        info = get_job(rq_ws, boss, job.id)
        assert info.status in ("queued", "started"), (info, first.output())
        with rq_ws.read() as s:
            landed = s.scalar(select(func.count()).select_from(StorageObject))
        if info.status == "started" and landed >= 5_000:
            break
        assert time.monotonic() < deadline, first.output()
        time.sleep(0.02)
    assert landed < N, "the sync ended before it could be killed"
    horses = first.kill_hard()
    assert horses, "the sync ran in a work-horse"

    final = wait_job(rq_ws, job.id, timeout=120)
    assert final.status == "finished", (final.error, second.output())
    assert final.attempts == 2
    assert final.result["added"] <= N - landed  # it carried on, it did not start over
    with rq_ws.read() as s:
        tasks = s.scalar(select(func.count()).select_from(Task).where(Task.project_id == pid))
        distinct = s.scalar(select(func.count(func.distinct(Task.data))).where(Task.project_id == pid))
        objects = s.scalar(select(func.count()).select_from(StorageObject))
        links = s.scalar(select(func.count()).select_from(StorageLink))
    assert (tasks, objects, links) == (N, N, N)
    assert distinct == N
