"""Typed aiohttp application keys shared by the server and the handlers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web

WORKSPACE: web.AppKey[Any] = web.AppKey("lsx_workspace", object)
EXECUTOR: web.AppKey[ThreadPoolExecutor] = web.AppKey("lsx_executor", ThreadPoolExecutor)
MAX_BODY: web.AppKey[int] = web.AppKey("lsx_max_body", int)
# SQLite has one writer: writes queue on one thread instead of sleeping in SQLite's busy handler.
WRITER: web.AppKey[ThreadPoolExecutor] = web.AppKey("lsx_writer", ThreadPoolExecutor)
