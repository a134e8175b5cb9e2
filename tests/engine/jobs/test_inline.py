"""The inline backend (no Redis at all): records, retries, cron-safety, cancel, recovery, events."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

import tests.engine.jobs.sample_kinds  # noqa: F401
from lsx.engine.access.actor import Actor
from lsx.engine.access.users import create_user
from lsx.engine.db.models import utcnow
from lsx.engine.errors import Conflict, InputError, NotFound
from lsx.engine.jobs import (
    JobBusy,
    cancel_job,
    export_status,
    get_job,
    list_jobs,
    register_kind,
    retry_job,
    run_job,
    run_job_async,
    storage_status,
    submit_job,
    subscribe,
    wait_job,
)
from lsx.engine.jobs.inline import InlineQueue
from lsx.engine.jobs.models import Job
from lsx.engine.jobs.recovery import reap_stale
from lsx.engine.workspace import Workspace


@pytest.mark.db
def test_inline_job_records_result_progress_and_submitter(ws: Workspace, owner: Actor) -> None:
    info = run_job(ws, owner, "t.count", {"n": 25_000, "step": 1000})
    assert isinstance(ws.jobs, InlineQueue)
    assert info.status == "finished" and info.ok
    assert info.result == {"n": 25_000, "resumed_from": 0, "attempt": 1}
    assert (info.progress_done, info.progress_total) == (25_000, 25_000)
    assert info.attempts == 1 and info.backend == "inline"
    assert info.created_by_id == owner.id
    assert info.started_at and info.finished_at and info.finished_at >= info.started_at
    assert get_job(ws, owner, info.id).as_json()["progress"] == {"done": 25_000, "total": 25_000,
                                                                  "message": "counting"}


def test_progress_callback_sees_every_report(ws: Workspace, owner: Actor) -> None:
    seen: list[int] = []
    run_job(ws, owner, "t.count", {"n": 5000, "step": 1000}, progress=lambda d, t=None, m="": seen.append(d))
    assert seen == [1000, 2000, 3000, 4000, 5000]


@pytest.mark.db
def test_failing_job_is_retried_with_backoff_then_fails_with_traceback(ws: Workspace, owner: Actor) -> None:
    failed: list[int] = []
    unsubscribe = subscribe("job.failed", lambda name, job: failed.append(job.id))
    try:
        started = time.monotonic()
        info = run_job(ws, owner, "t.fail", {})
        elapsed = time.monotonic() - started
    finally:
        unsubscribe()
    assert info.status == "failed" and info.attempts == 3
    assert info.error == "RuntimeError: boom on attempt 3"
    assert "Traceback" in (info.traceback or "") and "sample_kinds.py" in (info.traceback or "")
    assert elapsed >= 0.3 + 0.6 - 0.05  # backoff 0.3 s, then 0.6 s
    assert failed == [info.id]
    assert [j.id for j in list_jobs(ws, owner, status="failed")] == [info.id]


def test_retry_runs_an_ended_job_again(ws: Workspace, owner: Actor, tmp_path) -> None:
    flag = tmp_path / "broken"
    flag.touch()
    info = run_job(ws, owner, "t.fail", {"flag": str(flag)})
    assert info.status == "failed"
    flag.unlink()
    again = retry_job(ws, owner, info.id)
    assert again.id == info.id and again.status == "finished" and again.attempts == 1
    assert again.error is None


def test_user_errors_are_not_retried(ws: Workspace, owner: Actor) -> None:
    info = run_job(ws, owner, "t.user_error", {})
    assert info.status == "failed" and info.attempts == 1
    assert info.error == "tasks.json line 3: no 'data'"


def test_unknown_kind_and_background_without_redis_are_refused(ws: Workspace, owner: Actor) -> None:
    with pytest.raises(InputError, match="unknown job kind 'nope'"):
        run_job(ws, owner, "nope", {})
    with pytest.raises(InputError, match="--background needs LSX_REDIS_URL"):
        run_job(ws, owner, "t.tiny", {}, background=True)


def test_inline_timeout_stops_at_a_progress_report(ws: Workspace, owner: Actor) -> None:
    register_kind("t.slow_progress", lambda ws, a, p, h: [h.progress(i) or time.sleep(0.05) for i in range(100)],
                  timeout=1, max_attempts=1)
    info = run_job(ws, owner, "t.slow_progress", {})
    assert info.status == "failed" and "ran longer than its limit of 1s" in (info.error or "")


def _in_thread(fn, *args, **kwargs) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn(*args, **kwargs)), daemon=True)
    thread.start()
    return thread, out


def _wait_status(ws: Workspace, owner: Actor, job_id: int, status: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while get_job(ws, owner, job_id).status != status:
        assert time.monotonic() < deadline, f"job {job_id} never became {status}"
        time.sleep(0.02)


def _first_job(ws: Workspace, owner: Actor, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while not (jobs := list_jobs(ws, owner)):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return jobs[0].id


@pytest.mark.db
def test_second_job_for_the_same_target_is_busy_or_waits(ws: Workspace, owner: Actor) -> None:
    thread, _ = _in_thread(run_job, ws, owner, "t.locked", {"key": "a", "seconds": 0.6})
    first = _first_job(ws, owner)
    with pytest.raises(JobBusy, match=f"job {first} \\(t.locked\\) is already") as exc:
        run_job(ws, owner, "t.locked", {"key": "a", "seconds": 0})
    assert exc.value.job_id == first
    other = run_job(ws, owner, "t.locked", {"key": "b", "seconds": 0})  # another target runs at once
    assert other.ok
    waited = run_job(ws, owner, "t.locked", {"key": "a", "seconds": 0}, wait=True)
    assert waited.ok and get_job(ws, owner, first).ok  # it ran after the first one ended
    thread.join(5)
    assert len(list_jobs(ws, owner, status="finished")) == 3


def test_cancel_a_running_inline_job_stops_it_at_the_next_report(ws: Workspace, owner: Actor) -> None:
    thread, out = _in_thread(run_job, ws, owner, "t.forever", {})
    job_id = _first_job(ws, owner)
    _wait_status(ws, owner, job_id, "started")
    info = cancel_job(ws, owner, job_id)
    assert info.status == "canceled"
    thread.join(5)
    assert not thread.is_alive()
    final = out[0]
    assert final.status == "canceled" and not final.stopping and final.error == f"canceled by {owner.email}"
    with pytest.raises(Conflict, match="already ended"):
        cancel_job(ws, owner, job_id)


def test_a_dead_inline_runner_is_detected_and_its_target_freed(ws: Workspace, owner: Actor) -> None:
    info = run_job(ws, owner, "t.locked", {"key": "k", "seconds": 0})
    # Pretend a process died mid-run: started, holding the target, heartbeat long ago.
    with ws.session() as s:
        s.execute(update(Job).where(Job.id == info.id).values(
            status="started", active_target=info.target, finished_at=None,
            heartbeat_at=utcnow() - timedelta(minutes=5)))
    jobs = list_jobs(ws, owner)  # listing reaps
    assert jobs[0].status == "failed" and "no heartbeat" in (jobs[0].error or "")
    assert f"lsx job retry {info.id}" in (jobs[0].error or "")
    assert run_job(ws, owner, "t.locked", {"key": "k", "seconds": 0}).ok
    assert reap_stale(ws) == []


def test_submit_runs_in_a_thread_pool_and_wait_follows_it(ws: Workspace, owner: Actor) -> None:
    info = submit_job(ws, owner, "t.count", {"n": 3000, "step": 1000, "sleep": 0.05})
    assert info.status in ("queued", "started")
    seen: list[int] = []
    done = wait_job(ws, info.id, lambda d, t=None, m="": seen.append(d), poll=0.01)
    assert done.ok and done.result["n"] == 3000
    assert seen and seen[-1] == 3000


async def test_run_job_async_keeps_the_event_loop_free(ws: Workspace, owner: Actor) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    info = await run_job_async(ws, owner, "t.locked", {"key": "async", "seconds": 0.3})
    ticker.cancel()
    assert info.ok and ticks >= 10


def test_jobs_are_visible_to_their_submitter_and_managers_only(ws: Workspace, owner: Actor) -> None:
    from lsx.engine.access.users import actor_for

    with ws.session() as s:
        create_user(s, owner, "ann@example.com", role="annotator")
        create_user(s, owner, "other@example.com", role="annotator")
    with ws.read() as s:
        ann, other = actor_for(s, "ann@example.com"), actor_for(s, "other@example.com")
    mine = run_job(ws, ann, "t.tiny", {"x": 1})
    assert mine.result == {"echo": 1, "attempt": 1, "actor": "ann@example.com"}
    assert [j.id for j in list_jobs(ws, owner)] == [mine.id]
    assert list_jobs(ws, other) == []
    with pytest.raises(NotFound):
        get_job(ws, other, mine.id)


def test_status_maps_to_label_studio_words() -> None:
    assert [export_status(s) for s in ("queued", "started", "finished", "failed", "canceled")] == [
        "created", "in_progress", "completed", "failed", "failed"]
    assert storage_status("") == "initialized"
    assert storage_status("queued") == "queued"
    assert storage_status("started") == "in_progress"
    assert storage_status("finished", {"errors": 0}) == "completed"
    assert storage_status("finished", {"errors": 2}) == "completed_with_errors"
    assert storage_status("failed") == "failed"
