"""The built-in job kinds, `import` and `export`, over the engine's import and export functions.

Both are idempotent: the import writes into one TaskImport whose id is remembered in the job's params
before any row lands, so a retried attempt resumes it (rows already landed are skipped, nothing is
visible before it commits); the export writes to a temporary name and renames.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lsx.engine.jobs.models import QUEUED, STARTED, Job
from lsx.engine.jobs.registry import register_kind

if TYPE_CHECKING:
    from lsx.engine.access.actor import Actor
    from lsx.engine.jobs.handle import JobHandle
    from lsx.engine.workspace import Workspace


def files_digest(paths: list[str]) -> str:
    """SHA-256 over the files' contents (their names when unreadable): the import's cron target."""
    digest = hashlib.sha256()
    for name in sorted(paths):
        path = Path(name)
        digest.update(str(path.name).encode() + b"\0")
        try:
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
        except OSError:
            digest.update(str(path.resolve()).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def import_target(project_id: int | None, params: dict[str, Any]) -> str:
    return f"import:{project_id}:{files_digest(list(params.get('paths', [])))}"


def export_target(project_id: int | None, params: dict[str, Any]) -> str:
    return f"export:{project_id}:{str(params.get('fmt', 'JSON')).upper()}"


def run_import(ws: Workspace, actor: Actor, params: dict[str, Any], handle: JobHandle) -> dict[str, Any]:
    """params: project (int), paths (absolute), fmt, skip_invalid; task_import_id once begun."""
    from lsx.engine.imports import begin_import, import_files

    project_id = int(params["project"])
    paths = [str(p) for p in params["paths"]]
    task_import_id = params.get("task_import_id")
    if task_import_id is None or not _resumable(ws, task_import_id):
        # A failed attempt purges its rows (the import engine does); only a killed one leaves them.
        task_import_id = begin_import(ws, actor, project_id, source=", ".join(paths)[:2000])
        handle.remember(task_import_id=task_import_id)
    report = import_files(
        ws,
        actor,
        project_id,
        paths,
        fmt=params.get("fmt"),
        skip_invalid=bool(params.get("skip_invalid", False)),
        progress=handle,
        task_import_id=task_import_id,
    )
    return {**report.as_json(), "task_import_id": task_import_id}


def _resumable(ws: Workspace, task_import_id: int) -> bool:
    from lsx.engine.db.models import IMPORT_FAILED, TaskImport

    with ws.read() as s:
        state = s.execute(select(TaskImport.state).where(TaskImport.id == task_import_id)).scalar()
    return state is not None and state != IMPORT_FAILED


def import_owned_by_live_job(ws: Workspace, task_import_id: int) -> bool:
    """Whether an import job that is queued or running will resume this TaskImport, so the import
    engine's clean-up of abandoned imports must leave it alone."""
    with ws.read() as s:
        rows = s.execute(
            select(Job.params).where(Job.kind == "import", Job.status.in_((QUEUED, STARTED)))
        ).scalars()
        return any((p or {}).get("task_import_id") == task_import_id for p in rows)


def run_export(ws: Workspace, actor: Actor, params: dict[str, Any], handle: JobHandle) -> dict[str, Any]:
    """params: project (int), fmt, out (absolute path, or "-" inline), only_annotated."""
    from lsx.engine.exports import export_project

    out: Path | str = "-" if params["out"] == "-" else Path(params["out"])  # "-": standard output
    if handle.attempt > 1 and isinstance(out, Path):
        _remove_dead_temp_files(out, ws.settings.job_heartbeat_timeout)
    report = export_project(
        ws,
        actor,
        int(params["project"]),
        str(params.get("fmt", "JSON")),
        out,
        only_annotated=bool(params.get("only_annotated", False)),
        progress=handle,
    )
    return {**report.as_json(), "out": str(out)}


def _remove_dead_temp_files(out: Path, quiet_for: float) -> None:
    """A killed attempt leaves its temporary file (`.<name>.*.part`) behind: remove those nobody has
    written to for a heartbeat timeout (a live writer of the same name would still be writing)."""
    cutoff = time.time() - quiet_for
    for tmp in out.parent.glob(f".{out.name}.*.part"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except OSError:
            pass


register_kind("import", run_import, timeout=6 * 3600, max_attempts=3, target=import_target)
register_kind("export", run_export, timeout=6 * 3600, max_attempts=3, target=export_target)
