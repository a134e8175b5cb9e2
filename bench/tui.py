"""Benchmark of `lsx label` (the Textual TUI, headless); prints ONE JSON line.

Figures (issue 8): startup (import of the TUI, opening the workspace and the project, first task
on screen; target <= 1 s) and submit -> next task on screen (the engine's submit, the prefetched
next task drawn; target <= 50 ms on a 1,000,000-task project), as p50 / p95 over `--rounds`.

    python bench/tui.py [--tasks 1000000] [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CONFIG = ('<View><Header value="Sentiment of this review"/><Text name="text" value="$text"/>'
          '<Choices name="sentiment" toName="text" choice="single">'
          '<Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/></Choices></View>')


def setup(home: Path, n: int) -> tuple[int, float]:
    """A project with `n` text tasks, imported through the engine's import pipeline."""
    from lsx.engine.access.users import LOCAL_OWNER, actor_for
    from lsx.engine.imports import import_files
    from lsx.engine.projects import create_project
    from lsx.engine.settings import load_settings
    from lsx.engine.workspace import open_workspace

    ws = open_workspace(load_settings())
    with ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    with ws.session() as s:
        pid = create_project(s, owner, "bench", label_config=CONFIG).id
    path = home / "tasks.jsonl"
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps({"text": f"Review {i}: the product arrived on time and works as described."}))
            fh.write("\n")
    t = time.perf_counter()
    import_files(ws, owner, pid, [str(path)])
    took = time.perf_counter() - t
    path.unlink()
    ws.close()
    return pid, took


async def measure(pid: int, rounds: int) -> dict[str, float]:
    t0 = time.perf_counter()
    from lsx.engine.access.users import LOCAL_OWNER, actor_for
    from lsx.engine.settings import load_settings
    from lsx.engine.workspace import open_workspace
    from lsx.tui.app import LabelApp
    from lsx.tui.local import LocalBackend

    ws = open_workspace(load_settings())
    with ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    app = LabelApp(LocalBackend(ws, owner, pid))
    shown: list[float] = []
    first = asyncio.get_running_loop().create_future()

    def on_shown() -> None:
        shown.append(time.perf_counter())
        if not first.done():
            first.set_result(None)

    app.on_shown = on_shown
    submits: list[float] = []
    original = app.action_submit

    async def timed_submit() -> None:
        submits.append(time.perf_counter())
        await original()

    app.action_submit = timed_submit  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await asyncio.wait_for(first, 60)
        startup = shown[0] - t0
        for _ in range(rounds):
            await pilot.press("1")
            await asyncio.sleep(0.05)  # the annotator's think time: the prefetch lands meanwhile
            before = len(shown)
            await pilot.press("enter")
            deadline = time.perf_counter() + 10
            while len(shown) == before:
                if time.perf_counter() > deadline:
                    raise SystemExit(f"no next task on screen after submit: {app.message!r}")
                await asyncio.sleep(0.001)
        await pilot.press("q")
    lat = [(s - b) * 1000 for b, s in zip(submits, shown[1:], strict=False)]
    lat.sort()
    ws.close()
    return {"startup_s": round(startup, 3), "submit_to_next_ms_p50": round(statistics.median(lat), 1),
            "submit_to_next_ms_p95": round(lat[int(len(lat) * 0.95) - 1], 1), "rounds": len(lat)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lsx-bench-tui-") as tmp:
        for k in [k for k in os.environ if k.startswith("LSX_")]:
            del os.environ[k]
        os.environ["LSX_HOME"] = tmp
        pid, import_s = setup(Path(tmp), args.tasks)
        out = asyncio.run(measure(pid, args.rounds))
    print(json.dumps({"bench": "tui", "tasks": args.tasks, **out, "import_s": round(import_s, 1),
                      "cores": os.cpu_count(), "targets": {"startup_s": 1.0, "submit_to_next_ms": 50}}))


if __name__ == "__main__":
    main()
