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
    return web.FileResponse(path)
