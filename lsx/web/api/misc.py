"""Open endpoints (`/health`, `/api/version/`) and the template catalogue."""

from __future__ import annotations

from typing import Any

from lsx.web.api import schemas as sch
from lsx.web.api.routing import Call, api

LS_COMPAT = "1.23.0"


@api("GET", "/health", summary="Liveness check", tag="misc", response=sch.HEALTH, auth=False)
async def health(call: Call) -> Any:
    """Answers without touching the database, for load balancers."""
    return {"status": "UP"}


@api("GET", "/api/version/", summary="Server version", tag="misc", response=sch.VERSION, auth=False)
async def version(call: Call) -> Any:
    """`edition: Community` makes the SDK use the synchronous export."""
    from lsx import __version__ as lsx_version

    return {
        "release": LS_COMPAT,
        "label-studio-os-package": {"version": LS_COMPAT, "short_version": "1.23"},
        "label-studio-os-backend": {"message": "lsx", "commit": ""},
        "label-studio-frontend": {},
        "dm2": {},
        "label-studio-converter": {},
        "edition": "Community",
        "lsx": lsx_version,
    }


def _templates() -> dict[str, Any]:
    from lsx.engine.config import list_templates

    items = [{"name": t.name, "group": t.group, "title": t.title, "config": t.xml, "sample_task": t.sample_task}
             for t in list_templates()]
    return {"templates": items, "groups": sorted({t["group"] for t in items})}


@api("GET", "/api/templates/", summary="Labeling config templates", tag="projects", response=sch.TEMPLATES)
async def list_templates(call: Call) -> Any:
    return await call.run(_templates)
