"""Turn a declared Route into an aiohttp handler: authenticate, parse path ids and query, read and
validate the body against the route's schema, call the handler, render JSON."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import orjson
from aiohttp import web

from lsx.engine.errors import AuthenticationFailed, InputError, Problem, ValidationFailed
from lsx.web.api.keys import EXECUTOR, MAX_BODY, WORKSPACE
from lsx.web.api.routing import Call, Param, Route

SESSION_COOKIE = "lsx_session"
CSRF_HEADER = "X-CSRFToken"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def json_response(value: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS), content_type="application/json"
    )


async def _in_thread(request: web.Request, fn: Any, *args: Any) -> Any:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(request.app[EXECUTOR], functools.partial(fn, *args))


async def resolve_actor(request: web.Request) -> Any:
    """Token / Bearer / X-API-Key header, else the session cookie (with CSRF on writes)."""
    from lsx.engine import auth_tokens

    ws = request.app[WORKSPACE]
    header = request.headers.get("Authorization")
    api_key = request.headers.get("X-API-Key")
    if header or api_key:
        actor = auth_tokens.cached_actor(header, api_key)
        if actor is not None:
            return actor
        return await _in_thread(request, auth_tokens.authenticate, ws, header, api_key)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        hit = auth_tokens.cached_session(cookie)
        actor, csrf = hit if hit is not None else await _in_thread(request, auth_tokens.session_actor, ws, cookie)
        if request.method not in SAFE:
            auth_tokens.check_csrf(csrf, request.headers.get(CSRF_HEADER))
        return actor
    raise AuthenticationFailed("Authentication credentials were not provided.")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


INT64 = 2**63 - 1


def _int(raw: str) -> int:
    value = int(raw)
    if abs(value) > INT64:
        raise ValueError(raw)
    return value


def _big_ints(value: Any, path: str = "") -> str | None:
    """The path of the first integer a 64-bit column cannot hold."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return path or "body" if abs(value) > INT64 else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = _big_ints(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _big_ints(v, f"{path}[{i}]")
            if found:
                return found
    return None


def _convert(p: Param, raw: str) -> Any:
    if p.type == "integer":
        return _int(raw)
    if p.type == "number":
        return float(raw)
    if p.type == "boolean":
        low = raw.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(raw)
    if p.type == "json":
        return orjson.loads(raw)
    if p.enum and raw not in p.enum:
        raise ValueError(raw)
    return raw


def parse_query(params: tuple[Param, ...], query: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for p in params:
        raws = query.getall(p.name, []) or query.getall(p.name + "[]", [])
        if not raws:
            if p.required:
                problems.append(Problem(f"query parameter {p.name} is required", field=p.name))
            continue
        try:
            if p.many:
                values = [v for raw in raws for v in raw.split(",") if v.strip()]
                out[p.name] = [_convert(p, v.strip()) for v in values]
            else:
                out[p.name] = _convert(p, raws[-1])
        except (ValueError, orjson.JSONDecodeError):
            want = f"one of {', '.join(p.enum)}" if p.enum else f"a {p.type}"
            problems.append(Problem(f"query parameter {p.name} must be {want}, got {raws[-1]!r}", field=p.name))
    if problems:
        raise ValidationFailed(problems)
    return out


_validators: dict[int, Any] = {}


def validate_body(route: Route, body: Any, raw: bytes | None = None) -> None:
    """Check the body against the route's schema; problems name the field path. Given the raw
    bytes, the walk for integers beyond 64 bits runs only when they hold a run of 19 digits."""
    assert route.body is not None
    key = id(route)
    validator = _validators.get(key)
    if validator is None:
        from jsonschema import Draft202012Validator

        from lsx.web.api.schemas import resolve_refs

        validator = _validators[key] = Draft202012Validator(resolve_refs(route.body))
    problems = []
    for err in validator.iter_errors(body):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path).lstrip(".")
        if err.validator == "required" and isinstance(err.validator_value, list):
            missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
            path = ".".join(filter(None, [path, missing[0] if missing else ""]))
            message = f"{path}: this field is required"
        elif err.validator == "additionalProperties":
            message = f"{path or 'body'}: {err.message}"
        else:
            message = f"{path or 'body'}: {err.message}"
        problems.append(Problem(message, field=path or "non_field_errors"))
        if len(problems) >= 20:
            break
    if not problems and (raw is None or _may_hold_long_ints(raw)) and (where := _big_ints(body)):
        problems.append(Problem(f"{where}: integer out of range", field=where))
    if problems:
        raise ValidationFailed(problems)


BIG_BODY = 1 << 20  # parse and validate larger bodies in a worker thread, not on the event loop
# The shortest integer beyond 64 bits has 19 digits: map every digit to "0" and look for 19 in a
# row (a plain substring search, ten times faster than a regular expression on a large body).
_DIGITS_TO_ZERO = bytes(48 if 48 <= i <= 57 else i for i in range(256))
_NINETEEN_ZEROS = b"0" * 19


def _may_hold_long_ints(raw: bytes) -> bool:
    return _NINETEEN_ZEROS in raw.translate(_DIGITS_TO_ZERO)


def parse_body(route: Route, raw: bytes) -> Any:
    """Decode a JSON body and check it against the route's schema (400 with the problems)."""
    body: Any = None
    if raw.strip():
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ValidationFailed([Problem(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                                            field="non_field_errors")]) from None
    assert route.body is not None
    if body is None and route.body.get("type") == "object" and not route.body.get("required"):
        body = {}
    validate_body(route, body, raw)
    return body


async def read_json_body(request: web.Request, route: Route) -> Any:
    raw = await request.read()
    if len(raw) > BIG_BODY:
        return await _in_thread(request, parse_body, route, raw)
    return parse_body(route, raw)


def make_handler(route: Route) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        ws = request.app[WORKSPACE]
        length = request.content_length
        if length is not None and length > request.app[MAX_BODY]:
            raise web.HTTPRequestEntityTooLarge(max_size=request.app[MAX_BODY], actual_size=length)
        actor = await resolve_actor(request) if route.auth else None
        ids: dict[str, Any] = {}
        for name in route.path_params:
            raw = request.match_info[name]
            if name not in route.text_ids and (len(raw) > 18 or int(raw) > INT64):
                raise web.HTTPNotFound()
            ids[name] = raw if name in route.text_ids else int(raw)
        query = parse_query(route.query, request.query)
        body: Any = None
        if route.body is not None:
            ctype = request.content_type
            if route.multipart and ctype.startswith("multipart/"):
                body = None  # the handler streams the files itself
            else:
                body = await read_json_body(request, route)
        call = Call(request, ws, actor, ids, query, body, route.writes)  # type: ignore[arg-type]
        result = await route.handler(call)
        if isinstance(result, web.StreamResponse):
            return result
        if result is None:
            return web.Response(status=204)
        return json_response(result, route.status)

    handle.__name__ = route.operation_id
    return handle


def bad_request(message: str, fieldname: str = "non_field_errors") -> InputError:
    return ValidationFailed([Problem(message, field=fieldname)])
