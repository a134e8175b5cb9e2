"""Start-up of `lsx label`: the first task is drawn before the progress counts and the history are
asked for; the counts are right when an import has not committed; no server-side module is imported
on the local path; the garbage collector is held only until the first paint."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading

from sqlalchemy import insert

from lsx.tui.app import LabelApp
from lsx.tui.backend import Progress
from tests.tui.conftest import SIZE
from tests.tui.test_classification import CONFIG


class SlowCounts:
    """A backend whose progress count and history wait until the test lets them go."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.gate = threading.Event()
        self.asked: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def progress(self) -> Progress:
        self.asked.append("progress")
        self.gate.wait(10)
        return self.inner.progress()

    def history(self) -> list[int]:
        self.asked.append("history")
        self.gate.wait(10)
        return self.inner.history()


async def test_first_task_is_drawn_before_the_counts_arrive(make_project, backend_for):
    pid = make_project(CONFIG, [{"text": "a"}, {"text": "b"}])
    backend = SlowCounts(backend_for(pid))
    app = LabelApp(backend, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        assert app.current is not None and app.current.data == {"text": "a"}
        assert app.progress is None and "remaining" not in str(app.query_one("#top").render())
        backend.gate.set()
        await app.progress_loaded.wait()
        await pilot.pause()
        assert app.progress == Progress(0, 2, 2)
        assert "done 0 · remaining 2" in str(app.query_one("#top").render())
        await pilot.press("q")
    assert backend.asked[:1] == ["history"] and "progress" in backend.asked


async def test_pgup_waits_for_a_history_still_loading(make_project, backend_for):
    pid = make_project(CONFIG, [{"text": "a"}, {"text": "b"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter", "q")
        await pilot.pause()
    backend = SlowCounts(backend_for(pid))
    app = LabelApp(backend, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        assert app.current is not None and app.current.data == {"text": "b"}
        threading.Timer(0.2, backend.gate.set).start()
        await pilot.press("pageup")  # the previous session's task comes from the history
        assert app.current.data == {"text": "a"} and app.pos is not None
        await pilot.press("q")


def test_progress_leaves_out_tasks_of_an_import_that_has_not_committed(make_project, backend_for, ws):
    from lsx.engine.db.models import IMPORT_PENDING, Task, TaskImport

    pid = make_project(CONFIG, [{"text": "a"}, {"text": "b"}, {"text": "c"}])
    backend = backend_for(pid)
    assert backend.progress() == Progress(0, 3, 3)
    with ws.session() as s:
        imp = TaskImport(project_id=pid, state=IMPORT_PENDING)
        s.add(imp)
        s.flush()
        s.execute(insert(Task), [{"project_id": pid, "data": {"text": "pending"}, "task_import_id": imp.id}])
    assert backend.progress() == Progress(0, 3, 3)


def test_local_path_imports_no_server_modules() -> None:
    code = (
        "import sys\n"
        "from lsx.cli import label_cmd\n"
        "import lsx.tui.app, lsx.tui.local, lsx.engine.sampling, lsx.engine.workspace\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'psycopg', 'rq', 'redis', 'aiohttp', 'fsspec', 'httpx', 'alembic', 'uvicorn', 'starlette'} "
        "or m.startswith(('lsx.web', 'lsx.engine.jobs')))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_gc_is_held_until_release_and_only_if_it_was_on() -> None:
    from lsx.tui.startup import hold_gc, release_gc

    assert gc.isenabled()
    try:
        hold_gc()
        assert not gc.isenabled()
        release_gc()
        assert gc.isenabled()
        gc.disable()  # someone else's choice: left alone
        hold_gc()
        release_gc()
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
