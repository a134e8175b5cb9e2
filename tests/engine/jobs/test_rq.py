"""The RQ backend against a real Redis and real `lsx worker` processes."""

from __future__ import annotations

import time

import orjson
import pytest
import redis

from lsx.engine.access.actor import Actor
from lsx.engine.access.users import LOCAL_OWNER, actor_for
from lsx.engine.jobs import cancel_job, get_job, list_jobs, retry_job, run_job, submit_job, wait_job
from lsx.engine.jobs.rq_backend import PROGRESS_CHANNEL, RqQueue
from lsx.engine.workspace import Workspace
from tests.plugins.jobs import StartWorker


@pytest.fixture
def boss(rq_ws: Workspace) -> Actor:
    with rq_ws.read() as s:
        return actor_for(s, LOCAL_OWNER)


def _until(check, timeout: float = 20, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.db
def test_background_job_runs_on_a_worker(rq_ws: Workspace, boss: Actor, start_worker: StartWorker) -> None:
    assert isinstance(rq_ws.jobs, RqQueue)
    worker = start_worker()
    info = run_job(rq_ws, boss, "t.tiny", {"x": 7}, background=True)
    # Submission returns at once; the idle worker may have claimed the job by then.
    assert info.backend == "rq" and info.status in ("queued", "started", "finished")
    done = wait_job(rq_ws, info.id, timeout=20)
    assert done.status == "finished", worker.output()
    assert done.result == {"echo": 7, "attempt": 1, "actor": LOCAL_OWNER}
    assert done.worker and done.worker.endswith(f":{worker.pid}")  # claimed by that worker


def test_run_with_background_and_wait_returns_the_ended_job(
    rq_ws: Workspace, boss: Actor, start_worker: StartWorker
) -> None:
    start_worker()
    seen: list[int] = []
    info = run_job(rq_ws, boss, "t.count", {"n": 3000, "step": 1000, "sleep": 0.3}, background=True, wait=True,
                   progress=lambda d, t=None, m="": seen.append(d))
    assert info.ok and info.result["n"] == 3000
    assert seen[-1] == 3000 and len(seen) >= 2


def test_failing_job_retries_with_backoff_and_ends_failed_then_retry_reruns_it(
    rq_ws: Workspace, boss: Actor, start_worker: StartWorker, tmp_path
) -> None:
    flag = tmp_path / "broken"
    flag.touch()
    start_worker()
    info = run_job(rq_ws, boss, "t.fail", {"flag": str(flag)}, background=True)
    done = wait_job(rq_ws, info.id, timeout=30)
    assert done.status == "failed" and done.attempts == 3
    assert done.error == "RuntimeError: boom on attempt 3"
    assert "Traceback" in (done.traceback or "") and "raise RuntimeError" in (done.traceback or "")
    # backoff: 0.3 s then 0.6 s between the three attempts
    assert (done.finished_at - done.created_at).total_seconds() >= 0.85
    assert [j.id for j in list_jobs(rq_ws, boss, status="failed")] == [info.id]
    flag.unlink()
    again = retry_job(rq_ws, boss, info.id)
    assert again.status == "queued"
    final = wait_job(rq_ws, info.id, timeout=20)
    assert final.status == "finished" and final.attempts == 1 and final.error is None


def test_cancel_a_queued_job_removes_it(rq_ws: Workspace, boss: Actor, start_worker: StartWorker) -> None:
    info = run_job(rq_ws, boss, "t.tiny", {"x": 1}, background=True)
    canceled = cancel_job(rq_ws, boss, info.id)
    assert canceled.status == "canceled" and not canceled.stopping
    client = redis.Redis.from_url(rq_ws.settings.redis_url)
    assert client.llen("rq:queue:default") == 0
    later = run_job(rq_ws, boss, "t.tiny", {"x": 2}, background=True)
    start_worker()
    assert wait_job(rq_ws, later.id, timeout=20).ok
    assert get_job(rq_ws, boss, info.id).status == "canceled"
    assert get_job(rq_ws, boss, info.id).attempts == 0


def test_cancel_a_running_job_stops_it_cooperatively(
    rq_ws: Workspace, boss: Actor, start_worker: StartWorker
) -> None:
    start_worker()
    info = run_job(rq_ws, boss, "t.forever", {}, background=True)
    _until(lambda: get_job(rq_ws, boss, info.id).progress_done > 0, what="progress")
    assert cancel_job(rq_ws, boss, info.id).status == "canceled"
    final = wait_job(rq_ws, info.id, timeout=10)
    assert final.status == "canceled" and not final.stopping and final.finished_at is not None
    # The worker is free again.
    assert wait_job(rq_ws, run_job(rq_ws, boss, "t.tiny", {}, background=True).id, timeout=20).ok


def test_kind_timeout_is_enforced_by_the_worker(rq_ws: Workspace, boss: Actor, start_worker: StartWorker) -> None:
    start_worker()
    info = run_job(rq_ws, boss, "t.timeout", {"seconds": 30}, background=True)
    done = wait_job(rq_ws, info.id, timeout=30)
    assert done.status == "failed" and done.attempts == 2
    assert "JobTimeoutException" in (done.error or "")


def test_submit_job_goes_to_redis_when_configured(rq_ws: Workspace, boss: Actor, start_worker: StartWorker) -> None:
    info = submit_job(rq_ws, boss, "t.tiny", {"x": 3})
    assert info.backend == "rq"
    start_worker()
    assert wait_job(rq_ws, info.id, timeout=20).result["echo"] == 3


def test_progress_is_published_at_least_every_10000_items(
    rq_ws: Workspace, boss: Actor, start_worker: StartWorker
) -> None:
    client = redis.Redis.from_url(rq_ws.settings.redis_url)
    sub = client.pubsub()
    sub.subscribe(PROGRESS_CHANNEL)
    start_worker()
    info = run_job(rq_ws, boss, "t.count", {"n": 100_000, "step": 2500}, background=True)
    assert wait_job(rq_ws, info.id, timeout=30).ok
    events = []
    while (msg := sub.get_message(timeout=0.5)) is not None or not events:
        if msg and msg["type"] == "message":
            events.append(orjson.loads(msg["data"]))
    done = [e["done"] for e in events if e["job_id"] == info.id]
    assert done[-1] == 100_000
    gaps = [b - a for a, b in zip([0, *done], done, strict=False)]
    assert max(gaps) <= 10_000, done


def test_burst_worker_drains_the_queue_and_exits(rq_ws: Workspace, boss: Actor, start_worker: StartWorker) -> None:
    ids = [run_job(rq_ws, boss, "t.tiny", {"x": i}, background=True).id for i in range(5)]
    worker = start_worker(burst=True)
    assert worker.proc.wait(30) == 0, worker.output()
    assert [get_job(rq_ws, boss, i).status for i in ids] == ["finished"] * 5
