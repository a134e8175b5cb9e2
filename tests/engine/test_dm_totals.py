"""Project and Data Manager totals read from indexes stay exactly what a scan of the visible tasks
gives: with annotations, skips, predictions, labeled tasks, deletions, and an import in progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import case, func, select

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Task
from lsx.engine.dm import TaskQuery, list_tasks_page
from lsx.engine.imports import BatchWriter, Validators, begin_import, prepare_item, run_import
from lsx.engine.projects import create_project, get_project, project_counts, task_totals
from lsx.engine.visibility import task_visible
from lsx.engine.workspace import Workspace

CONFIG = (Path(__file__).parent.parent / "fixtures" / "cli" / "sentiment.xml").read_text()
CHOICE = {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}
# Every task of the project: the filter is always true but not trivially so, so the list takes
# the scanning path the totals are checked against.
ALL = {"filters": {"conjunction": "and", "items": [
    {"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": 0}]}}


def _item(i: int) -> dict[str, Any]:
    item: dict[str, Any] = {"data": {"text": f"t{i}"}}
    if i % 3 == 0:
        item["annotations"] = [{"result": [CHOICE]}]
    if i % 4 == 0:
        item["annotations"] = [*item.get("annotations", []), {"result": [], "was_cancelled": True}]
    if i % 5 == 0:
        item["predictions"] = [{"result": [CHOICE], "score": 0.5, "model_version": "m"}] * (1 + i % 2)
    return item


def _scanned(ws: Workspace, project_id: int) -> dict[str, int]:
    """What the counters add up to over a full scan of the visible tasks."""
    t = Task
    with ws.read() as s:
        row = s.execute(select(
            func.count(), func.sum(case((t.total_annotations > 0, 1), else_=0)),
            func.sum(case((t.is_labeled, 1), else_=0)), func.sum(t.total_annotations),
            func.sum(t.cancelled_annotations), func.sum(t.total_predictions),
        ).where(t.project_id == project_id, task_visible())).one()
    keys = ("task_number", "num_tasks_with_annotations", "finished_task_number", "total_annotations_number",
            "skipped_annotations_number", "total_predictions_number")
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


def _check(ws: Workspace, owner: Actor, project_id: int) -> dict[str, int]:
    want = _scanned(ws, project_id)
    with ws.read() as s:
        counts = project_counts(s, [project_id])[project_id]
        fast = list_tasks_page(s, owner, TaskQuery(project_id), page_size=1)
        slow = list_tasks_page(s, owner, TaskQuery(project_id, filters=ALL["filters"]), page_size=1)
    assert {k: counts[k] for k in want} == want
    for page in (fast, slow):
        assert (page["total"], page["total_annotations"], page["total_predictions"]) == (
            want["task_number"], want["total_annotations_number"], want["total_predictions_number"])
    return want


@pytest.mark.db
def test_totals_match_a_scan_through_imports_labels_and_deletes(ws: Workspace, owner: Actor) -> None:
    with ws.session() as s:
        pid = create_project(s, owner, "P", label_config=CONFIG).id
        other = create_project(s, owner, "Q", label_config=CONFIG).id
        empty = create_project(s, owner, "E", label_config=CONFIG).id
    run_import(ws, owner, pid, ((f"i{i}", _item(i)) for i in range(60)))
    run_import(ws, owner, other, ((f"i{i}", _item(i)) for i in range(7)))
    want = _check(ws, owner, pid)
    assert want["task_number"] == 60 and want["skipped_annotations_number"] == 15
    assert want["finished_task_number"] > 0 and want["total_predictions_number"] == 12 + 6

    # An import in progress: its rows (with annotations and predictions) are in the tables but
    # count nowhere until it commits.
    import_id = begin_import(ws, owner, pid, source="half")
    with ws.read() as s:
        project = get_project(s, owner, pid)
        s.expunge(project)
    writer = BatchWriter(ws, owner, project, import_id)
    v = Validators(project)
    writer.flush([prepare_item(_item(i), f"h{i}", v, []) for i in range(30)], 30)
    assert _check(ws, owner, pid) == want

    # Work on visible tasks moves every total, and deleting tasks takes theirs away.
    from lsx.engine.annotations import create_annotation
    from lsx.engine.tasks import delete_tasks

    with ws.read() as s:
        ids = list(s.scalars(select(Task.id).where(Task.project_id == pid, task_visible()).order_by(Task.id)))
    with ws.session() as s:
        create_annotation(s, owner, ids[1], result=[CHOICE])
        create_annotation(s, owner, ids[2], result=[], was_cancelled=True)
    with ws.session() as s:
        delete_tasks(s, owner, [ids[0], ids[3], ids[5]])
    after = _check(ws, owner, pid)
    assert after["task_number"] == 57

    with ws.read() as s:
        many = task_totals(s, [pid, other, empty])
        assert many[empty].tasks == 0 and many[empty].annotations == 0
        assert many[other].tasks == 7 and many[pid].tasks == 57
        assert list_tasks_page(s, owner, TaskQuery(empty))["total"] == 0


def test_totals_read_indexes_not_the_tasks_table(ws: Workspace, owner: Actor) -> None:
    """On SQLite every part of the totals statement is an index search (no SCAN of tasks)."""
    from sqlalchemy import event

    with ws.session() as s:
        pid = create_project(s, owner, "P", label_config=CONFIG).id
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if "UNION ALL" in statement:
            seen.append((statement, params))

    event.listen(ws.engine, "before_cursor_execute", capture)
    try:
        with ws.read() as s:
            task_totals(s, [pid])
    finally:
        event.remove(ws.engine, "before_cursor_execute", capture)
    (statement, params), = seen
    with ws.engine.connect() as conn:
        plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
    on_tasks = [p for p in plan if " tasks " in f"{p} "]
    assert on_tasks and all(p.startswith("SEARCH") for p in on_tasks), plan
    assert any("ix_tasks_project_counted" in p for p in plan), plan
