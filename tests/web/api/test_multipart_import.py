"""File uploads to the import endpoint over real HTTP (multipart), in the formats lsx reads."""

from __future__ import annotations

import json
from typing import Any

import httpx

from lsx.engine.access.actor import Actor
from lsx.engine.workspace import Workspace
from tests.plugins.api import TEXT_CONFIG, api_token


def test_multipart_upload_imports_every_file(ws: Workspace, owner: Actor, live_server: Any) -> None:
    from lsx.engine.projects import create_project

    with ws.session() as s:
        pid = create_project(s, owner, "uploads", label_config=TEXT_CONFIG).id
    token = api_token(ws, owner)
    files = [
        ("file", ("a.json", json.dumps([{"text": "one"}, {"text": "two"}]), "application/json")),
        ("file", ("b.csv", "text\nthree\nfour\n", "text/csv")),
        ("file", ("c.txt", "five\n", "text/plain")),
    ]
    r = httpx.post(f"{live_server.url}/api/projects/{pid}/import", files=files,
                   headers={"Authorization": f"Token {token}"}, timeout=30)
    assert r.status_code == 201, r.text
    assert r.json()["task_count"] == 5
    listed = httpx.get(f"{live_server.url}/api/tasks/?project={pid}",
                       headers={"Authorization": f"Token {token}"}, timeout=30).json()
    assert sorted(t["data"]["text"] for t in listed["tasks"]) == ["five", "four", "one", "three", "two"]


def test_multipart_upload_with_a_bad_file_imports_nothing(ws: Workspace, owner: Actor, live_server: Any) -> None:
    from lsx.engine.projects import create_project

    with ws.session() as s:
        pid = create_project(s, owner, "uploads", label_config=TEXT_CONFIG).id
    token = api_token(ws, owner)
    files = [
        ("file", ("good.json", json.dumps([{"text": "one"}]), "application/json")),
        ("file", ("bad.csv", "text,x\nonly-one-field\n", "text/csv")),
    ]
    r = httpx.post(f"{live_server.url}/api/projects/{pid}/import", files=files,
                   headers={"Authorization": f"Token {token}"}, timeout=30)
    assert r.status_code == 400, r.text
    assert "bad.csv" in json.dumps(r.json())
    listed = httpx.get(f"{live_server.url}/api/tasks/?project={pid}",
                       headers={"Authorization": f"Token {token}"}, timeout=30).json()
    assert listed["total"] == 0
