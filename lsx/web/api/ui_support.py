"""What the web UI needs beyond Label Studio's API: the interface tree of a config that is not saved
yet (the live preview while a config is typed), with the validator's problems by line and column."""

from __future__ import annotations

from typing import Any

from lsx.web.api import schemas as sch
from lsx.web.api.routing import Call, api

PREVIEW = sch.component("InterfacePreview", sch.obj({
    "valid": sch.B,
    "tree": sch.null(sch.OBJ),
    "errors": sch.arr(sch.obj({"message": sch.S, "line": sch.null(sch.INT), "column": sch.null(sch.INT),
                               "tag": sch.null(sch.S), "field": sch.null(sch.S)})),
}))


def _preview(xml: str) -> dict[str, Any]:
    from lsx.engine.config import parse_config
    from lsx.engine.config.problems import ConfigError
    from lsx.engine.projects import check_config

    try:
        check_config(xml, source="label_config")
        tree = parse_config(xml, source="label_config").interface_tree()
    except ConfigError as exc:
        errors = [{"message": p.message, "line": p.extra.get("line"), "column": p.extra.get("column"),
                   "tag": p.extra.get("tag"), "field": p.field or None} for p in exc.problems]
        return {"valid": False, "tree": None, "errors": errors}
    return {"valid": True, "tree": tree, "errors": []}


@api("POST", "/api/projects/interface-preview/", summary="Interface tree and problems of an unsaved config (lsx)",
     tag="projects", response=PREVIEW, body=sch.CONFIG_BODY)
async def interface_preview(call: Call) -> Any:
    """Always 200: `{valid, tree, errors: [{message, line, column, tag, field}]}` for the editor's live preview."""
    return await call.run(_preview, call.body["label_config"])
