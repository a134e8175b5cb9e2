"""GET, PATCH and DELETE of one row by id, for resources whose engine module spells them alike.

`lsx.engine.annotations` and `lsx.engine.predictions` each offer get_<noun>, update_<noun>,
delete_<noun> and <noun>_json with the same signatures, so their three item endpoints differ only
in names, schemas and which fields a PATCH may change. The engine module is imported on the first
request, as the hand-written handlers do, to keep the server's start short.
"""

from __future__ import annotations

import importlib
from typing import Any

from lsx.web.api.routing import Call, Handler, api


def item_routes(
    noun: str, *, article: str, path: str, tag: str, module: str, response: dict[str, Any],
    patch_body: dict[str, Any], editable: tuple[str, ...],
) -> None:
    """Register `GET|PATCH|DELETE path` (path holds `{id}`), served by `module`'s functions."""

    def engine(name: str) -> Any:
        return getattr(importlib.import_module(module), name)

    def read(ws: Any, actor: Any, item_id: int) -> dict[str, Any]:
        with ws.read() as s:
            return engine(f"{noun}_json")(engine(f"get_{noun}")(s, actor, item_id))

    def change(ws: Any, actor: Any, item_id: int, body: dict[str, Any]) -> dict[str, Any]:
        fields = {k: body[k] for k in editable if k in body}
        with ws.session() as s:
            return engine(f"{noun}_json")(engine(f"update_{noun}")(s, actor, item_id, **fields))

    def remove(ws: Any, actor: Any, item_id: int) -> None:
        with ws.session() as s:
            engine(f"delete_{noun}")(s, actor, item_id)

    async def get_item(call: Call) -> Any:
        return await call.run(read, call.ws, call.actor, call.ids["id"])

    async def update_item(call: Call) -> Any:
        return await call.run(change, call.ws, call.actor, call.ids["id"], call.body)

    async def delete_item(call: Call) -> Any:
        await call.run(remove, call.ws, call.actor, call.ids["id"])

    handlers: list[tuple[str, Handler, str, dict[str, Any]]] = [
        ("GET", get_item, f"Get {article} {noun}", {"response": response}),
        ("PATCH", update_item, f"Change {article} {noun}", {"response": response, "body": patch_body}),
        ("DELETE", delete_item, f"Delete {article} {noun}", {"status": 204}),
    ]
    for method, handler, summary, options in handlers:
        handler.__name__ = handler.__qualname__ = f"{handler.__name__.split('_')[0]}_{noun}"  # the operationId
        api(method, path, summary=summary, tag=tag, **options)(handler)
