"""An in-process client: calls the aiohttp app without a socket (as Datasette's internal client
does), for tests and for library users who want the API's behaviour without a server.

    client = Client(make_app(ws), token=key)
    r = await client.get("/api/projects/")
    r.status, r.json()
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
from aiohttp import web


class _Protocol:
    """Just enough of a protocol for a StreamReader fed from memory."""

    _reading_paused = False
    transport = None

    def pause_reading(self, *args: Any, **kwargs: Any) -> None:
        pass

    def resume_reading(self, *args: Any, **kwargs: Any) -> None:
        pass


class _Transport:
    """The socket a request arrived on, as make_mocked_request's mock answers for it."""

    def get_extra_info(self, key: str, default: Any = None) -> Any:
        return ("127.0.0.1", 80) if key == "sockname" else default

    def is_closing(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


class _RequestProtocol:
    """What a Request reads from the server's protocol (no unittest.mock: a mocked request costs
    milliseconds, this a few microseconds)."""

    max_field_size = 8190
    max_line_length = 8190
    max_headers = 128
    peername = None
    sockname = ("127.0.0.1", 80)
    ssl_context = None

    def __init__(self, transport: _Transport, writer: Any) -> None:
        self.transport = transport
        self.writer = writer


def _request(method: str, path: str, headers: dict[str, str], app: web.Application, payload: Any, writer: Any,
             loop: Any) -> web.Request:
    from aiohttp.http import HttpVersion11, RawRequestMessage
    from multidict import CIMultiDict, CIMultiDictProxy
    from yarl import URL

    proxy = CIMultiDictProxy(CIMultiDict(headers))
    raw = tuple((k.encode(), v.encode()) for k, v in proxy.items())
    chunked = "chunked" in proxy.get("Transfer-Encoding", "").lower()
    upgrade = proxy.get("Connection", "").lower() == "upgrade" and bool(proxy.get("Upgrade"))
    message = RawRequestMessage(method.upper(), path, HttpVersion11, proxy, raw, False, None, upgrade, chunked,
                                URL(path))
    protocol = _RequestProtocol(_Transport(), writer)
    return web.Request(message, payload, protocol, writer, asyncio.current_task(), loop,  # type: ignore[arg-type]
                       client_max_size=app._client_max_size)


class _Writer:
    """Collects what a response writes instead of sending it to a socket."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.buffer_size = 0
        self.output_size = 0
        self.length: int | None = None

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.chunks.append(bytes(chunk))
        self.output_size += len(chunk)

    async def write_eof(self, chunk: bytes = b"") -> None:
        if chunk:
            await self.write(chunk)

    async def drain(self) -> None:
        pass

    async def write_headers(self, status_line: str, headers: Any) -> None:
        pass

    def send_headers(self, *args: Any) -> None:
        pass

    def enable_compression(self, *args: Any, **kwargs: Any) -> None:
        pass

    def enable_chunking(self) -> None:
        pass

    def set_eof(self) -> None:
        pass


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def _read_file(resp: web.FileResponse) -> web.Response:
    """Files go through sendfile on a socket; in-process, read them instead."""
    import mimetypes
    from pathlib import Path

    path = Path(resp._path)  # aiohttp keeps the path it was given
    headers = dict(resp.headers)
    headers.setdefault("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    return web.Response(body=path.read_bytes(), status=resp.status, headers=headers)


class Client:
    """Send requests to an app in-process. `token` adds `Authorization: Token <token>`."""

    def __init__(self, app: web.Application, *, token: str | None = None, headers: Mapping[str, str] | None = None):
        self.app = app
        self.headers = dict(headers or {})
        if token:
            self.headers["Authorization"] = f"Token {token}"
        self.cookies: dict[str, str] = {}

    def with_headers(self, **headers: str) -> Client:
        other = Client(self.app, headers={**self.headers, **headers})
        other.cookies = dict(self.cookies)
        return other

    async def request(
        self, method: str, path: str, *, json: Any = None, data: bytes | None = None,
        params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
    ) -> Response:
        from aiohttp import streams

        if not self.app.frozen:
            self.app.freeze()
        hdrs = {**self.headers, **(headers or {})}
        if json is not None:
            data = orjson.dumps(json)
            hdrs.setdefault("Content-Type", "application/json")
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = data or b""
        hdrs["Content-Length"] = str(len(body))
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
        loop = asyncio.get_running_loop()
        payload = streams.StreamReader(_Protocol(), 2**16, loop=loop)  # type: ignore[arg-type]
        if body:
            payload.feed_data(body)
        payload.feed_eof()
        writer = _Writer()
        req = _request(method, path, hdrs, self.app, payload, writer, loop)
        # Application._handle runs the router and the middlewares exactly as the server does.
        resp = await self.app._handle(req)
        if isinstance(resp, web.FileResponse) and not resp.prepared:
            resp = _read_file(resp)
        if not resp.prepared:
            await resp.prepare(req)
            await resp.write_eof()
        out = b"".join(writer.chunks)
        if not out and isinstance(resp, web.Response) and resp.body is not None and not writer.chunks:
            out = resp.body if isinstance(resp.body, bytes) else bytes(resp.text or "", "utf-8")
        for name, morsel in resp.cookies.items():
            if morsel.value:
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)
        return Response(resp.status, dict(resp.headers), out)

    async def get(self, path: str, **kw: Any) -> Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> Response:
        return await self.request("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> Response:
        return await self.request("PATCH", path, **kw)

    async def put(self, path: str, **kw: Any) -> Response:
        return await self.request("PUT", path, **kw)

    async def delete(self, path: str, **kw: Any) -> Response:
        return await self.request("DELETE", path, **kw)
