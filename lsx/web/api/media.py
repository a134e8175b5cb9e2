"""Uploaded media, served only to members of the project's organization."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from lsx.web.api.routing import Call, api


@api("GET", "/data/upload/{project}/{filename}", summary="An uploaded media file", tag="media",
     media=("application/octet-stream",), text_ids=("filename",))
async def uploaded_file(call: Call) -> Any:
    from lsx.engine.media import media_file

    path = await call.run(media_file, call.ws, call.actor, call.ids["project"], call.ids["filename"])
    # An upload's name is new per file (a random prefix) and never rewritten, so the browser may
    # keep it a while instead of asking again each time a task opens; only for this user's cache.
    return web.FileResponse(path, headers={"Cache-Control": "private, max-age=86400"})
