"""The server's fast paths answer exactly as the slow ones: token authentication (one Core
statement, cached briefly), the `/next` body and the created annotation (prebuilt reads)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugins.api import CHOICE, TEXT_CONFIG, OrgUser, api_token

pytestmark = pytest.mark.db  # SQLite's raw fast path and PostgreSQL's Core path alike


async def test_revoked_token_and_inactive_user_answer_401(ws: Any, org_a: OrgUser) -> None:
    from lsx.engine import auth_tokens
    from lsx.engine.access.tokens import list_tokens, revoke_token
    from lsx.engine.access.users import create_user
    from lsx.engine.db.models import User

    with ws.session() as s:
        user = create_user(s, org_a.actor, "ann@a.example", role="annotator")
    key = api_token(ws, org_a.actor.__class__(user.id, user.email, org_a.actor.organization_id, "annotator"))
    c = org_a.client.with_headers(Authorization=f"Token {key}")
    who = (await c.get("/api/current-user/whoami")).json()
    assert who["email"] == "ann@a.example"
    assert (await org_a.client.with_headers(Authorization="Token nope").get("/api/projects/")).status == 401
    with ws.session() as s:
        s.get(User, user.id).is_active = False
    auth_tokens.forget_cached()
    assert (await c.get("/api/projects/")).status == 401
    with ws.session() as s:
        s.get(User, user.id).is_active = True
    auth_tokens.forget_cached()
    assert (await c.get("/api/projects/")).status == 200
    with ws.session() as s:
        prefix = next(t.prefix for t, _ in list_tokens(s, org_a.actor, s.get(User, user.id)))
        revoke_token(s, org_a.actor, prefix)
    auth_tokens.forget_cached()
    r = await c.get("/api/projects/")
    assert r.status == 401 and r.json()["status_code"] == 401


async def test_token_of_a_member_of_two_orgs_acts_in_the_active_one(ws: Any, org_a: OrgUser, org_b: OrgUser) -> None:
    from lsx.engine import auth_tokens
    from lsx.engine.db.models import Membership, User

    with ws.session() as s:
        s.add(Membership(organization_id=org_b.actor.organization_id, user_id=org_a.actor.id, role="annotator"))
    auth_tokens.forget_cached()
    assert (await org_a.client.get("/api/current-user/whoami")).json()["email"] == org_a.actor.email
    mine = (await org_a.client.post("/api/projects/", json={"title": "a", "label_config": TEXT_CONFIG})).json()["id"]
    with ws.session() as s:
        s.get(User, org_a.actor.id).active_organization_id = org_b.actor.organization_id
    auth_tokens.forget_cached()
    assert (await org_a.client.get(f"/api/projects/{mine}/")).status == 404  # now acting in B


async def test_next_body_has_task_predictions_and_own_drafts(ws: Any, org_a: OrgUser) -> None:
    c = org_a.client
    pid = (await c.post("/api/projects/", json={"title": "p", "label_config": TEXT_CONFIG,
                                                 "show_collab_predictions": True})).json()["id"]
    r = await c.post(f"/api/projects/{pid}/import",
                     json=[{"data": {"text": "one"}, "predictions": [{"result": [CHOICE], "score": 0.5,
                                                                       "model_version": "m1"}]}])
    assert r.status == 201, r.text
    first = (await c.get(f"/api/projects/{pid}/next")).json()
    task = first["id"]
    assert [p["model_version"] for p in first["predictions"]] == ["m1"] and first["drafts"] == []
    assert (await c.post(f"/api/tasks/{task}/drafts", json={"result": [CHOICE]})).status == 201
    again = (await c.get(f"/api/projects/{pid}/next")).json()
    assert again["id"] == task and len(again["drafts"]) == 1 and again["drafts"][0]["result"] == [CHOICE]
    full = (await c.get(f"/api/tasks/{task}")).json()
    for key in ("data", "meta", "created_at", "updated_at", "is_labeled", "overlap", "inner_id", "project",
                "total_predictions", "allow_skip", "file_upload", "updated_by"):
        assert again[key] == full[key], key
    await c.patch(f"/api/projects/{pid}/", json={"model_version": "other"})
    assert (await c.get(f"/api/projects/{pid}/next")).json()["predictions"] == []
    created = await c.post(f"/api/tasks/{task}/annotations/", json={"result": [CHOICE], "lead_time": 2.5})
    assert created.status == 201
    body = created.json()
    assert body == (await c.get(f"/api/annotations/{body['id']}/")).json()
    assert body["lead_time"] == 2.5 and body["completed_by"] == org_a.actor.id


async def test_large_bodies_are_checked_off_the_loop_with_the_same_answers(org_a: OrgUser) -> None:
    from lsx.web.api.dispatch import BIG_BODY

    c = org_a.client
    pid = (await c.post("/api/projects/", json={"title": "big", "label_config": TEXT_CONFIG})).json()["id"]
    n = BIG_BODY // 40 + 1000
    tasks: list[dict[str, Any]] = [{"text": f"task {i} " + "x" * 30} for i in range(n)]
    tasks[-1] = {"text": "9223372036854775808 in a string is fine", "n": 9223372036854775808}
    r = await c.post(f"/api/projects/{pid}/import", json=tasks)
    assert r.status == 400 and r.json()["validation_errors"] == {f"[{n - 1}].n": [f"[{n - 1}].n: integer out of range"]}
    tasks[-1] = {"text": "9223372036854775808 in a string is fine", "n": 9223372036854775807}
    r = await c.post(f"/api/projects/{pid}/import", json=tasks)
    assert r.status == 201 and r.json()["task_count"] == n
    r = await c.post(f"/api/projects/{pid}/import", data=b"[" * (BIG_BODY + 1),
                     headers={"Content-Type": "application/json"})
    assert r.status == 400 and "invalid JSON" in r.json()["validation_errors"]["non_field_errors"][0]


async def test_bearer_access_token_stops_with_its_pat_or_its_user(ws: Any, org_a: OrgUser, anon: Any) -> None:
    from lsx.engine import auth_tokens
    from lsx.engine.db.models import User

    pat = (await org_a.client.post("/api/token/")).json()["token"]
    access = (await anon.post("/api/token/refresh/", json={"refresh": pat})).json()["access"]
    bearer = anon.with_headers(Authorization=f"Bearer {access}")
    assert (await bearer.get("/api/current-user/whoami")).json()["id"] == org_a.actor.id
    with ws.session() as s:
        s.get(User, org_a.actor.id).is_active = False
    auth_tokens.forget_cached()
    assert (await bearer.get("/api/projects/")).status == 401
    with ws.session() as s:
        s.get(User, org_a.actor.id).is_active = True
    auth_tokens.forget_cached()
    assert (await bearer.get("/api/projects/")).status == 200
    assert (await org_a.client.post("/api/token/blacklist/", json={"refresh": pat})).status == 204
    assert (await bearer.get("/api/projects/")).status == 401
    other = anon.with_headers(Authorization="Bearer " + access[:-2] + ("AA" if access[-2:] != "AA" else "BB"))
    assert (await other.get("/api/projects/")).status == 401
