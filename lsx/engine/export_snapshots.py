"""Label Studio's snapshot exports (`/api/projects/{id}/exports/`) as lsx export jobs: the job
record is the snapshot, its status maps to `created|in_progress|completed|failed`, and the file
it wrote (under LSX_HOME/exports, by atomic rename) is what `download` serves."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Project, User
from lsx.engine.errors import NotFound
from lsx.engine.timefmt import iso


def _default_title(title: str) -> str:
    return f"{title.replace(' ', '-')}-at-{datetime.now(UTC).strftime('%Y-%m-%d-%H-%M')}"


def create_snapshot(ws: Any, actor: Actor, project_id: int, *, title: str = "", fmt: str = "JSON",
                    only_annotated: bool = False) -> dict[str, Any]:
    from lsx.engine.jobs import submit_job
    from lsx.engine.projects import get_project

    with ws.read() as s:
        project_title = get_project(s, actor, project_id).title
    out = Path(ws.settings.home) / "exports" / str(project_id) / f"{uuid.uuid4().hex}.{fmt.lower()}"
    params = {"project": project_id, "fmt": fmt.upper(), "out": str(out), "only_annotated": only_annotated,
              "title": title or _default_title(project_title)}
    info = submit_job(ws, actor, "export", params, project_id=project_id)
    return snapshot_json(ws, info)


def _snapshot_job(ws: Any, actor: Actor, project_id: int, export_id: int) -> Any:
    from lsx.engine.jobs import get_job

    try:
        info = get_job(ws, actor, export_id)
    except NotFound:
        raise NotFound(f"export {export_id} not found") from None
    if info.kind != "export" or info.project_id != project_id:
        raise NotFound(f"export {export_id} not found")
    return info


def get_snapshot(ws: Any, actor: Actor, project_id: int, export_id: int) -> dict[str, Any]:
    return snapshot_json(ws, _snapshot_job(ws, actor, project_id, export_id))


def list_snapshots(ws: Any, actor: Actor, project_id: int) -> list[dict[str, Any]]:
    from lsx.engine.jobs import list_jobs

    with ws.read() as s:
        org = s.scalar(select(Project.organization_id).where(Project.id == project_id))
    if org != actor.organization_id:
        raise NotFound(f"project {project_id} not found")
    return [snapshot_json(ws, j) for j in list_jobs(ws, actor, project_id, kind="export")]


def snapshot_file(ws: Any, actor: Actor, project_id: int, export_id: int) -> tuple[Path, str]:
    """The finished file and its format; NotFound until the export completed."""
    from lsx.engine.jobs import export_status

    info = _snapshot_job(ws, actor, project_id, export_id)
    if export_status(info.status) != "completed":
        raise NotFound(f"export {export_id} is {export_status(info.status)}, not completed")
    path = Path(str((info.result or {}).get("out") or info.params.get("out")))
    if not path.is_file():
        raise NotFound(f"the file of export {export_id} is gone")
    return path, str(info.params.get("fmt", "JSON"))


def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def snapshot_json(ws: Any, info: Any) -> dict[str, Any]:
    from lsx.engine.jobs import export_status

    status = export_status(info.status)
    creator = None
    if info.created_by_id is not None:
        with ws.read() as s:
            u = s.get(User, info.created_by_id)
            if u is not None:
                creator = {"id": u.id, "first_name": u.first_name, "last_name": u.last_name, "email": u.email,
                           "avatar": None}
    result = info.result or {}
    path = Path(str(result.get("out") or info.params.get("out", "")))
    md5 = _md5(path) if status == "completed" and path.is_file() else ""
    return {
        "id": info.id,
        "title": str(info.params.get("title", "")),
        "created_by": creator,
        "created_at": iso(info.created_at),
        "finished_at": iso(info.finished_at),
        "status": status,
        "md5": md5,
        "counters": {"task_number": int(result.get("task_count", 0)),
                     "annotation_number": int(result.get("annotation_count", 0))},
        "converted_formats": [{"id": info.id, "status": status, "export_type": str(info.params.get("fmt", "JSON")),
                               "traceback": info.traceback}],
    }
