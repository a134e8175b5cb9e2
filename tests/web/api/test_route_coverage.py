"""Every authenticated route is tested for: no credentials (401), another organization's object
(200 to its owner, 404 to a stranger) and, when it takes a body, a bad body (400 with
validation_errors). The router is enumerated, so a new route without a case fails here."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from lsx.web.api.routing import Route, load_routes
from tests.plugins.api import CHOICE, TEXT_CONFIG, OrgUser, seed

ROUTES = load_routes()
AUTH_ROUTES = [r for r in ROUTES if r.auth]
BODY_ROUTES = [r for r in ROUTES if r.body is not None]

# Routes that address no object of an organization: nothing to cross (lists are checked below).
NO_OBJECT = {
    ("GET", "/api/projects/"): "lists the caller's organization only (test_lists_hide_other_organizations)",
    ("POST", "/api/projects/"): "creates in the caller's organization",
    ("POST", "/api/projects/validate/"): "validates a config, no object",
    ("GET", "/api/templates/"): "built-in catalogue",
    ("GET", "/api/users/"): "lists the caller's organization only (test_lists_hide_other_organizations)",
    ("GET", "/api/current-user/whoami"): "the caller",
    ("GET", "/api/organizations/"): "the caller's organizations (test_lists_hide_other_organizations)",
    ("GET", "/api/jobs/"): "lists the caller's organization only (test_lists_hide_other_organizations)",
    ("GET", "/api/token/"): "the caller's own tokens",
    ("POST", "/api/token/"): "creates the caller's own token",
}

OBJECT_OF_PREFIX = [
    ("/api/projects/{id}", "project"), ("/api/tasks/{id}", "task"), ("/api/annotations/{id}", "annotation"),
    ("/api/predictions/{id}", "prediction"), ("/api/drafts/{id}", "draft"), ("/api/dm/views/{id}", "view"),
    ("/api/users/{id}", "user"), ("/api/organizations/{id}", "org"), ("/api/jobs/{id}", "job"),
]
# Per route: which seeded object fills `{id}` when not the default, query and body for a valid call.
OVERRIDE_ID = {
    ("POST", "/api/tasks/{id}/lock/heartbeat/"): "free_task",
    ("DELETE", "/api/tasks/{id}/lock/"): "free_task",
    ("POST", "/api/tasks/{id}/annotations/"): "spare_task",
    ("POST", "/api/tasks/{id}/drafts"): "spare_task",
    ("DELETE", "/api/annotations/{id}/"): "spare_annotation",
    ("DELETE", "/api/predictions/{id}/"): "spare_prediction",
    ("DELETE", "/api/drafts/{id}/"): "spare_draft",
    ("DELETE", "/api/dm/views/{id}/"): "spare_view",
    ("DELETE", "/api/tasks/{id}/"): "spare_task",
}
Seed = dict[str, Any]
QUERY: dict[tuple[str, str], Callable[[Seed], dict[str, Any]]] = {
    ("GET", "/api/tasks/"): lambda o: {"project": o["project"]},
    ("GET", "/api/predictions/"): lambda o: {"project": o["project"]},
    ("GET", "/api/dm/views/"): lambda o: {"project": o["project"]},
    ("GET", "/api/dm/actions/"): lambda o: {"project": o["project"]},
    ("POST", "/api/dm/actions/"): lambda o: {"project": o["project"], "id": "remove_duplicates"},
    ("GET", "/api/projects/{id}/export"): lambda o: {"exportType": "JSON"},
}
BODY: dict[tuple[str, str], Callable[[Seed], Any]] = {
    ("PATCH", "/api/projects/{id}/"): lambda o: {"description": "changed"},
    ("POST", "/api/projects/{id}/validate/"): lambda o: {"label_config": TEXT_CONFIG},
    ("POST", "/api/projects/{id}/import"): lambda o: [{"text": "new"}],
    ("POST", "/api/projects/{id}/import/predictions"): lambda o: [{"task": o["free_task"], "result": [CHOICE]}],
    ("POST", "/api/projects/{id}/exports/"): lambda o: {"title": "snap"},
    ("POST", "/api/tasks/"): lambda o: {"project": o["project"], "data": {"text": "x"}},
    ("PATCH", "/api/tasks/{id}/"): lambda o: {"meta": {"checked": True}},
    ("POST", "/api/tasks/{id}/annotations/"): lambda o: {"result": [CHOICE], "lead_time": 1.5},
    ("PATCH", "/api/annotations/{id}/"): lambda o: {"lead_time": 2.0},
    ("POST", "/api/tasks/{id}/drafts"): lambda o: {"result": [CHOICE]},
    ("PATCH", "/api/drafts/{id}/"): lambda o: {"lead_time": 3.0},
    ("POST", "/api/predictions/"): lambda o: {"task": o["task"], "result": [CHOICE], "score": 0.9},
    ("PATCH", "/api/predictions/{id}/"): lambda o: {"score": 0.1},
    ("POST", "/api/dm/views/"): lambda o: {"project": o["project"], "data": {"title": "Mine"}},
    ("PATCH", "/api/dm/views/{id}/"): lambda o: {"data": {"title": "Renamed"}},
    ("POST", "/api/dm/actions/"): lambda o: {"selectedItems": {"all": True, "excluded": []}},
    ("POST", "/api/token/blacklist/"): lambda o: {"refresh": o["pat"]},
}
# The stranger goes first where the owner's call would change what the stranger meets.
STRANGER_FIRST = {("POST", "/api/token/blacklist/")}
SEEDERS: list[Callable[[Any, Any], dict[str, Any]]] = []


def _load_extensions() -> None:
    """Other features' routes bring their cases in `tests/web/api/cases_<feature>.py`: the same tables
    (NO_OBJECT, OBJECT_OF_PREFIX, OVERRIDE_ID, QUERY, BODY, STRANGER_FIRST) and an optional
    `seed(ws, actor) -> dict` adding the objects their paths address."""
    import importlib
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("cases_*.py")):
        mod = importlib.import_module(f"tests.web.api.{path.stem}")
        NO_OBJECT.update(getattr(mod, "NO_OBJECT", {}))
        OBJECT_OF_PREFIX.extend(getattr(mod, "OBJECT_OF_PREFIX", []))
        OVERRIDE_ID.update(getattr(mod, "OVERRIDE_ID", {}))
        QUERY.update(getattr(mod, "QUERY", {}))
        BODY.update(getattr(mod, "BODY", {}))
        STRANGER_FIRST.update(getattr(mod, "STRANGER_FIRST", set()))
        if hasattr(mod, "seed"):
            SEEDERS.append(mod.seed)


_load_extensions()


def key(route: Route) -> tuple[str, str]:
    return route.method, route.path


def fill(route: Route, objects: Seed) -> str:
    path = route.path
    for prefix, kind in OBJECT_OF_PREFIX:
        if path.startswith(prefix):
            path = path.replace("{id}", str(objects[OVERRIDE_ID.get(key(route), kind)]), 1)
    return (path.replace("{export_pk}", str(objects["export"])).replace("{project}", str(objects["project"]))
            .replace("{filename}", objects["filename"]))


def dummy(route: Route) -> str:
    return re.sub(r"{(\w+)}", lambda m: "x.txt" if m.group(1) in route.text_ids else "999999", route.path)


def has_case(route: Route) -> bool:
    k = key(route)
    if k in NO_OBJECT:
        return True
    if route.body is not None and k not in BODY:
        return False
    if route.path_params:
        return all(n in ("export_pk", "project", "filename") for n in route.path_params[1:]) and (
            "id" not in route.path_params or any(route.path.startswith(p) for p, _ in OBJECT_OF_PREFIX))
    return k in QUERY or k in BODY


def test_every_authenticated_route_has_a_case() -> None:
    missing = [f"{r.method} {r.path}" for r in AUTH_ROUTES if not has_case(r)]
    assert not missing, "routes without an other-organization case:\n" + "\n".join(missing)
    assert {k for k in NO_OBJECT} <= {key(r) for r in AUTH_ROUTES}, "stale NO_OBJECT entries"


@pytest.mark.parametrize("route", AUTH_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_no_credentials_is_401(route: Route, anon: Any) -> None:
    r = await anon.request(route.method, dummy(route), json={} if route.body is not None else None)
    assert r.status == 401, (r.status, r.text)
    assert r.json()["status_code"] == 401 and r.json()["detail"]


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_bad_body_is_400_with_validation_errors(route: Route, org_a: OrgUser) -> None:
    r = await org_a.client.request(route.method, dummy(route), data=b'"not what this route takes"',
                                   headers={"Content-Type": "application/json"})
    assert r.status == 400, (r.status, r.text)
    body = r.json()
    assert body["validation_errors"], body
    assert set(body) == {"id", "status_code", "version", "detail", "exc_info", "validation_errors"}


async def test_other_organization_objects_answer_404(ws: Any, org_a: OrgUser, org_b: OrgUser) -> None:
    """B's objects: 2xx to B's owner, 404 to A (checked for every route, deletes last)."""
    objects = seed(ws, org_b.actor)
    for extra in SEEDERS:
        objects.update(extra(ws, org_b.actor))
    routes = [r for r in AUTH_ROUTES if key(r) not in NO_OBJECT and has_case(r)]
    routes.sort(key=lambda r: (r.method == "DELETE", r.path.startswith("/api/projects/{id}/") and r.method == "DELETE"))
    failures = []
    for route in routes:
        k = key(route)
        path = fill(route, objects)
        query = QUERY.get(k, lambda o: {})(objects)
        body = BODY[k](objects) if k in BODY else None
        stranger_first = route.method == "DELETE" or k in STRANGER_FIRST
        order = [("A", org_a), ("B", org_b)] if stranger_first else [("B", org_b), ("A", org_a)]
        for who, org in order:
            r = await org.client.request(route.method, path, params=query, json=body)
            ok = (200 <= r.status < 300) if who == "B" else r.status == 404
            if not ok:
                failures.append(f"{route.method} {route.path} as {who}: {r.status} {r.text[:200]}")
    assert not failures, "\n".join(failures)


async def test_lists_hide_other_organizations(ws: Any, org_a: OrgUser, org_b: OrgUser) -> None:
    objects = seed(ws, org_b.actor)
    projects = (await org_a.client.get("/api/projects/")).json()["results"]
    assert objects["project"] not in [p["id"] for p in projects]
    users = (await org_a.client.get("/api/users/")).json()
    assert org_b.actor.id not in [u["id"] for u in users]
    orgs = (await org_a.client.get("/api/organizations/")).json()
    assert org_b.actor.organization_id not in [o["id"] for o in orgs]
    jobs = (await org_a.client.get("/api/jobs/")).json()
    assert objects["job"] not in [j["id"] for j in jobs]
    assert objects["job"] in [j["id"] for j in (await org_b.client.get("/api/jobs/")).json()]
