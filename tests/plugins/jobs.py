"""Job fixtures: a clean Redis per test, a workspace that uses it, and real `lsx worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lsx.engine.settings import load_settings
from lsx.engine.workspace import Workspace, open_workspace

REPO = Path(__file__).resolve().parents[2]
SAMPLE_KINDS = "tests.engine.jobs.sample_kinds"
HEARTBEAT_TIMEOUT = 3  # seconds; production default is 60


@pytest.fixture
def rq_url(redis_url: str) -> str:
    """The session's private Redis, emptied for this test (each xdist process has its own server)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return redis_url


@pytest.fixture
def rq_ws(database: str, rq_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A workspace (SQLite, or PostgreSQL for `db` tests) whose jobs go to RQ."""
    import tests.engine.jobs.sample_kinds  # noqa: F401  (the sample kinds, as the workers know them)

    monkeypatch.setenv("LSX_DATABASE_URL", database)
    monkeypatch.setenv("LSX_REDIS_URL", rq_url)
    monkeypatch.setenv("LSX_JOB_HEARTBEAT_TIMEOUT", str(HEARTBEAT_TIMEOUT))
    workspace = open_workspace(load_settings())
    try:
        yield workspace
    finally:
        workspace.close()


@dataclass
class WorkerProcess:
    proc: subprocess.Popen[bytes]
    log: Path
    extra: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def horses(self) -> list[int]:
        """The worker's child processes: its work-horse while it runs a job."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:
                children.append(int(stat.parent.name))
        return children

    def kill_hard(self) -> list[int]:
        """SIGKILL the worker's process group and its work-horse's (RQ puts the horse in a group of
        its own, so killing the worker's group alone would leave the horse running)."""
        horses = self.horses()
        for pid in [*horses, self.pid]:
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(10)
        return horses

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


StartWorker = Callable[..., WorkerProcess]


@pytest.fixture
def start_worker(rq_ws: Workspace, tmp_path: Path) -> Iterator[StartWorker]:
    """Start real `lsx worker` processes on the test's database and Redis; stopped at teardown."""
    started: list[WorkerProcess] = []

    def start(*args: str, burst: bool = False, wait_ready: bool = True) -> WorkerProcess:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LSX_")},
            "LSX_HOME": rq_ws.settings.home,
            "LSX_DATABASE_URL": rq_ws.settings.database_url,
            "LSX_REDIS_URL": rq_ws.settings.redis_url,
            "LSX_JOB_HEARTBEAT_TIMEOUT": str(rq_ws.settings.job_heartbeat_timeout),
            "PYTHONPATH": str(REPO),
        }
        log = tmp_path / f"worker-{len(started)}.log"
        cmd = [sys.executable, "-m", "lsx", "worker", "--poll", "0.2", "--with", SAMPLE_KINDS, *args]
        if burst:
            cmd.append("--burst")
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        worker = WorkerProcess(proc, log)
        started.append(worker)
        if wait_ready and not burst:
            _wait_registered(rq_ws.settings.redis_url, proc, log)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _wait_registered(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    """Wait until the worker registered itself in Redis (it is then listening)."""
    import redis
    from rq import Worker

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        if any(w.pid == proc.pid for w in Worker.all(connection=client)):
            return
        time.sleep(0.05)
    raise TimeoutError(f"worker {proc.pid} did not start:\n{log.read_text(errors='replace')}")
