"""Behaviour of the API beyond the SDK: body cap, slashes, auth schemes, pagination, the Data
Manager, validation errors, exports as jobs and the docs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugins.api import CHOICE, TEXT_CONFIG, OrgUser


async def _project(c: Any, n: int = 5) -> int:
    pid = (await c.post("/api/projects/", json={"title": "p", "label_config": TEXT_CONFIG})).json()["id"]
    r = await c.post(f"/api/projects/{pid}/import", json=[{"text": f"t{i}", "n": i} for i in range(n)])
    assert r.status == 201, r.text
    return pid


async def test_trailing_slash_is_optional_without_redirect(org_a: OrgUser) -> None:
    for path in ("/api/projects", "/api/projects/", "/api/version", "/api/version/"):
        assert (await org_a.client.get(path)).status == 200


async def test_body_over_the_cap_is_413(ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from lsx.web.client import Client
    from lsx.web.server import make_app
    from tests.plugins.api import api_token

    monkeypatch.setitem(ws.settings.values, "LSX_MAX_BODY_MB", 1)
    from lsx.engine.access.users import LOCAL_OWNER, actor_for

    with ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    c = Client(make_app(ws), token=api_token(ws, owner))
    r = await c.post("/api/projects/1/import", data=b"[" + b'{"text":"x"},' * 100_000 + b"{}]",
                     headers={"Content-Type": "application/json"})
    assert r.status == 413 and r.json()["status_code"] == 413


async def test_version_reports_community_edition(anon: Any) -> None:
    r = await anon.get("/api/version/")
    assert r.status == 200 and r.json()["edition"] == "Community"
    assert (await anon.get("/health")).json() == {"status": "UP"}


async def test_pat_refresh_gives_bearer_access_and_blacklist_revokes(org_a: OrgUser, anon: Any) -> None:
    pat = (await org_a.client.post("/api/token/")).json()["token"]
    access = (await anon.post("/api/token/refresh/", json={"refresh": pat})).json()["access"]
    bearer = anon.with_headers(Authorization=f"Bearer {access}")
    assert (await bearer.get("/api/current-user/whoami")).json()["email"] == org_a.actor.email
    assert (await anon.post("/api/token/refresh/", json={"refresh": access})).status == 401
    assert (await org_a.client.post("/api/token/blacklist/", json={"refresh": pat})).status == 204
    assert (await anon.post("/api/token/refresh/", json={"refresh": pat})).status == 401


async def test_session_cookie_needs_csrf_for_writes(ws: Any, anon: Any) -> None:
    from tests.plugins.api import make_org

    make_org(ws, "Org S", "s@example.com")
    r = await anon.post("/user/login/", json={"email": "s@example.com", "password": "wrong"})
    assert r.status == 401
    r = await anon.post("/user/login/", json={"email": "s@example.com", "password": "secret-pass"})
    assert r.status == 200
    csrf = r.json()["csrf_token"]
    assert (await anon.get("/api/projects/")).status == 200
    body = {"title": "x", "label_config": TEXT_CONFIG}
    assert (await anon.post("/api/projects/", json=body)).status == 403
    assert (await anon.post("/api/projects/", json=body, headers={"X-CSRFToken": csrf})).status == 201
    assert (await anon.post("/user/logout/")).status == 204
    assert (await anon.get("/api/projects/")).status == 401


async def test_task_pages_and_404_past_the_last(org_a: OrgUser) -> None:
    pid = await _project(org_a.client, 5)
    r = await org_a.client.get("/api/tasks/", params={"project": pid, "page_size": 2, "page": 3})
    body = r.json()
    assert r.status == 200 and len(body["tasks"]) == 1 and body["total"] == 5
    assert (await org_a.client.get("/api/tasks/", params={"project": pid, "page_size": 2, "page": 4})).status == 404


async def test_data_manager_query_filters_and_orders(org_a: OrgUser) -> None:
    import json

    pid = await _project(org_a.client, 6)
    query = {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:data.n", "operator": "greater_or_equal", "type": "Number", "value": 3}]},
        "ordering": ["-tasks:id"]}
    r = await org_a.client.get("/api/tasks/", params={"project": pid, "query": json.dumps(query)})
    assert [t["data"]["n"] for t in r.json()["tasks"]] == [5, 4, 3]
    bad = {"filters": {"items": [{"filter": "filter:tasks:nope", "operator": "equal", "value": 1}]}}
    r = await org_a.client.get("/api/tasks/", params={"project": pid, "query": json.dumps(bad)})
    assert r.status == 400 and "filters.items[0]" in r.json()["validation_errors"]


async def test_views_and_actions(org_a: OrgUser) -> None:
    pid = await _project(org_a.client, 4)
    await org_a.client.post(f"/api/projects/{pid}/import", json=[{"text": "t0", "n": 0}])
    view = (await org_a.client.post("/api/dm/views/", json={"project": pid, "data": {"filters": {
        "conjunction": "and", "items": [{"filter": "filter:tasks:data.text", "operator": "equal",
                                         "type": "String", "value": "t0"}]}}})).json()
    r = await org_a.client.get("/api/tasks/", params={"view": view["id"]})
    assert r.json()["total"] == 2
    r = await org_a.client.post("/api/dm/actions/", params={"id": "remove_duplicates", "project": pid},
                                json={"selectedItems": {"all": True, "excluded": []}})
    assert r.json()["processed_items"] == 1
    r = await org_a.client.post("/api/dm/actions/", params={"id": "delete_tasks", "project": pid},
                                json={"view": view["id"], "selectedItems": {"all": True}})
    assert r.json()["processed_items"] == 1
    assert (await org_a.client.get("/api/tasks/", params={"project": pid})).json()["total"] == 3


async def test_import_validation_names_task_index_and_field(org_a: OrgUser) -> None:
    pid = await _project(org_a.client, 1)
    r = await org_a.client.post(f"/api/projects/{pid}/import", json=[{"text": "ok"}, {"data": {"other": 1}}])
    assert r.status == 400
    assert any(k.startswith("tasks[1]") for k in r.json()["validation_errors"]), r.json()
    assert (await org_a.client.get("/api/tasks/", params={"project": pid})).json()["total"] == 1  # nothing half-written


async def test_annotation_result_is_validated(org_a: OrgUser) -> None:
    pid = await _project(org_a.client, 1)
    task = (await org_a.client.get("/api/tasks/", params={"project": pid})).json()["tasks"][0]
    bad = {**CHOICE, "value": {"choices": ["Nope"]}}
    r = await org_a.client.post(f"/api/tasks/{task['id']}/annotations/", json={"result": [bad]})
    assert r.status == 400 and r.json()["validation_errors"]
    r = await org_a.client.post(f"/api/tasks/{task['id']}/annotations/", json={"result": [CHOICE]})
    assert r.status == 201


async def test_next_task_locks_and_heartbeat(org_a: OrgUser) -> None:
    pid = await _project(org_a.client, 3)
    first = (await org_a.client.get(f"/api/projects/{pid}/next")).json()
    assert first["queue"] and first["unique_lock_id"]
    second = (await org_a.client.get(f"/api/projects/{pid}/next", params={"exclude": first["id"]})).json()
    assert second["id"] != first["id"]
    assert (await org_a.client.post(f"/api/tasks/{first['id']}/lock/heartbeat/")).status == 200
    assert (await org_a.client.delete(f"/api/tasks/{first['id']}/lock/")).status == 204
    history = (await org_a.client.get(f"/api/projects/{pid}/label-stream-history/")).json()
    assert {h["task_id"] for h in history} >= {first["id"], second["id"]}


async def test_snapshot_export_runs_as_a_job(ws: Any, org_a: OrgUser) -> None:
    from lsx.engine.jobs import wait_job

    pid = await _project(org_a.client, 3)
    snap = (await org_a.client.post(f"/api/projects/{pid}/exports/", json={"title": "s"})).json()
    wait_job(ws, snap["id"], timeout=30)
    got = (await org_a.client.get(f"/api/projects/{pid}/exports/{snap['id']}")).json()
    assert got["status"] == "completed" and got["md5"]
    r = await org_a.client.get(f"/api/projects/{pid}/exports/{snap['id']}/download")
    assert r.status == 200 and len(r.json()) == 3


async def test_openapi_responses_list_required_and_forbid_others(anon: Any) -> None:
    doc = (await anon.get("/docs/api/schema/")).json()
    assert doc["openapi"].startswith("3.1")
    comps = doc["components"]["schemas"]

    def resolve(s: dict[str, Any]) -> dict[str, Any]:
        return comps[s["$ref"].rsplit("/", 1)[1]] if "$ref" in s else s

    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, resp in op["responses"].items():
                if not status.startswith("2"):
                    continue
                for media in resp.get("content", {}).values():
                    schema = resolve(media["schema"])
                    if schema.get("type") == "array":
                        schema = resolve(schema["items"])
                    if schema.get("type") == "object":
                        assert schema.get("additionalProperties") is False, (method, path)
                        assert "required" in schema, (method, path)
    assert (await anon.get("/docs/api")).status == 200
