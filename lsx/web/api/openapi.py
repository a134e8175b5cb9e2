"""The OpenAPI 3.1 document, generated from the route table and the schemas in code."""

from __future__ import annotations

from functools import cache
from typing import Any

from lsx.web.api import schemas as sch
from lsx.web.api.routing import Route, load_routes

ERROR_STATUSES = {
    400: "Bad request: `validation_errors` names each field (and task index) at fault",
    401: "No or invalid credentials",
    403: "Not allowed for the caller's role",
    404: "Not found (or in another organization)",
    409: "Conflict with the current state",
    413: "Request body too large",
}
PARAM_TYPES = {"integer": {"type": "integer", "minimum": -(2**63) + 1, "maximum": 2**63 - 1},
               "number": {"type": "number"}, "boolean": {"type": "boolean"},
               "string": {"type": "string"}, "json": {"type": "string", "contentMediaType": "application/json"}}


def _param(p: Any) -> dict[str, Any]:
    schema = dict(PARAM_TYPES[p.type])
    if p.enum:
        schema["enum"] = list(p.enum)
    if p.many:
        schema = {"type": "array", "items": schema}
    out: dict[str, Any] = {"name": p.name, "in": "query", "required": p.required, "schema": schema}
    if p.many:
        out.update(style="form", explode=True)
    if p.description:
        out["description"] = p.description
    return out


def _operation(route: Route) -> dict[str, Any]:
    params = [
        {"name": n, "in": "path", "required": True,
         "schema": {"type": "string", "pattern": "^[^/]+$"} if n in route.text_ids
         else {"type": "integer", "minimum": 0}}
        for n in route.path_params
    ] + [_param(p) for p in route.query]
    ok: dict[str, Any] = {"description": "Success"}
    if route.status != 204:
        if route.response is not None:
            ok["content"] = {route.media[0]: {"schema": route.response}}
        else:
            ok["content"] = {m: {"schema": {}} for m in route.media}
    responses: dict[str, Any] = {str(route.status): ok}
    for status, text in ERROR_STATUSES.items():
        if status == 401 and not route.auth and route.operation_id not in ("refresh_token", "login", "login_link"):
            continue
        responses[str(status)] = {"description": text,
                                  "content": {"application/json": {"schema": sch.ERROR}}}
    op: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": params,
        "responses": responses,
    }
    if route.description:
        op["description"] = route.description
    if route.body is not None:
        content: dict[str, Any] = {"application/json": {"schema": route.body}}
        if route.multipart:
            content["multipart/form-data"] = {"schema": {
                "type": "object", "properties": {"file": {"type": "array", "items": {
                    "type": "string", "contentMediaType": "application/octet-stream"}}}}}
        op["requestBody"] = {"required": True, "content": content}
    if not route.auth:
        op["security"] = []
    return op


@cache
def openapi_document() -> dict[str, Any]:
    routes = load_routes()
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    from lsx import __version__

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lsx REST API",
            "version": __version__,
            "description": "Label Studio compatible API served by `lsx serve`. Authenticate with "
            "`Authorization: Token <key>` (`lsx token create`), or a personal access token: POST it to "
            "/api/token/refresh/ and send the access token as `Authorization: Bearer <access>`.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sch.COMPONENTS),
            "securitySchemes": {
                "Token": {"type": "apiKey", "in": "header", "name": "Authorization",
                          "description": "`Token <key>`"},
                "Bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
        "security": [{"Token": []}, {"Bearer": []}],
    }
