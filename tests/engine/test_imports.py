"""Imports are invisible until they commit, resumable, and purged when abandoned."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Task, TaskImport
from lsx.engine.errors import InputError
from lsx.engine.imports import BATCH_SIZE, import_files, purge_abandoned_imports, run_import
from lsx.engine.projects import create_project
from lsx.engine.settings import load_settings
from lsx.engine.tasks import count_tasks
from lsx.engine.workspace import Workspace, open_workspace

CONFIG = (Path(__file__).parent.parent / "fixtures" / "cli" / "sentiment.xml").read_text()


@pytest.fixture
def project_id(ws: Workspace, owner: Actor) -> int:
    with ws.session() as s:
        return create_project(s, owner, "P", label_config=CONFIG).id


def _items(n: int, bad_at: int | None = None):  # type: ignore[no-untyped-def]
    for i in range(n):
        yield f"gen:{i}", ({"data": "broken"} if i == bad_at else {"text": f"t{i}"})


def _visible(ws: Workspace, owner: Actor, project_id: int) -> int:
    from lsx.engine.projects import get_project

    with ws.read() as s:
        return count_tasks(s, get_project(s, owner, project_id))


@pytest.mark.db
def test_tasks_stay_invisible_until_the_import_commits(ws: Workspace, owner: Actor, project_id: int) -> None:
    seen: list[int] = []

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        seen.append(_visible(ws, owner, project_id))

    report = run_import(ws, owner, project_id, _items(BATCH_SIZE * 2 + 5), progress=progress)
    assert report.task_count == BATCH_SIZE * 2 + 5
    assert seen[:-1] == [0, 0]  # batches had landed, nothing was visible
    assert _visible(ws, owner, project_id) == BATCH_SIZE * 2 + 5


@pytest.mark.db
def test_a_failed_import_leaves_nothing(ws: Workspace, owner: Actor, project_id: int) -> None:
    with pytest.raises(InputError, match="gen:15000: 'data' must be an object"):
        run_import(ws, owner, project_id, _items(20_000, bad_at=15_000))
    with ws.read() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 0
        assert s.scalar(select(func.count()).select_from(TaskImport)) == 0


@pytest.mark.db
def test_a_retry_resumes_after_the_last_committed_batch(ws: Workspace, owner: Actor, project_id: int) -> None:
    from lsx.engine.imports import begin_import

    import_id = begin_import(ws, owner, project_id, source="gen")

    class Crash(BaseException):
        """Stands in for SIGKILL: not an Exception, so it is not handled as a bad input."""

    def crashing():  # type: ignore[no-untyped-def]
        for n, item in enumerate(_items(25_000)):
            if n == BATCH_SIZE * 2 + 3:
                raise Crash
            yield item

    with pytest.raises(Crash):
        run_import(ws, owner, project_id, crashing(), task_import_id=import_id)
    # A BaseException purges too (the process is alive to do it); simulate a killed process by
    # re-creating the state a kill leaves: two committed batches and a pending import row.
    import_id = begin_import(ws, owner, project_id, source="gen")
    from lsx.engine.imports import BatchWriter, Validators, prepare_item
    from lsx.engine.projects import get_project

    with ws.read() as s:
        project = get_project(s, owner, project_id)
        s.expunge(project)
    writer = BatchWriter(ws, owner, project, import_id)
    v = Validators(project)
    items = list(_items(25_000))
    for b in range(2):
        chunk = items[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]
        writer.flush([prepare_item(it, w, v, []) for w, it in chunk], (b + 1) * BATCH_SIZE)
    assert _visible(ws, owner, project_id) == 0
    report = run_import(ws, owner, project_id, iter(items), task_import_id=import_id)
    assert report.task_count == 25_000 - 2 * BATCH_SIZE
    assert _visible(ws, owner, project_id) == 25_000
    with ws.read() as s:
        texts = s.scalars(select(Task.data).order_by(Task.id)).all()
    assert [t["text"] for t in texts] == [f"t{i}" for i in range(25_000)]


def test_an_import_whose_process_died_is_purged_on_next_open(
    ws: Workspace, owner: Actor, project_id: int, tmp_path: Path
) -> None:
    data = tmp_path / "t.jsonl"
    data.write_text("".join(json.dumps({"text": f"x{i}"}) + "\n" for i in range(BATCH_SIZE + 10)))
    # A child process imports one batch and is killed before committing.
    script = (
        "import os, sys\n"
        "from lsx.engine import imports\n"
        "from lsx.engine.workspace import open_workspace\n"
        "from lsx.engine.access.users import actor_for\n"
        "ws = open_workspace()\n"
        "with ws.read() as s: a = actor_for(s, 'admin@localhost')\n"
        "def boom(*args, **kw): os._exit(9)\n"
        "imports._commit = boom\n"
        f"imports.import_files(ws, a, {project_id}, [sys.argv[1]])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(data)], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    with ws.read() as s:
        assert s.scalar(select(func.count()).select_from(Task)) > 0  # rows landed, never committed
    assert _visible(ws, owner, project_id) == 0
    reopened = open_workspace(load_settings())
    try:
        with reopened.read() as s:
            assert s.scalar(select(func.count()).select_from(Task)) == 0
            assert s.scalar(select(func.count()).select_from(TaskImport)) == 0
    finally:
        reopened.close()


def test_a_live_import_elsewhere_is_not_purged(ws: Workspace, owner: Actor, project_id: int) -> None:
    from lsx.engine.imports import begin_import

    import_id = begin_import(ws, owner, project_id)
    with ws.session() as s:
        s.execute(update(TaskImport).where(TaskImport.id == import_id).values(owner="otherhost:1"))
    assert purge_abandoned_imports(ws) == 0
    with ws.read() as s:
        assert s.get(TaskImport, import_id) is not None


def test_import_validates_task_data_against_the_config(ws: Workspace, owner: Actor, project_id: int,
                                                         tmp_path: Path) -> None:
    f = tmp_path / "t.json"
    f.write_text(json.dumps([{"text": "ok"}, {"text": {"nested": True}}]))
    with pytest.raises(InputError) as exc:
        import_files(ws, owner, project_id, [str(f)])
    assert "task 1" in str(exc.value) and "text" in str(exc.value)


@pytest.mark.db
def test_a_project_deleted_during_an_import_fails_it_and_leaves_no_task(
    ws: Workspace, owner: Actor, project_id: int
) -> None:
    """Batches skip SQLite's per-row reference checks, so the writer re-reads the project itself."""
    from lsx.engine.projects import delete_project, get_project

    def items():  # type: ignore[no-untyped-def]
        for i, item in enumerate(_items(BATCH_SIZE * 3)):
            if i == BATCH_SIZE + 5:  # the first batch is handed over: delete the project now
                with ws.session() as s:
                    delete_project(s, owner, get_project(s, owner, project_id))
            yield item

    with pytest.raises(InputError, match=f"project {project_id} was deleted during the import"):
        run_import(ws, owner, project_id, items())
    with ws.read() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 0


def test_a_bad_annotation_result_is_named_by_task_and_annotation(ws: Workspace, owner: Actor, project_id: int) -> None:
    """The clean check runs under the task's name; a failing one is reported under its annotation."""
    good = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]
    bad = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Furious"]}}]
    items = [
        ("f.json: task 0", {"data": {"text": "a"}, "annotations": [{"result": good}]}),
        ("f.json: task 1", {"data": {"text": "b"}, "annotations": [{"result": good}, {"result": bad}]}),
    ]
    with pytest.raises(InputError) as caught:
        run_import(ws, owner, project_id, items)
    assert "f.json: task 1: annotation 1" in str(caught.value) and "Furious" in str(caught.value)
    assert _visible(ws, owner, project_id) == 0
