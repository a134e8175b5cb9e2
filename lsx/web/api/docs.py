"""The OpenAPI document (`/api/schema/`, and Label Studio's `/docs/api/schema/`) and a docs page."""

from __future__ import annotations

import html
from typing import Any

from aiohttp import web

from lsx.web.api.routing import Call, api

SCHEMA_MEDIA = ("application/vnd.oai.openapi+json",)


@api("GET", "/api/schema/", summary="OpenAPI 3.1 document", tag="docs", auth=False, media=SCHEMA_MEDIA)
async def openapi_schema(call: Call) -> Any:
    from lsx.web.api.dispatch import json_response
    from lsx.web.api.openapi import openapi_document

    resp = json_response(openapi_document())
    resp.content_type = "application/vnd.oai.openapi+json"
    return resp


@api("GET", "/docs/api/schema/", summary="OpenAPI 3.1 document (Label Studio's path)", tag="docs", auth=False,
     media=SCHEMA_MEDIA)
async def openapi_schema_ls(call: Call) -> Any:
    return await openapi_schema(call)


def _page() -> str:
    from lsx.web.api.openapi import openapi_document

    doc = openapi_document()
    parts = [
        "<!doctype html><meta charset='utf-8'><title>lsx REST API</title>",
        "<style>body{font:15px system-ui;max-width:60rem;margin:2rem auto;padding:0 1rem}code{background:#f4f4f4;"
        "padding:0 .2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}.m{display:inline-block;width:4.5rem;"
        "font-weight:600}</style>",
        f"<h1>{html.escape(doc['info']['title'])} {html.escape(doc['info']['version'])}</h1>",
        f"<p>{html.escape(doc['info']['description'])}</p>",
        "<p>Machine-readable: <a href='/api/schema/'>/api/schema/</a> (OpenAPI 3.1).</p>",
    ]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            by_tag.setdefault(op["tags"][0], []).append((method.upper(), path, op))
    for tag in sorted(by_tag):
        parts.append(f"<h2>{html.escape(tag)}</h2><ul>")
        for method, path, op in by_tag[tag]:
            auth = "" if op.get("security") != [] else " <em>(open)</em>"
            parts.append(f"<li><span class='m'>{method}</span><code>{html.escape(path)}</code> — "
                         f"{html.escape(op['summary'])}{auth}</li>")
        parts.append("</ul>")
    return "".join(parts)


@api("GET", "/docs/api", summary="API documentation page", tag="docs", auth=False, media=("text/html",))
async def docs_page(call: Call) -> Any:
    return web.Response(text=_page(), content_type="text/html")
