"""Label Studio's error body, `{id, status_code, version, detail, exc_info, validation_errors}`,
for engine errors, HTTP errors (404 route, 405, 413) and crashes alike."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import orjson
from aiohttp import web

from lsx.engine.errors import LsxError, Problem, ValidationFailed

log = logging.getLogger("lsx.web")
VERSION = "0.1.0"
_TASK_INDEX = re.compile(r"^task (\d+)")


def problem_key(p: Problem) -> str:
    """Where a problem is, as a validation_errors key: `tasks[3].data.text`, `result[0]`, `title`."""
    m = _TASK_INDEX.match(p.where or "")
    index = p.index if p.index is not None else (int(m.group(1)) if m else None)
    fieldname = p.field or ""
    if index is not None:
        return f"tasks[{index}]" + (f".{fieldname}" if fieldname else "")
    return fieldname or p.where or "non_field_errors"


def validation_errors(exc: LsxError) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(exc, ValidationFailed) and exc.problems:
        for p in exc.problems:
            out.setdefault(problem_key(p), []).append(str(p))
    elif isinstance(exc.details, dict) and all(isinstance(v, list) for v in exc.details.values()):
        out = {str(k): [str(x) for x in v] for k, v in exc.details.items()}
    else:
        m = _TASK_INDEX.match(exc.message)
        out["non_field_errors" if not m else f"tasks[{m.group(1)}]"] = [exc.message]
    return out


def error_body(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "status_code": status,
        "version": VERSION,
        "detail": "Validation error" if errors and status == 400 else detail,
        "exc_info": None,
        "validation_errors": errors or {},
    }


def error_response(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> web.Response:
    body = error_body(status, detail, errors)
    headers = {"WWW-Authenticate": 'Token realm="api"'} if status == 401 else None
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json", headers=headers)


def from_lsx(exc: LsxError) -> web.Response:
    status = exc.status if 400 <= exc.status < 600 else 400
    errors = validation_errors(exc) if status == 400 else None
    return error_response(status, exc.message, errors)


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except LsxError as exc:
        return from_lsx(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        detail = {404: "Not found.", 405: "Method not allowed.", 413: "Request body is too large."}.get(
            exc.status, exc.reason
        )
        resp = error_response(exc.status, detail)
        for key in ("Allow",):
            if key in exc.headers:
                resp.headers[key] = exc.headers[key]
        return resp
    except OverflowError:  # an integer beyond what the database column holds, from the request
        return error_response(400, "Validation error", {"non_field_errors": ["integer out of range"]})
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal server error")
