"""Start private services on free loopback ports. In CI (CI=true) a missing service fails, never skips."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def missing(what: str) -> None:
    """A service we cannot start: fail in CI, skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available")


PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A private PostgreSQL cluster; yields a base URL without the database name."""
    if not (PG_BIN / "initdb").exists():
        missing("PostgreSQL (initdb)")
    data = tempfile.mkdtemp(prefix="lsx-pg-")
    shutil.chown(data, "postgres", "postgres") if os.geteuid() == 0 else None
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    port = free_port()
    subprocess.run(
        [*run_as, str(PG_BIN / "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
         "--no-instructions"],
        check=True,
        capture_output=True,
    )
    started = subprocess.run(
        [*run_as, str(PG_BIN / "pg_ctl"), "-D", data, "-l", f"{data}/server.log", "-w", "-o",
         f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
         "-c full_page_writes=off -c max_connections=100 -c shared_buffers=32MB", "start"],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        log = Path(data, "server.log")
        detail = log.read_text()[-2000:] if log.exists() else started.stderr
        raise RuntimeError(f"PostgreSQL did not start: {detail}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


_pg_counter = 0


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database in the private cluster for one test."""
    import psycopg

    global _pg_counter
    _pg_counter += 1
    name = f"lsx_test_{os.getpid()}_{_pg_counter}"
    with psycopg.connect(postgres_server.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres_server}/{name}"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private redis-server on a free port, nothing persisted."""
    exe = shutil.which("redis-server")
    if exe is None:
        missing("redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)
