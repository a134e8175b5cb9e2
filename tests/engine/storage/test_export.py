"""Export storages: written back on annotation save (a job per batch) and by a full sync."""

from __future__ import annotations

import json
import time

from lsx.engine.access.actor import Actor
from lsx.engine.storage import create_storage, sync_storage
from lsx.engine.storage.hooks import flush_exports
from lsx.engine.workspace import Workspace
from tests.engine.storage.conftest import TEXT_CONFIG, Store

CHOICE = {"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}


def _tasks(ws: Workspace, owner: Actor, pid: int, n: int) -> list[int]:
    from lsx.engine.imports import import_body

    return import_body(ws, owner, pid, json.dumps([{"text": f"t{i}"} for i in range(n)]).encode()).task_ids


def _wait_for(check, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_export_on_save_and_full_sync(store: Store, sws: Workspace, owner: Actor, make_project) -> None:
    from lsx.engine.annotations import create_annotation, delete_annotation, update_annotation

    pid = make_project(TEXT_CONFIG)
    t1, t2, t3 = _tasks(sws, owner, pid, 3)
    with sws.session() as s:
        before = create_annotation(s, owner, t3, result=[CHOICE]).id  # exists before the storage
    row = create_storage(sws, owner, pid, store.type, {**store.fields, "prefix": "out", "can_delete_objects": True},
                         kind="export")
    tasks_row = create_storage(sws, owner, pid, store.type, {**store.fields, "prefix": "bytask", "layout": "task"},
                               kind="export")
    with sws.session() as s:
        a1 = create_annotation(s, owner, t1, result=[CHOICE]).id
        a2 = create_annotation(s, owner, t2, result=[]).id
    _wait_for(lambda: store.exists(f"out/{a1}") and store.exists(f"out/{a2}"))  # the timer submitted the job
    body = json.loads(store.read(f"out/{a1}"))
    assert body["id"] == a1 and body["result"] == [CHOICE]
    assert body["task"]["id"] == t1 and body["task"]["data"] == {"text": "t0"} and "annotations" not in body["task"]
    assert body["completed_by"]["email"] == owner.email
    _wait_for(lambda: store.exists(f"bytask/{t1}.json"))
    by_task = json.loads(store.read(f"bytask/{t1}.json"))
    assert by_task["id"] == t1 and [a["id"] for a in by_task["annotations"]] == [a1]
    assert not store.exists(f"out/{before}")
    assert not [k for k in store.keys("out") if "lsx-tmp" in k]  # written under a temporary key, then moved

    with sws.session() as s:
        update_annotation(s, owner, a2, result=[CHOICE])
    flush_exports(wait=True)
    assert json.loads(store.read(f"out/{a2}"))["result"] == [CHOICE]

    full = sync_storage(sws, owner, row.id)
    assert full.ok and full.result["written"] == 3
    assert sorted(store.keys("out")) == sorted(f"out/{a}" for a in (before, a1, a2))

    with sws.session() as s:
        delete_annotation(s, owner, a1)
    flush_exports(wait=True)
    assert not store.exists(f"out/{a1}")  # can_delete_objects
    with sws.session() as s:
        delete_annotation(s, owner, a2)
    flush_exports(wait=True)
    assert store.exists(f"bytask/{t2}.json")  # that storage may not delete
    assert sync_storage(sws, owner, tasks_row.id).result["written"] == 1  # only t3 is annotated now


def test_export_in_another_format(local_store: Store, ws: Workspace, owner: Actor, make_project) -> None:
    from lsx.engine.annotations import create_annotation
    from lsx.engine.settings import load_settings

    ws.settings = load_settings()
    pid = make_project(TEXT_CONFIG)
    (t1,) = _tasks(ws, owner, pid, 1)
    row = create_storage(ws, owner, pid, "local", {**local_store.fields, "format": "csv"}, kind="export")
    with ws.session() as s:
        create_annotation(s, owner, t1, result=[CHOICE])
    flush_exports(wait=True)
    text = local_store.read(f"project-{pid}.csv").decode()
    assert "t0" in text and row.options["format"] == "CSV"
