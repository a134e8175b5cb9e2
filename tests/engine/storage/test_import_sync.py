"""Import sync against real emulators (S3 on moto, GCS emulator, Azurite) and local folders."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from lsx.engine.access.actor import Actor
from lsx.engine.storage import create_storage, get_storage, storage_json, sync_storage
from lsx.engine.storage.models import StorageObject
from lsx.engine.workspace import Workspace
from tests.engine.storage.conftest import TEXT_CONFIG, Store, tasks_of


def _sync(ws: Workspace, owner: Actor, sid: int, **kw: object) -> dict:
    out = sync_storage(ws, owner, sid, **kw)  # type: ignore[arg-type]
    assert out.job is None or out.job.status == "finished", out.job
    assert out.result is not None
    return out.result


def test_blob_urls_one_task_per_object_regex_and_resync(store: Store, sws: Workspace, owner: Actor,
                                                         make_project) -> None:
    pid = make_project()
    for name in ("a.jpg", "b.jpg", "c.png", "notes.txt"):
        store.put(f"imgs/{name}", f"pixels of {name}")
    store.put("imgs/deeper/d.jpg", "deep")
    row = create_storage(sws, owner, pid, store.type, {
        **store.fields, "prefix": "imgs", "regex_filter": r"imgs/.*\.(jpg|png)$", "use_blob_urls": True})
    first = _sync(sws, owner, row.id)
    assert (first["added"], first["new_objects"], first["failed"]) == (3, 3, 0)  # not recursive, txt filtered
    uris = sorted(t.data["image"] for t in tasks_of(sws, pid))
    backend_uri = {"s3": f"s3://{store.bucket}/imgs/", "gcs": f"gs://{store.bucket}/imgs/",
                   "azure": f"azure-blob://{store.bucket}/imgs/",
                   "localfiles": f"/data/local-files/?d={store.bucket}/imgs/"}[store.type]
    assert uris == [backend_uri + n for n in ("a.jpg", "b.jpg", "c.png")]

    again = _sync(sws, owner, row.id)
    assert (again["added"], again["unchanged"], again["listed"]) == (0, 3, 3)
    assert len(tasks_of(sws, pid)) == 3
    info = storage_json(sws, get_storage(sws, owner, row.id))
    assert info["status"] == "completed" and info["last_sync_count"] == 0
    assert {"added", "updated", "removed", "failed", "duration"} <= set(info["meta"])

    store.put("imgs/e.jpg", "new")
    store.put("imgs/deeper/f.jpg", "new")
    assert _sync(sws, owner, row.id)["added"] == 1


def test_task_files_streamed_with_file_and_item_errors(store: Store, sws: Workspace, owner: Actor,
                                                       make_project) -> None:
    pid = make_project(TEXT_CONFIG)
    store.put("tasks/a.json", json.dumps([{"data": {"text": f"t{i}"}} for i in range(3)]))
    store.put("tasks/b.jsonl", '{"text": "bare"}\n{"data": "not an object"}\n{"data": {"text": "ok"}}\n')
    store.put("tasks/c.json", json.dumps({"data": {"text": "single"}, "predictions": [
        {"result": [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}]}]}))
    row = create_storage(sws, owner, pid, store.type, {**store.fields, "prefix": "tasks"})
    res = _sync(sws, owner, row.id)
    assert res["added"] == 4 and res["failed"] == 1
    assert any("b.jsonl: item 1" in e for e in res["errors"]), res["errors"]
    texts = sorted(t.data["text"] for t in tasks_of(sws, pid))
    assert texts == ["single", "t0", "t1", "t2"]

    res = _sync(sws, owner, row.id, skip_invalid=True)
    assert res["added"] == 2 and res["failed"] == 1  # b.jsonl's good items; its bad item reported again
    assert len(tasks_of(sws, pid)) == 6
    assert _sync(sws, owner, row.id)["added"] == 0


def test_changed_and_deleted_objects_follow_the_policies(store: Store, sws: Workspace, owner: Actor,
                                                         make_project) -> None:
    from lsx.engine.annotations import create_annotation

    pid = make_project(TEXT_CONFIG)
    store.put("t/one.json", json.dumps([{"text": "one-a"}, {"text": "one-b"}]))
    store.put("t/two.json", json.dumps([{"text": "two"}]))
    store.put("t/three.json", json.dumps([{"text": "three"}]))
    row = create_storage(sws, owner, pid, store.type, {**store.fields, "prefix": "t"})
    assert _sync(sws, owner, row.id)["added"] == 4

    store.put("t/one.json", json.dumps([{"text": "one-A"}, {"text": "one-b"}, {"text": "one-c"}]))
    dry = _sync(sws, owner, row.id, dry_run=True, on_change="update")
    assert dry["plan"]["changed"] == ["t/one.json"] and dry["dry_run"]
    kept = _sync(sws, owner, row.id)  # default: keep
    assert kept["changed_objects"] == 1 and kept["updated"] == 0
    assert sorted(t.data["text"] for t in tasks_of(sws, pid))[:2] == ["one-a", "one-b"]
    upd = _sync(sws, owner, row.id, on_change="update")
    assert (upd["updated"], upd["added"]) == (2, 1)
    assert sorted(t.data["text"] for t in tasks_of(sws, pid)) == ["one-A", "one-b", "one-c", "three", "two"]
    assert _sync(sws, owner, row.id, on_change="update")["changed_objects"] == 0

    two = next(t for t in tasks_of(sws, pid) if t.data["text"] == "two")
    with sws.session() as s:
        create_annotation(s, owner, two.id, result=[
            {"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}])
    store.delete("t/two.json")
    store.delete("t/three.json")
    assert _sync(sws, owner, row.id)["deleted_objects"] == 2  # keep
    assert len(tasks_of(sws, pid)) == 5
    marked = _sync(sws, owner, row.id, on_delete="mark")
    assert marked["marked"] == 2
    assert sum(1 for t in tasks_of(sws, pid) if t.meta.get("storage_object_deleted")) == 2
    assert _sync(sws, owner, row.id, on_delete="mark")["marked"] == 0  # nothing new to do
    removed = _sync(sws, owner, row.id, on_delete="remove")
    assert removed["removed"] == 1  # the annotated task stays without --force
    assert sorted(t.data["text"] for t in tasks_of(sws, pid)) == ["one-A", "one-b", "one-c", "two"]
    forced = _sync(sws, owner, row.id, on_delete="remove", force=True)
    assert forced["removed"] == 1
    assert sorted(t.data["text"] for t in tasks_of(sws, pid)) == ["one-A", "one-b", "one-c"]
    with sws.read() as s:
        assert s.scalar(select(func.count()).select_from(StorageObject)) == 1
