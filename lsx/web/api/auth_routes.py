"""Credentials: personal access tokens (create, list, refresh, blacklist) and browser login with a
session cookie (password form, one-time link, logout)."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from lsx.web.api import schemas as sch
from lsx.web.api.dispatch import SESSION_COOKIE
from lsx.web.api.routing import Call, api


@api("POST", "/api/token/refresh/", summary="Trade a personal access token for an access token", tag="auth",
     response=sch.ACCESS, body=sch.REFRESH_BODY, auth=False)
async def refresh_token(call: Call) -> Any:
    """`{"refresh": PAT}` → `{"access": JWT}` (valid for 5 minutes, sent as `Bearer`)."""
    from lsx.engine.auth_tokens import refresh_access

    return {"access": await call.run(refresh_access, call.ws, call.body["refresh"])}


@api("POST", "/api/token/", summary="Create a personal access token", tag="auth", response=sch.TOKEN, status=201)
async def create_token(call: Call) -> Any:
    """Returns the only copy of a long-lived refresh JWT; the caller's older PAT is revoked."""
    from lsx.engine.auth_tokens import create_pat

    return {"token": await call.run(create_pat, call.ws, call.actor)}


@api("GET", "/api/token/", summary="List the caller's personal access tokens (truncated)", tag="auth",
     response=sch.TOKEN_LIST)
async def list_tokens(call: Call) -> Any:
    from lsx.engine.auth_tokens import list_pats

    return await call.run(list_pats, call.ws, call.actor)


@api("POST", "/api/token/blacklist/", summary="Revoke a personal access token", tag="auth", status=204,
     body=sch.REFRESH_BODY)
async def blacklist_token(call: Call) -> Any:
    from lsx.engine.auth_tokens import blacklist_pat

    await call.run(blacklist_pat, call.ws, call.actor, call.body["refresh"])


def _session_response(request: web.Request, key: str, csrf: str, body: dict[str, Any] | None) -> web.StreamResponse:
    resp: web.StreamResponse
    if body is None:
        resp = web.HTTPFound("/")
    else:
        resp = web.Response(body=orjson.dumps(body), content_type="application/json")
    resp.set_cookie(SESSION_COOKIE, key, httponly=True, samesite="Lax", path="/", secure=request.secure)
    resp.set_cookie("csrftoken", csrf, samesite="Lax", path="/", secure=request.secure)
    return resp


def _login(ws: Any, email: str, password: str) -> tuple[str, str, dict[str, Any]]:
    from lsx.engine.auth_tokens import login, session_actor
    from lsx.engine.directory import get_user, user_json

    key, csrf = login(ws, email, password)
    actor, _ = session_actor(ws, key)
    with ws.read() as s:
        return key, csrf, user_json(get_user(s, actor, actor.id))


@api("POST", "/user/login/", summary="Log in with email and password (sets the session cookie)", tag="auth",
     response=sch.LOGIN, body=sch.LOGIN_BODY, auth=False)
async def login(call: Call) -> Any:
    """JSON `{email, password}` → session cookie + `{csrf_token, user}`; send the token back as
    `X-CSRFToken` on every write made with the cookie."""
    key, csrf, user = await call.run(_login, call.ws, call.body["email"], call.body["password"])
    return _session_response(call.request, key, csrf, {"csrf_token": csrf, "user": user})


LOGIN_PAGE = """<!doctype html><meta charset="utf-8"><title>lsx — log in</title>
<style>body{font:16px system-ui;max-width:22rem;margin:4rem auto}input,button{display:block;width:100%;
margin:.4rem 0;padding:.5rem;font:inherit}</style>
<h1>lsx</h1><form id="f"><input name="email" type="email" placeholder="Email" required autofocus>
<input name="password" type="password" placeholder="Password" required><button>Log in</button>
<p id="e" role="alert"></p></form>
<script type="module">
const f = document.getElementById("f");
f.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = await fetch("/user/login/", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({email: f.email.value, password: f.password.value})});
  if (r.ok) location.href = new URLSearchParams(location.search).get("next") || "/";
  else document.getElementById("e").textContent = (await r.json()).detail;
});
</script>"""


@api("GET", "/user/login/", summary="The login page", tag="auth", auth=False, media=("text/html",))
async def login_page(call: Call) -> Any:
    return web.Response(text=LOGIN_PAGE, content_type="text/html")


def _use_link(ws: Any, key: str) -> tuple[str, str]:
    from lsx.engine.auth_tokens import use_login_link

    return use_login_link(ws, key)


@api("GET", "/user/login/link/{key}", summary="Spend a one-time login link (as printed by `lsx serve`)", tag="auth",
     auth=False, media=("text/html",), text_ids=("key",))
async def login_link(call: Call) -> Any:
    key, csrf = await call.run(_use_link, call.ws, call.ids["key"])
    return _session_response(call.request, key, csrf, None)


@api("POST", "/user/logout/", summary="End the browser session", tag="auth", auth=False, status=204)
async def logout(call: Call) -> Any:
    from lsx.engine.auth_tokens import logout as end

    cookie = call.request.cookies.get(SESSION_COOKIE)
    if cookie:
        await call.run(end, call.ws, cookie)
    resp = web.Response(status=204)
    resp.del_cookie(SESSION_COOKIE, path="/")
    return resp
