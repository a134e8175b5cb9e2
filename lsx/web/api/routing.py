"""The route table: every endpoint is declared once, with its schemas, and that declaration drives
the aiohttp router, request parsing, validation, the OpenAPI document and the coverage test.

Handlers receive a `Call` (actor, path ids, typed query, validated body) and return a JSON value, a
prepared StreamResponse, or None (204). They only translate HTTP to engine calls and back.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

    from lsx.engine.access.actor import Actor
    from lsx.engine.workspace import Workspace


@dataclass(frozen=True)
class Param:
    """A query parameter: `type` is integer, number, string, boolean or a JSON-encoded string."""

    name: str
    type: str = "string"
    required: bool = False
    description: str = ""
    enum: tuple[str, ...] = ()
    many: bool = False  # repeated (?ids=1&ids=2) or comma separated


@dataclass
class Call:
    """One request as handlers see it."""

    request: web.Request
    ws: Workspace
    actor: Actor
    ids: dict[str, Any]
    query: dict[str, Any]
    body: Any = None
    writes: bool = False

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run blocking engine work in the server's thread pool, off the event loop (writes on the
        writer thread when the database has a single writer)."""
        from lsx.web.api.keys import EXECUTOR, WRITER

        pool = self.request.app[WRITER if self.writes else EXECUTOR]
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(fn, *args, **kwargs))


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # OpenAPI form, e.g. /api/projects/{id}/ ; the trailing slash is optional when served
    handler: Handler
    summary: str
    tag: str
    response: dict[str, Any] | None = None  # JSON schema of the 2xx body (None: no body)
    status: int = 200
    body: dict[str, Any] | None = None  # JSON schema of the request body
    multipart: bool = False  # also accepts multipart/form-data file uploads
    query: tuple[Param, ...] = ()
    auth: bool = True
    media: tuple[str, ...] = ("application/json",)  # 2xx content types
    text_ids: tuple[str, ...] = ()  # path parameters that are strings (the rest are integers)
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def writes(self) -> bool:
        """Changes the database (serving the next task takes a lock, so it writes too)."""
        return self.method != "GET" or self.path.endswith("/next/")

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def path_params(self) -> list[str]:
        import re

        return re.findall(r"{(\w+)}", self.path)

    def aiohttp_path(self) -> str:
        """`/api/projects/{id}/` -> `/api/projects/{id:\\d+}{_slash:/?}` (slash optional, no redirect)."""
        path = self.path.rstrip("/") or "/"
        for name in self.path_params:
            pattern = "[^/]+" if name in self.text_ids else r"\d+"
            path = path.replace("{" + name + "}", "{" + name + ":" + pattern + "}")
        return path + ("{_slash:/?}" if path != "/" else "")


ROUTES: list[Route] = []


def api(
    method: str, path: str, *, summary: str, tag: str, response: dict[str, Any] | None = None, status: int = 200,
    body: dict[str, Any] | None = None, multipart: bool = False, query: tuple[Param, ...] = (), auth: bool = True,
    media: tuple[str, ...] = ("application/json",), text_ids: tuple[str, ...] = (), description: str = "",
) -> Callable[[Handler], Handler]:
    """Declare an endpoint (decorator)."""

    def deco(fn: Handler) -> Handler:
        ROUTES.append(
            Route(method.upper(), path, fn, summary, tag, response, status, body, multipart, query, auth, media,
                  text_ids, description or (fn.__doc__ or "").strip())
        )
        return fn

    return deco


HANDLER_MODULES = (
    "lsx.web.api.misc",
    "lsx.web.api.auth_routes",
    "lsx.web.api.projects",
    "lsx.web.api.tasks",
    "lsx.web.api.annotations",
    "lsx.web.api.predictions",
    "lsx.web.api.imports",
    "lsx.web.api.exports",
    "lsx.web.api.dm",
    "lsx.web.api.directory",
    "lsx.web.api.jobs",
    "lsx.web.api.media",
    "lsx.web.api.storages",
    "lsx.web.api.docs",
)


def load_routes() -> list[Route]:
    """Import every handler module once (each registers its routes)."""
    import importlib

    for name in HANDLER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a feature still being built (as the CLI's groups)
            if exc.name != name:
                raise
    return ROUTES
