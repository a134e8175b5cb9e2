"""Export sync: annotations written back to an export storage, in Label Studio's layouts.

Layouts: `annotation` (default; one object per annotation, key = annotation id, no extension, body =
the annotation with its task nested and `completed_by` expanded) or `task` (one `<task id>.json` per
task, body = the task as the JSON export writes it). With a `format` option the storage instead holds
one file of the whole project in that export format. Every object is written under a temporary key
and moved into place. Objects are deleted only when the storage has `can_delete_objects`.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Annotation, Project, Task, User
from lsx.engine.errors import InputError
from lsx.engine.storage.backend import Backend
from lsx.engine.storage.models import EXPORT, Storage

Progress = Callable[..., None]
THREADS = 8


@dataclass
class ExportSyncReport:
    storage_id: int
    written: int = 0
    deleted: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    duration: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"storage_id": self.storage_id, "written": self.written, "deleted": self.deleted,
                "failed": self.failed, "errors": self.errors[:100], "duration": round(self.duration, 3),
                "added": self.written, "updated": 0, "removed": self.deleted}


def _user_json(s: Any, cache: dict[int, Any], user_id: int | None) -> Any:
    if user_id is None:
        return None
    if user_id not in cache:
        u = s.get(User, user_id)
        cache[user_id] = (
            {"id": u.id, "first_name": u.first_name, "last_name": u.last_name, "email": u.email} if u else user_id
        )
    return cache[user_id]


def _task_only(task_text: str) -> dict[str, Any]:
    doc = orjson.loads(task_text)
    for k in ("annotations", "predictions", "drafts"):
        doc.pop(k, None)
    return doc


class _Writer:
    """Puts objects from a few threads, never more than a bounded number in flight."""

    def __init__(self, backend: Backend, report: ExportSyncReport) -> None:
        self.backend, self.report = backend, report
        self.pool = ThreadPoolExecutor(THREADS, thread_name_prefix="lsx-export")
        self.inflight: list[Future[None]] = []

    def put(self, key: str, body: bytes) -> None:
        self.inflight.append(self.pool.submit(self.backend.put_atomic, key, body))
        if len(self.inflight) >= THREADS * 4:
            self._drain()

    def _drain(self) -> None:
        for fut in self.inflight:
            try:
                fut.result()
                self.report.written += 1
            except Exception as exc:
                self.report.failed += 1
                if len(self.report.errors) < 100:
                    self.report.errors.append(f"{type(exc).__name__}: {exc}")
        self.inflight = []

    def close(self) -> None:
        self._drain()
        self.pool.shutdown()


def _records(ws: Any, s: Any, project_id: int, task_ids: Iterable[int] | None) -> Iterator[Any]:
    """Task records with annotations: all annotated tasks, or just the given ones (a save batch)."""
    from lsx.engine import exports as ex
    from lsx.engine.db.stream import stream_rows
    from lsx.engine.formats.registry import TaskRecord

    if task_ids is None:
        yield from ex.iter_task_records(s, project_id, only_annotated=True)
        return
    ids = sorted({int(t) for t in task_ids})
    for start in range(0, len(ids), 500):
        chunk = ",".join(str(t) for t in ids[start:start + 500])
        tasks = stream_rows(s, ex._TASK_SQL.format(extra=f"AND t.id IN ({chunk})"), (project_id,))
        anns = ex._Merge(ex._grouped(stream_rows(
            s, ex._ANNOTATION_SQL.replace("a.project_id = %s", f"a.project_id = %s AND a.task_id IN ({chunk})"),
            (project_id,))))
        preds = ex._Merge(ex._grouped(stream_rows(
            s, ex._PREDICTION_SQL.replace("p.project_id = %s", f"p.project_id = %s AND p.task_id IN ({chunk})"),
            (project_id,))))
        for row in list(tasks):
            yield TaskRecord(row, anns.take(row[0]), preds.take(row[0]))


def export_objects(
    ws: Any, row: Storage, backend: Backend, *, task_ids: Iterable[int] | None = None,
    deleted_annotations: Iterable[tuple[int, int]] = (), progress: Progress | None = None,
) -> ExportSyncReport:
    """Write the objects of the given tasks (all annotated tasks when None); delete the objects of
    deleted annotations `(annotation id, task id)` when the storage may delete."""
    from lsx.engine.formats.json_export import annotation_text, task_text

    started = time.perf_counter()
    report = ExportSyncReport(row.id)
    layout = row.options.get("layout", "annotation")
    fmt = row.options.get("format")
    if fmt:
        _export_format(ws, row, backend, fmt, report)
        report.duration = time.perf_counter() - started
        return report
    writer = _Writer(backend, report)
    users: dict[int, Any] = {}
    seen_tasks = 0
    written_ids: set[int] = set()
    try:
        with ws.read() as s:
            for rec in _records(ws, s, row.project_id, task_ids):
                seen_tasks += 1
                text = task_text(rec, row.project_id)
                if layout == "task":
                    if rec.annotations:
                        doc = orjson.loads(text)
                        for a in doc["annotations"]:
                            a["completed_by"] = _user_json(s, users, a.get("completed_by"))
                        writer.put(backend.join(f"{rec.task[0]}.json"), orjson.dumps(doc))
                    elif row.can_delete_objects:
                        backend.delete(backend.join(f"{rec.task[0]}.json"))
                        report.deleted += 1
                else:
                    task_doc = _task_only(text)
                    for ann in rec.annotations:
                        doc = orjson.loads(annotation_text(ann, row.project_id))
                        doc["task"] = task_doc
                        doc["completed_by"] = _user_json(s, users, doc.get("completed_by"))
                        writer.put(backend.join(str(doc["id"])), orjson.dumps(doc))
                        written_ids.add(doc["id"])
                if progress is not None and seen_tasks % 1000 == 0:
                    progress(seen_tasks, None, "exporting")
    finally:
        writer.close()
    if row.can_delete_objects and layout == "annotation":
        for ann_id, _task in deleted_annotations:
            if ann_id not in written_ids:
                backend.delete(backend.join(str(ann_id)))
                report.deleted += 1
    report.duration = time.perf_counter() - started
    return report


def _export_format(ws: Any, row: Storage, backend: Backend, fmt: str, report: ExportSyncReport) -> None:
    """The whole project in one export format, as `<prefix>/project-<id>.<ext>`."""
    from lsx.engine.access.users import actor_for_user
    from lsx.engine.exports import export_project
    from lsx.engine.formats.registry import EXPORTERS

    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise InputError(f"unknown export format {fmt!r}")
    with ws.read() as s:
        project = s.get(Project, row.project_id)
        owner = s.get(User, row.created_by_id) if row.created_by_id else None
        if project is None or owner is None:
            raise InputError(f"storage {row.id}: its project or creator is gone")
        actor = actor_for_user(s, owner)
    buf = io.BytesIO()
    export_project(ws, actor, row.project_id, fmt, buf)
    backend.put_atomic(backend.join(f"project-{row.project_id}.{exporter.extension}"), buf.getvalue())
    report.written += 1


def prune_deleted(ws: Any, row: Storage, backend: Backend, report: ExportSyncReport) -> None:
    """Full sync with can_delete_objects: remove objects of annotations (or tasks) that no longer exist."""
    layout = row.options.get("layout", "annotation")
    names: list[tuple[str, int]] = []
    prefix = backend.prefix + "/" if backend.prefix else ""
    for info in backend.list_raw():
        name = info.key[len(prefix):] if info.key.startswith(prefix) else info.key
        if "/" in name:
            continue
        stem = name.removesuffix(".json") if layout == "task" else name
        if stem.isdigit() and (layout != "task" or name.endswith(".json")):
            names.append((info.key, int(stem)))
    if not names:
        return
    with ws.read() as s:
        if layout == "task":
            live = set(s.scalars(select(Task.id).where(Task.project_id == row.project_id,
                                                       Task.total_annotations + Task.cancelled_annotations > 0)))
        else:
            live = set(s.scalars(select(Annotation.id).where(Annotation.project_id == row.project_id)))
    for key, ident in names:
        if ident not in live:
            backend.delete(key)
            report.deleted += 1


def sync_export(ws: Any, actor: Actor, storage_id: int, *, progress: Progress | None = None) -> ExportSyncReport:
    """Full export sync: every annotation of the project (the `storage_export` job calls this)."""
    from lsx.engine.storage.service import backend_for, get_storage

    row = get_storage(ws, actor, storage_id, kind=EXPORT)
    actor.require("manager", "sync storages")
    backend = backend_for(ws, row)
    report = export_objects(ws, row, backend, progress=progress)
    if row.can_delete_objects and not row.options.get("format"):
        prune_deleted(ws, row, backend, report)
    return report


def export_annotations(
    ws: Any, actor: Actor, storage_id: int, saved: list[int], deleted: list[tuple[int, int]],
) -> ExportSyncReport:
    """Write back a batch of saved annotations and drop deleted ones (the on-save job)."""
    from lsx.engine.storage.service import backend_for, get_storage

    row = get_storage(ws, actor, storage_id, kind=EXPORT)
    with ws.read() as s:
        task_ids = set(s.scalars(select(Annotation.task_id).where(Annotation.id.in_(saved)))) if saved else set()
    task_ids.update(t for _, t in deleted if row.options.get("layout") == "task")
    backend = backend_for(ws, row)
    return export_objects(ws, row, backend, task_ids=task_ids, deleted_annotations=deleted)
