"""Background jobs (imports, exports, syncs): list and show."""

from __future__ import annotations

from typing import Any

from lsx.web.api import schemas as sch
from lsx.web.api.routing import Call, Param, api


def _list(ws: Any, actor: Any, q: dict[str, Any]) -> list[dict[str, Any]]:
    from lsx.engine.jobs import list_jobs

    return [j.as_json() for j in list_jobs(ws, actor, q.get("project"), q.get("status"), kind=q.get("kind"))]


@api("GET", "/api/jobs/", summary="List jobs, newest first", tag="jobs", response=sch.arr(sch.JOB),
     query=(Param("project", "integer"), Param("status"), Param("kind")))
async def list_jobs(call: Call) -> Any:
    return await call.run(_list, call.ws, call.actor, call.query)


def _get(ws: Any, actor: Any, job_id: int) -> dict[str, Any]:
    from lsx.engine.jobs import get_job

    return get_job(ws, actor, job_id).as_json()


@api("GET", "/api/jobs/{id}", summary="Get a job with its status and progress", tag="jobs", response=sch.JOB)
async def get_job(call: Call) -> Any:
    return await call.run(_get, call.ws, call.actor, call.ids["id"])
