"""The web UI's routes: the single page (for every UI path) and its static files, served with a
Content-Security-Policy that allows only the server's own scripts (no inline script, no eval).

Importing this module also declares the UI's support endpoints (`lsx.web.api.ui_support`) in the
API's route table, so `make_app` must import it before it builds the router.
"""

from __future__ import annotations

from pathlib import Path

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


async def page(request: web.Request) -> web.StreamResponse:
    """The app shell; it asks the API who is logged in and shows the login form when nobody is."""
    resp = web.FileResponse(UI_DIR / "index.html", headers={"Cache-Control": "no-store",
                                                            "Content-Type": "text/html; charset=utf-8"})
    return _secure(resp)


async def static(request: web.Request) -> web.StreamResponse:
    rel = request.match_info["path"]
    path = (UI_DIR / rel).resolve()
    if not path.is_relative_to(UI_DIR.resolve()) or not path.is_file() or path.suffix not in _TYPES:
        raise web.HTTPNotFound()
    resp = web.FileResponse(path, headers={"Cache-Control": "no-cache", "Content-Type": _TYPES[path.suffix]})
    return _secure(resp)


def add_ui_routes(app: web.Application) -> None:
    """Register the page and static routes on the app (the API's routes are added by `make_app`)."""
    for path in PAGE_PATHS:
        app.router.add_get(path, page)
    app.router.add_get(STATIC_PREFIX + "/{path:.+}", static)
