"""Users, the current user, organizations and memberships (read-only)."""

from __future__ import annotations

from typing import Any

from lsx.web.api import schemas as sch
from lsx.web.api.pages import drf_page
from lsx.web.api.routing import Call, Param, api


def _users(ws: Any, actor: Any) -> list[dict[str, Any]]:
    from lsx.engine.directory import list_users, user_json

    with ws.read() as s:
        return [user_json(u) for u in list_users(s, actor)]


@api("GET", "/api/users/", summary="Users of the caller's organization", tag="users", response=sch.arr(sch.USER))
async def list_users(call: Call) -> Any:
    return await call.run(_users, call.ws, call.actor)


def _user(ws: Any, actor: Any, user_id: int) -> dict[str, Any]:
    from lsx.engine.directory import get_user, user_json

    with ws.read() as s:
        return user_json(get_user(s, actor, user_id))


@api("GET", "/api/users/{id}/", summary="Get a user", tag="users", response=sch.USER)
async def get_user(call: Call) -> Any:
    return await call.run(_user, call.ws, call.actor, call.ids["id"])


def _whoami(ws: Any, actor: Any) -> dict[str, Any]:
    from lsx.engine.directory import whoami

    with ws.read() as s:
        return whoami(s, actor)


@api("GET", "/api/current-user/whoami", summary="The calling user", tag="users", response=sch.WHOAMI)
async def whoami(call: Call) -> Any:
    return await call.run(_whoami, call.ws, call.actor)


def _orgs(ws: Any, actor: Any) -> list[dict[str, Any]]:
    from lsx.engine.directory import list_orgs, org_json

    with ws.read() as s:
        return [org_json(o) for o in list_orgs(s, actor)]


@api("GET", "/api/organizations/", summary="The caller's organizations", tag="organizations",
     response=sch.arr(sch.ORGANIZATION))
async def list_organizations(call: Call) -> Any:
    return await call.run(_orgs, call.ws, call.actor)


def _org(ws: Any, actor: Any, org_id: int) -> dict[str, Any]:
    from lsx.engine.directory import get_org, org_json

    with ws.read() as s:
        return org_json(get_org(s, actor, org_id))


@api("GET", "/api/organizations/{id}", summary="Get an organization", tag="organizations",
     response=sch.ORGANIZATION)
async def get_organization(call: Call) -> Any:
    return await call.run(_org, call.ws, call.actor, call.ids["id"])


def _members(ws: Any, actor: Any, org_id: int, page: int, size: int) -> dict[str, Any]:
    from lsx.engine.directory import memberships_page

    with ws.read() as s:
        return memberships_page(s, actor, org_id, page, size)


@api("GET", "/api/organizations/{id}/memberships", summary="Members of an organization (paginated)",
     tag="organizations", response=sch.MEMBERSHIP_PAGE, query=(Param("page", "integer"), Param("page_size", "integer")))
async def list_memberships(call: Call) -> Any:
    page, size = call.query.get("page", 1), max(1, min(call.query.get("page_size", 20), 100))
    found = await call.run(_members, call.ws, call.actor, call.ids["id"], page, size)
    return drf_page(call.request, found["results"], found["count"], page, size)
