"""Benchmark of `lsx label` (the Textual TUI, headless); prints ONE JSON line.

Figures (issue 8): startup (import of the TUI, opening the workspace and the project, first task
on screen; target <= 1 s) and submit -> next task on screen (the engine's submit, the prefetched
next task drawn; target <= 50 ms on a 1,000,000-task project), as p50 / p95 over `--rounds`.

Startup is measured twice: in this process (`startup_s`, engine modules already imported by the
set-up) and, as an annotator meets it, in `--startup-runs` fresh interpreters that each go the way
of `lsx label bench` (the CLI's command registration, opening the workspace, the app run headless
until the first task is drawn): the medians of wall time from spawning the process (`wall_s`,
interpreter start included) and of the child's CPU time, all threads (`cpu_s`), plus every run;
`cold_startup` with every module's bytecode cached (an installed lsx), `cold_startup_env_bytecode`
as this environment has it (PYTHONDONTWRITEBYTECODE=1 compiles lsx's own modules on every start).

    python bench/tui.py [--tasks 1000000] [--rounds 50] [--startup-runs 7] [--home DIR]

`--home DIR` keeps the workspace in DIR and reuses it on the next run (the import of a million
tasks takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
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
    t0, c0 = time.perf_counter(), time.process_time()
    from lsx.engine.access.users import LOCAL_OWNER, actor_for
    from lsx.engine.settings import load_settings
    from lsx.engine.workspace import open_workspace
    from lsx.tui.startup import hold_gc

    hold_gc()  # as `lsx label` does; the app collects again after its first paint
    from lsx.tui.app import LabelApp
    from lsx.tui.local import LocalBackend

    ws = open_workspace(load_settings())
    with ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    app = LabelApp(LocalBackend(ws, owner, pid))
    shown: list[float] = []
    first_cpu: list[float] = []
    first = asyncio.get_running_loop().create_future()

    def on_shown() -> None:
        shown.append(time.perf_counter())
        if not first.done():
            first_cpu.append(time.process_time())
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
    return {"startup_s": round(startup, 3), "startup_cpu_s": round(first_cpu[0] - c0, 3),
            "submit_to_next_ms_p50": round(statistics.median(lat), 1),
            "submit_to_next_ms_p95": round(lat[int(len(lat) * 0.95) - 1], 1), "rounds": len(lat)}


def child_startup(project: str) -> None:
    """In a fresh interpreter: what `lsx label PROJECT` does up to the first task on screen, headless.
    Prints one JSON line: wall time since this script started and CPU time since the process began."""
    t0 = time.perf_counter()
    from lsx.cli import app as cli
    from lsx.cli import label_cmd

    cli._register()  # the CLI registers every command group before running one
    if hasattr(label_cmd, "open_app"):
        from lsx.tui.startup import hold_gc

        hold_gc()  # as `lsx label` does (label_cmd.label)
        _, app = label_cmd.open_app(project)
    else:  # an older lsx (a before/after comparison from a git worktree)
        backend = label_cmd._backend(project, None, None)
        from lsx.tui.app import LabelApp
        from lsx.tui.spec import check_terminal_config

        check_terminal_config(label_cmd._probe_tree(backend))
        app = LabelApp(backend)
    got: dict[str, float] = {}

    def on_shown() -> None:
        if not got:
            got.update(at=time.perf_counter(), cpu=time.process_time())
            app.exit(0)

    app.on_shown = on_shown
    app.run(headless=True, size=(100, 30))
    if not got:
        raise SystemExit(f"no task on screen: {app.exit_message or app.message!r}")
    print(json.dumps({"at": got["at"], "script_s": got["at"] - t0, "cpu_s": got["cpu"]}))
    sys.stdout.flush()
    os._exit(0)  # the figure is taken; leave without the teardown (locks expire, nothing is written)


def cold_startup(runs: int, pycache: Path | None) -> dict[str, object]:
    """Median startup of `runs` fresh `lsx label` processes. With `pycache` the bytecode of every
    module is cached there (as in an installed package: pip writes .pyc files), after one warm-up
    run; without, the environment decides (PYTHONDONTWRITEBYTECODE=1 recompiles lsx every time)."""
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    walls, cpus, scripts = [], [], []
    for i in range(runs + (pycache is not None)):
        spawn = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
        done = subprocess.run([sys.executable, __file__, "--child-startup", "bench"], capture_output=True,
                              text=True, check=False, env=env)
        if done.returncode:
            raise SystemExit(f"startup run failed: {done.stderr[-2000:]}")
        if pycache is not None and i == 0:
            continue  # the warm-up run wrote the bytecode
        got = json.loads(done.stdout.strip().splitlines()[-1])
        walls.append(got["at"] - spawn)
        cpus.append(got["cpu_s"])
        scripts.append(got["script_s"])
    return {"wall_s": round(statistics.median(walls), 3), "cpu_s": round(statistics.median(cpus), 3),
            "in_script_s": round(statistics.median(scripts), 3),
            "runs": {"wall_s": [round(x, 3) for x in walls], "cpu_s": [round(x, 3) for x in cpus]}}


def _existing_project(home: Path, tasks: int) -> int | None:
    """The project a previous run left in `home` (its id), if it has `tasks` tasks."""
    marker = home / "bench-ready"
    if not marker.exists():
        return None
    pid, n = (int(x) for x in marker.read_text().split())
    if n != tasks:
        raise SystemExit(f"{home} holds a project of {n} tasks: use another --home")
    return pid


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--home", type=Path, default=None, help="keep (and reuse) the workspace here")
    parser.add_argument("--child-startup", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_startup:
        child_startup(args.child_startup)
        return
    for k in [k for k in os.environ if k.startswith("LSX_")]:
        del os.environ[k]
    with tempfile.TemporaryDirectory(prefix="lsx-bench-tui-") as tmp:
        home = args.home or Path(tmp)
        home.mkdir(parents=True, exist_ok=True)
        os.environ["LSX_HOME"] = str(home)
        pid = _existing_project(home, args.tasks) if args.home else None
        import_s = None
        if pid is None:
            pid, import_s = setup(home, args.tasks)
            if args.home:
                (home / "bench-ready").write_text(f"{pid} {args.tasks}")
        cold = {}
        if args.startup_runs:
            cold["cold_startup"] = cold_startup(args.startup_runs, home / "pycache")
            cold["cold_startup_env_bytecode"] = cold_startup(args.startup_runs, None)
        out = asyncio.run(measure(pid, args.rounds))
    print(json.dumps({"bench": "tui", "tasks": args.tasks, **out, **cold,
                      "import_s": round(import_s, 1) if import_s is not None else None,
                      "cores": os.cpu_count(), "targets": {"startup_s": 1.0, "submit_to_next_ms": 50}}))


if __name__ == "__main__":
    main()
