"""Storage endpoints and media access through the REST API (in-process client), on real emulators."""

from __future__ import annotations

import base64
import urllib.request
from typing import Any

import pytest

from lsx.engine.access.actor import Actor
from lsx.engine.workspace import Workspace
from tests.engine.storage.conftest import IMAGE_CONFIG, Store, make_store, tasks_of


def b64(uri: str) -> str:
    return base64.urlsafe_b64encode(uri.encode()).decode()


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return bytes(r.read())


async def test_media_fetched_through_resolve(store: Store, sws: Workspace, owner: Actor, org_a: Any,
                                             org_b: Any) -> None:
    made = await org_a.client.post("/api/projects/", json={"title": "media", "label_config": IMAGE_CONFIG})
    pid = made.json()["id"]
    body = bytes(range(256)) * 4
    store.put("media/pic.jpg", body)
    api_type = store.type
    created = await org_a.client.post(f"/api/storages/{api_type}/", json={
        "project": pid, **store.fields, "prefix": "media", "use_blob_urls": True, "presign_ttl": 5})
    assert created.status == 201, created.text
    storage = created.json()
    assert not {"aws_secret_access_key", "account_key", "google_application_credentials"} & set(storage)
    synced = await org_a.client.post(f"/api/storages/{api_type}/{storage['id']}/sync")
    assert synced.status == 200 and synced.json()["status"] in ("queued", "in_progress", "completed")
    from lsx.engine.jobs import wait_job

    wait_job(sws, synced.json()["last_sync_job"], timeout=30)
    (task,) = tasks_of(sws, pid)
    uri = task.data["image"]
    path = f"/tasks/{task.id}/resolve/?fileuri={b64(uri)}"

    r = await org_a.client.get(path)
    if store.type == "localfiles":
        assert r.status == 200 and r.body == body  # local files stream from here
    else:
        assert r.status == 303, r.text
        assert _fetch(r.headers["Location"]) == body
    assert (await org_b.client.get(path)).status == 404  # another organization's task
    other = await org_a.client.get(f"/tasks/{task.id}/resolve/?fileuri={b64(uri + 'x')}")
    assert other.status == 403  # not a URI of this task

    patched = await org_a.client.patch(f"/api/storages/{api_type}/{storage['id']}", json={"presign": False})
    assert patched.status == 200 and patched.json()["presign"] is False
    full = await org_a.client.get(path)
    assert full.status == 200 and full.body == body and full.headers["Accept-Ranges"] == "bytes"
    part = await org_a.client.get(path, headers={"Range": "bytes=10-19"})
    assert part.status == 206 and part.body == body[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(body)}"
    tail = await org_a.client.get(path, headers={"Range": "bytes=-5"})
    assert tail.status == 206 and tail.body == body[-5:]
    assert (await org_a.client.get(path, headers={"Range": "bytes=5000-"})).status == 416


TRAVERSALS = [
    "../secret.txt", "imgs/../../secret.txt", "%2e%2e/secret.txt", "%2e%2e%2fsecret.txt", "..%2fsecret.txt",
    "%252e%252e%252fsecret.txt", "..%5csecret.txt", "..\\secret.txt", "/etc/passwd", "//etc/passwd",
    "%2fetc%2fpasswd", "imgs/link/secret.txt", "imgs/..%c0%afsecret.txt", "~/secret.txt", "imgs/%00.jpg",
]


async def test_local_path_traversal_is_403_in_every_form(local_store: Store, ws: Workspace, owner: Actor,
                                                         org_a: Any) -> None:
    from urllib.parse import quote

    from lsx.engine.imports import import_body
    from lsx.engine.settings import load_settings

    ws.settings = load_settings()
    root = local_store.extra["root"]
    (root.parent / "secret.txt").write_text("secret")
    (root / local_store.bucket / "imgs").mkdir()
    (root / local_store.bucket / "imgs" / "ok.jpg").write_bytes(b"ok")
    (root / local_store.bucket / "imgs" / "link").symlink_to(root.parent)
    pid = (await org_a.client.post("/api/projects/", json={"title": "l", "label_config": IMAGE_CONFIG})).json()["id"]
    assert (await org_a.client.post("/api/storages/localfiles/", json={
        "project": pid, "path": local_store.bucket, "use_blob_urls": True})).status == 201
    ok = await org_a.client.get(f"/data/local-files/?d={local_store.bucket}/imgs/ok.jpg")
    assert ok.status == 200 and ok.body == b"ok"
    uris = []
    for variant in TRAVERSALS:
        d = variant if variant.startswith(("/", "~")) or "%" in variant else f"{local_store.bucket}/{variant}"
        for raw in (d, quote(d, safe="")):
            r = await org_a.client.get(f"/data/local-files/?d={raw}")
            assert r.status == 403, (raw, r.status, r.text)
        uris.append(f"/data/local-files/?d={d}")
    report = import_body(ws, owner, pid, b"[" + b",".join(
        b'{"image": "%s"}' % u.replace("\\", "\\\\").encode() for u in uris) + b"]")
    for task_id, uri in zip(report.task_ids, uris, strict=True):
        r = await org_a.client.get(f"/tasks/{task_id}/resolve/?fileuri={b64(uri)}")
        assert r.status == 403, (uri, r.status, r.text)


async def test_wrong_credentials_are_refused_and_nothing_is_saved(
    request: pytest.FixtureRequest, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, ws: Workspace, owner: Actor,
    org_a: Any, moto_auth_server: Any,
) -> None:
    from lsx.engine.errors import InputError
    from lsx.engine.projects import create_project
    from lsx.engine.storage import create_storage, list_storages

    with ws.session() as s:
        pid = create_project(s, owner, "creds", label_config=IMAGE_CONFIG).id
    azure = make_store("azure", request, tmp_path, monkeypatch)
    bad = {**azure.fields, "account_key": base64.b64encode(b"not the key" * 6).decode()}
    with pytest.raises(InputError, match="refused"):
        create_storage(ws, owner, pid, "azure", bad)
    r = await org_a.client.post("/api/storages/export/azure/", json={"project": pid, **bad})
    assert r.status == 400 and "refused" in r.text
    assert (await org_a.client.post("/api/storages/azure/validate", json={"project": pid, **bad})).status == 400
    good_azure = {"project": pid, **azure.fields}
    assert (await org_a.client.post("/api/storages/azure/validate", json=good_azure)).status == 200

    server, creds = moto_auth_server
    fields = {"bucket": "secured", "s3_endpoint": server.endpoint}
    with pytest.raises(InputError, match="secured"):
        create_storage(ws, owner, pid, "s3", {**fields, "aws_access_key_id": creds["aws_access_key_id"],
                                               "aws_secret_access_key": "wrong"})
    with pytest.raises(InputError):
        create_storage(ws, owner, pid, "s3", {**fields, "aws_access_key_id": "AKIAUNKNOWN",
                                               "aws_secret_access_key": "x"})
    assert list_storages(ws, owner) == []
    good = create_storage(ws, owner, pid, "s3", {**fields, **creds})
    shown = (await org_a.client.get(f"/api/storages/s3/{good.id}")).json()
    assert "aws_secret_access_key" not in shown and "aws_access_key_id" not in shown
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["aws_access_key_id"])  # credentials from the environment
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["aws_secret_access_key"])
    assert create_storage(ws, owner, pid, "s3", fields).credentials == {}
