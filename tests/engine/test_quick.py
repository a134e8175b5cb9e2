"""The SQLite fast path of `lsx project list` answers exactly as the full path does."""

from __future__ import annotations

from pathlib import Path

from lsx.engine.access.actor import Actor
from lsx.engine.imports import begin_import, run_import
from lsx.engine.projects import create_project, list_projects, project_counts
from lsx.engine.quick import project_rows
from lsx.engine.workspace import Workspace

CONFIG = (Path(__file__).parent.parent / "fixtures" / "cli" / "sentiment.xml").read_text()


def test_quick_project_rows_match_full_path(ws: Workspace, owner: Actor) -> None:
    with ws.session() as s:
        a = create_project(s, owner, "A", label_config=CONFIG).id
        create_project(s, owner, "B", label_config=CONFIG)
    result = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Neutral"]}}]
    run_import(ws, owner, a, iter([("x", {"text": "one"}), ("y", {"data": {"text": "two"},
                                                                 "annotations": [{"result": result}]})]))
    # A pending import with a batch written: its tasks are counted by neither path.
    from lsx.engine.imports import BatchWriter, Validators, prepare_item
    from lsx.engine.projects import get_project

    pending = begin_import(ws, owner, a)
    with ws.read() as s:
        project = get_project(s, owner, a)
        s.expunge(project)
    writer = BatchWriter(ws, owner, project, pending)
    items = [("p", {"data": {"text": "hidden"}, "annotations": [{"result": result}]}), ("q", {"text": "hidden too"})]
    writer.flush([prepare_item(item, w, Validators(project), []) for w, item in items], 2)
    rows = project_rows(ws.settings)
    assert rows is not None
    with ws.read() as s:
        projects = list_projects(s, owner)
        counts = project_counts(s, [p.id for p in projects])
    assert [(r["id"], r["tasks"], r["labeled"], r["annotations"]) for r in rows] == [
        (p.id, counts[p.id]["task_number"], counts[p.id]["finished_task_number"],
         counts[p.id]["total_annotations_number"]) for p in projects
    ]
    assert rows[0]["tasks"] == 2 and rows[0]["labeled"] == 1


def test_quick_path_declines_when_it_cannot_answer(ws: Workspace, tmp_path: Path) -> None:
    from lsx.engine.settings import load_settings

    assert project_rows(load_settings(env={"LSX_HOME": str(tmp_path / "empty")})) is None
    assert project_rows(load_settings(env={"LSX_HOME": str(tmp_path), "LSX_USER": "ghost@example.com",
                                           "LSX_DATABASE_URL": ws.settings.database_url})) is None
