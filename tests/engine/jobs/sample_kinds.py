"""Tiny job kinds for the tests; `lsx worker --with tests.engine.jobs.sample_kinds` loads them too."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from lsx.engine.errors import InputError
from lsx.engine.jobs import register_kind


def tiny(ws: Any, actor: Any, params: dict[str, Any], handle: Any) -> dict[str, Any]:
    return {"echo": params.get("x"), "attempt": handle.attempt, "actor": actor.email}


def count(ws: Any, actor: Any, params: dict[str, Any], handle: Any) -> dict[str, Any]:
    """Count to n, `sleep` seconds per `step` items; checkpoints so a retry resumes (like an import)."""
    n, step, pause = int(params["n"]), int(params.get("step", 1000)), float(params.get("sleep", 0))
    start = int(params.get("pos", 0))
    pos = start
    while pos < n:
        pos = min(n, pos + step)
        if pause:
            time.sleep(pause)
        handle.remember(pos=pos)
        handle.progress(pos, n, "counting")
    return {"n": pos, "resumed_from": start, "attempt": handle.attempt}


def fail(ws: Any, actor: Any, params: dict[str, Any], handle: Any) -> None:
    """Raises while the flag file exists (or always, without one)."""
    flag = params.get("flag")
    if flag is None or Path(flag).exists():
        raise RuntimeError(f"boom on attempt {handle.attempt}")
    return None


def user_error(ws: Any, actor: Any, params: dict[str, Any], handle: Any) -> None:
    raise InputError("tasks.json line 3: no 'data'")


def forever(ws: Any, actor: Any, params: dict[str, Any], handle: Any) -> None:
    """Reports progress until canceled; `silent` seconds first without any report."""
    time.sleep(float(params.get("silent", 0)))
    i = 0
    while True:
        i += 1
        handle.progress(i, None, "spinning")
        time.sleep(0.01)


def sleeper(ws: Any, actor: Any, params: dict[str, Any], handle: Any) -> dict[str, Any]:
    time.sleep(float(params.get("seconds", 1)))
    return {"slept": params.get("seconds", 1)}


register_kind("t.tiny", tiny, max_attempts=1)
register_kind("t.count", count, retry_delay=0.2)
register_kind("t.fail", fail, max_attempts=3, retry_delay=0.3)
register_kind("t.user_error", user_error)
register_kind("t.forever", forever, max_attempts=1)
register_kind("t.timeout", sleeper, timeout=1, max_attempts=2, retry_delay=0.1)
register_kind("t.locked", sleeper, max_attempts=1, target=lambda project_id, params: f"lock:{params['key']}")
