"""Tasks served to the UIs (task GET, the task list, `/next`) carry storage URIs as the task's
resolve URLs; the stored data keeps the URIs."""

from __future__ import annotations

import base64
from typing import Any

from lsx.engine.access.actor import Actor
from lsx.engine.workspace import Workspace
from tests.engine.storage.conftest import IMAGE_CONFIG, Store, tasks_of


def resolve_url(task_id: int, uri: str) -> str:
    return f"/tasks/{task_id}/resolve/?fileuri={base64.urlsafe_b64encode(uri.encode()).decode()}"


async def _project(org: Any, tasks: list[dict[str, Any]]) -> int:
    pid = (await org.client.post("/api/projects/", json={"title": "m", "label_config": IMAGE_CONFIG})).json()["id"]
    r = await org.client.post(f"/api/projects/{pid}/import", json=tasks)
    assert r.status == 201, r.text
    return int(pid)


async def test_uris_of_the_projects_import_storages_are_rewritten(ws: Workspace, org_a: Any) -> None:
    from lsx.engine.storage import create_storage

    mine, other_bucket = "s3://media/imgs/a.jpg", "s3://elsewhere/b.jpg"
    blob = "azure-blob://box/c.png"
    data = {"image": mine, "extra": {"list": [mine, other_bucket, "https://x.org/s3://media/z"]}, "blob": blob,
            "n": 3}
    pid = await _project(org_a, [data])
    bare = await _project(org_a, [data])  # no storage: data as stored
    for kind, type_name, bucket in (("import", "s3", "media"), ("import", "azure", "box"),
                                    ("export", "gcs", "elsewhere")):
        fields = {"bucket": bucket, "container": bucket, "endpoint_url": "http://127.0.0.1:9"}
        create_storage(ws, org_a.actor, pid, type_name, fields, kind=kind, validate=False)
    (task,) = tasks_of(ws, pid)
    want = {"image": resolve_url(task.id, mine), "blob": resolve_url(task.id, blob), "n": 3,
            "extra": {"list": [resolve_url(task.id, mine), other_bucket, "https://x.org/s3://media/z"]}}

    got = (await org_a.client.get(f"/api/tasks/{task.id}/")).json()
    assert got["data"] == want
    listed = (await org_a.client.get("/api/tasks/", params={"project": pid})).json()
    assert [t["data"] for t in listed["tasks"]] == [want]
    raw = (await org_a.client.get("/api/tasks/", params={"project": pid, "resolve_uri": "false"})).json()
    assert [t["data"] for t in raw["tasks"]] == [data]
    nxt = await org_a.client.get(f"/api/projects/{pid}/next/")
    assert nxt.status == 200 and nxt.json()["data"] == want
    assert tasks_of(ws, pid)[0].data == data  # stored as imported

    (plain,) = tasks_of(ws, bare)
    assert (await org_a.client.get(f"/api/tasks/{plain.id}/")).json()["data"] == data
    assert [t["data"] for t in (await org_a.client.get("/api/tasks/", params={"project": bare})).json()["tasks"]] \
        == [data]
    assert (await org_a.client.get(f"/api/projects/{bare}/next/")).json()["data"] == data


async def test_the_served_url_fetches_the_object(store: Store, sws: Workspace, owner: Actor, org_a: Any) -> None:
    """End to end on each emulator: the URL in the served task is the one that gets the media."""
    pid = (await org_a.client.post("/api/projects/", json={"title": "m", "label_config": IMAGE_CONFIG})).json()["id"]
    body = b"\x89PNG" + bytes(range(200))
    store.put("media/pic.png", body)
    created = await org_a.client.post(f"/api/storages/{store.type}/", json={
        "project": pid, **store.fields, "prefix": "media", "use_blob_urls": True})
    assert created.status == 201, created.text
    synced = await org_a.client.post(f"/api/storages/{store.type}/{created.json()['id']}/sync")
    from lsx.engine.jobs import wait_job

    wait_job(sws, synced.json()["last_sync_job"], timeout=30)
    (task,) = tasks_of(sws, pid)
    served = (await org_a.client.get(f"/api/tasks/{task.id}/")).json()["data"]["image"]
    if store.type == "localfiles":
        assert served == task.data["image"] and served.startswith("/data/local-files/?d=")
        return
    assert served == resolve_url(task.id, task.data["image"])
    r = await org_a.client.get(served)
    assert r.status == 303, r.text
    import urllib.request

    with urllib.request.urlopen(r.headers["Location"], timeout=10) as fetched:
        assert fetched.read() == body
