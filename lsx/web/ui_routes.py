"""The web UI's routes: the single page (for every UI path) and its static files, served with a
Content-Security-Policy that allows only the server's own scripts (no inline script, no eval).

Importing this module also declares the UI's support endpoints (`lsx.web.api.ui_support`) in the
API's route table, so `make_app` must import it before it builds the router.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

import lsx.web.api.ui_support  # noqa: F401  (declares /api/projects/interface-preview/)

UI_DIR = Path(__file__).parent / "ui"
STATIC_PREFIX = "/static/ui"

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # config <Style> tags and View style attributes; never scripts
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# Paths the single-page app answers (it routes on the client from location.pathname).
PAGE_PATHS = (
    "/",
    "/login",
    "/projects",
    "/projects/new",
    r"/projects/{id:\d+}/{page:data|settings|label}",
)

_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml",
          ".json": "application/json"}


def _secure(resp: web.StreamResponse) -> web.StreamResponse:
    resp.headers.update(SECURITY_HEADERS)
    return resp


@cache
def ui_files() -> tuple[str, dict[str, bytes]]:
    """Every static file of the UI, read once, and a version hashed from their contents.

    Static URLs carry the version (`/static/ui/<version>/js/main.js`, and ES-module imports are
    relative), so browsers may keep them for good: a new release is a new URL."""
    files: dict[str, bytes] = {}
    digest = hashlib.sha256()
    for path in sorted(UI_DIR.rglob("*")):
        if path.is_file() and path.suffix in _TYPES and path.name != "index.html":
            rel = path.relative_to(UI_DIR).as_posix()
            files[rel] = path.read_bytes()
            digest.update(rel.encode() + b"\0" + files[rel])
    return digest.hexdigest()[:12], files


@cache
def index_html() -> bytes:
    version, _ = ui_files()
    text = (UI_DIR / "index.html").read_text(encoding="utf-8")
    return text.replace(STATIC_PREFIX + "/", f"{STATIC_PREFIX}/{version}/").encode()


def early_gets(path: str, page: str | None, project: str | None, query: Any) -> list[str]:
    """The API GETs a page starts with: who is logged in (js/main.js) and the same URLs as EARLY in
    js/router.js (a browser test checks that each is asked for once, so they cannot drift apart)."""
    if path == "/login":
        return []
    whoami = "/api/current-user/whoami"
    if page == "label":
        pid = int(str(project))
        task = query.get("task", "")
        first = (f"/api/tasks/{int(task)}/" if task.isdigit() else None) if task \
            else None if query.get("tasks") else f"/api/projects/{pid}/next/"
        return [whoami, f"/api/projects/{pid}/interface", f"/api/projects/{pid}/", *([first] if first else [])]
    if page == "data":
        pid = int(str(project))
        # The first page of tasks: the default tab, no filter (query encoded as URLSearchParams does).
        first_page = urlencode({"project": pid, "page": 1, "page_size": 100, "query": json.dumps(
            {"filters": {"conjunction": "and", "items": []}, "ordering": []}, separators=(",", ":"))})
        return [whoami, f"/api/projects/{pid}/", f"/api/dm/views/?project={pid}", f"/api/dm/actions/?project={pid}",
                f"/api/tasks/?{first_page}"]
    return [whoami]


async def page(request: web.Request) -> web.StreamResponse:
    """The app shell; it asks the API who is logged in and shows the login form when nobody is.

    The page's first API GETs are preloaded from its head, so they leave with the page instead of
    after its modules have loaded; fetch() takes the preloaded answers (same URL, same mode and
    credentials, no extra headers)."""
    body = index_html()
    gets = early_gets(request.path, request.match_info.get("page"), request.match_info.get("id"), request.query)
    if gets:
        links = "".join(f'<link rel="preload" as="fetch" crossorigin href="{html.escape(url)}">\n' for url in gets)
        body = body.replace(b"</head>", links.encode() + b"</head>", 1)
    resp = web.Response(body=body, content_type="text/html", charset="utf-8", headers={"Cache-Control": "no-store"})
    return _secure(resp)


async def static(request: web.Request) -> web.StreamResponse:
    version, files = ui_files()
    body = files.get(request.match_info["path"])
    if body is None:
        raise web.HTTPNotFound()
    current = request.match_info["version"] == version
    headers = {"Cache-Control": "public, max-age=31536000, immutable" if current else "no-cache",
               "ETag": f'"{version}"'}
    if current and request.headers.get("If-None-Match") == headers["ETag"]:
        return _secure(web.Response(status=304, headers=headers))
    suffix = Path(request.match_info["path"]).suffix
    return _secure(web.Response(body=body, headers={**headers, "Content-Type": _TYPES[suffix]}))


def add_ui_routes(app: web.Application) -> None:
    """Register the page and static routes on the app (the API's routes are added by `make_app`)."""
    for path in PAGE_PATHS:
        app.router.add_get(path, page)
    app.router.add_get(STATIC_PREFIX + "/{version:[0-9a-f]+}/{path:.+}", static)
