"""Import sync: list the store, merge it with the recorded objects, write only what changed.

Both sides are streamed in key order (the store's listing and `storage_objects` ordered by key), so
a sync holds one batch in memory whatever the bucket size, and an unchanged bucket costs one listing
plus one indexed scan, with no database writes. New objects become tasks in short transactions that
also record the object and its links, so a sync killed at any point leaves a consistent state and
the next attempt simply carries on.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import orjson
from sqlalchemy import delete, select, update

from lsx.engine.access.actor import Actor
from lsx.engine.db.bulk import insert_rows, reserve_ids
from lsx.engine.db.models import IMPORT_COMMITTED, Project, Task, TaskImport
from lsx.engine.db.stream import stream_rows
from lsx.engine.errors import InputError, LsxError, ValidationFailed
from lsx.engine.formats.readers import UNDEFINED_KEY
from lsx.engine.imports import BatchWriter, PreparedTask, Validators, prepare_item
from lsx.engine.storage.backend import Backend, ObjectInfo
from lsx.engine.storage.models import IMPORT, Storage, StorageLink, StorageObject
from lsx.engine.timefmt import sqlite_text

Progress = Callable[..., None]

BATCH_OBJECTS = 5000  # new objects per transaction (blob URLs)
BATCH_TASKS = 10_000  # tasks per transaction (task files)
PLAN_LIMIT = 1000  # keys per category kept for --dry-run output
ERROR_LIMIT = 100
TASK_FILE_EXTENSIONS = (".json", ".jsonl", ".ndjson")
DELETED_MARK = "storage_object_deleted"


@dataclass
class SyncReport:
    """What a sync did (or, dry, would do). Counters are tasks unless named `*_objects`."""

    storage_id: int
    dry_run: bool = False
    listed: int = 0
    unchanged: int = 0
    new_objects: int = 0
    changed_objects: int = 0
    deleted_objects: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    marked: int = 0
    kept: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    plan: dict[str, list[str]] = field(default_factory=dict)
    duration: float = 0.0

    def error(self, message: str) -> None:
        self.failed += 1
        if len(self.errors) < ERROR_LIMIT:
            self.errors.append(message)

    def note(self, category: str, key: str) -> None:
        keys = self.plan.setdefault(category, [])
        if len(keys) < PLAN_LIMIT:
            keys.append(key)

    def as_json(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in (
            "storage_id", "dry_run", "listed", "unchanged", "new_objects", "changed_objects", "deleted_objects",
            "added", "updated", "removed", "marked", "kept", "failed", "errors",
        )}
        out["duration"] = round(self.duration, 3)
        if self.dry_run:
            out["plan"] = self.plan
        return out


@dataclass(frozen=True, slots=True)
class Recorded:
    id: int
    key: str
    etag: str
    size: int
    deleted: bool


@dataclass
class Policy:
    on_change: str = "keep"
    on_delete: str = "keep"
    force: bool = False
    skip_invalid: bool = False
    dry_run: bool = False


class _Joined:
    """A stand-in workspace whose `session()` is an already open transaction, so the import
    engine's BatchWriter writes tasks in the same transaction as the storage records."""

    def __init__(self, session: Any, is_sqlite: bool) -> None:
        self._s, self.is_sqlite = session, is_sqlite

    @contextmanager
    def session(self) -> Iterator[Any]:
        yield self._s

    # The joined transaction was begun as an ordinary one, so SQLite still checks its references.
    bulk_session = session


# --- reading objects -----------------------------------------------------------------------------


def _task_items(backend: Backend, key: str, where: str) -> Iterator[Any]:
    """The items of a JSON (array streamed, or one object) or JSON-lines task file."""
    lower = key.lower()
    if not lower.endswith(TASK_FILE_EXTENSIONS):
        raise InputError(
            f"{where}: not a JSON or JSONL task file; to make one task per media object turn on use_blob_urls"
        )
    with backend.open(key) as raw:
        fh: IO[bytes] = raw if isinstance(raw, io.BufferedIOBase) else io.BufferedReader(raw)  # type: ignore[arg-type]
        if lower.endswith(".json"):
            yield from _json_items(fh, where)
            return
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{where}: line {line_no}: invalid JSON: {exc.msg}") from None


def _json_items(fh: IO[bytes], where: str) -> Iterator[Any]:
    head = fh.read(64)
    stripped = head.lstrip()
    while not stripped and head:
        head = fh.read(64)
        stripped = head.lstrip()
    if not stripped.startswith(b"["):
        try:
            doc = orjson.loads(head + fh.read())
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{where}: invalid JSON: {exc.msg}") from None
        yield doc
        return
    try:
        import ijson
    except ImportError:  # the whole document then
        try:
            yield from orjson.loads(head + fh.read())
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{where}: invalid JSON: {exc.msg}") from None
        return

    class _Rest(io.RawIOBase):
        def __init__(self) -> None:
            self.first = head

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            if self.first:
                n = min(len(b), len(self.first))
                b[:n], self.first = self.first[:n], self.first[n:]
                return n
            data = fh.read(len(b))
            b[: len(data)] = data
            return len(data)

    try:
        yield from ijson.items(io.BufferedReader(_Rest(), 1 << 16), "item", use_float=True)
    except ijson.JSONError as exc:
        raise InputError(f"{where}: invalid JSON: {exc}") from None


# --- the sync ------------------------------------------------------------------------------------


class ImportSync:
    def __init__(self, ws: Any, actor: Actor, row: Storage, backend: Backend, policy: Policy,
                 progress: Progress | None) -> None:
        self.ws, self.actor, self.row, self.backend, self.policy = ws, actor, row, backend, policy
        self.progress = progress
        self.report = SyncReport(row.id, dry_run=policy.dry_run)
        with ws.read() as s:
            project = s.get(Project, row.project_id)
            assert project is not None
            self.validators = Validators(project)
            s.expunge(project)
        self.project = project
        self.is_sqlite = ws.is_sqlite
        self.writer: BatchWriter | None = None
        self.task_import_id: int | None = None
        self.pending: list[tuple[ObjectInfo, list[PreparedTask]]] = []
        self.pending_tasks = 0
        self.gone: list[Recorded] = []
        self.done = 0
        self.blob_ok = False

    # listing, in key order
    def _listing(self) -> Generator[ObjectInfo, None, None]:
        if not self.backend.sorted_listing:
            yield from sorted(self.backend.iter_objects(), key=lambda o: o.key)
            return
        last = None
        for info in self.backend.iter_objects():
            if last is not None and info.key <= last:
                raise RuntimeError(f"the store listed {info.key!r} after {last!r}: keys out of order")
            last = info.key
            yield info

    def _recorded(self, s: Any) -> Generator[Recorded, None, None]:
        sql = "SELECT id, key, etag, size, deleted FROM storage_objects WHERE storage_id = %s ORDER BY key"
        for oid, key, etag, size, deleted in stream_rows(s, sql, (self.row.id,)):
            yield Recorded(oid, key, etag, size, bool(deleted))

    def run(self) -> SyncReport:
        started = time.perf_counter()
        with self.ws.read() as s:
            listing = self._listing()
            recorded = self._recorded(s)
            try:
                self._merge(listing, recorded)
            finally:
                recorded.close()
                listing.close()
        self._flush_new()
        self._flush_gone()
        self._finish()
        self.report.duration = time.perf_counter() - started
        if self.progress is not None:
            self.progress(self.done, self.done, "synced")
        return self.report

    def _merge(self, listing: Iterator[ObjectInfo], recorded: Iterator[Recorded]) -> None:
        """One pass over both key-ordered streams."""
        lhead = next(listing, None)
        rhead = next(recorded, None)
        while lhead is not None or rhead is not None:
            if rhead is None or (lhead is not None and lhead.key < rhead.key):
                self._new(lhead)  # type: ignore[arg-type]
                lhead = next(listing, None)
            elif lhead is None or rhead.key < lhead.key:
                self._gone(rhead)
                rhead = next(recorded, None)
            else:
                self._same(lhead, rhead)
                lhead, rhead = next(listing, None), next(recorded, None)
            self.done += 1
            if self.progress is not None and self.done % 1000 == 0:
                self.progress(self.done, None, "syncing")

    # -- new objects ------------------------------------------------------------------------------
    def _prepare(self, info: ObjectInfo) -> list[PreparedTask] | None:
        """The object's tasks; None when it failed (it is then not recorded, so the next sync retries)."""
        uri = self.backend.uri(info.key)
        warnings: list[str] = []
        if self.row.use_blob_urls:
            if self.blob_ok:  # what prepare_item makes of {"data": {UNDEFINED_KEY: uri}}, without the checks
                return [(orjson.dumps({self.validators.first_key: uri}).decode(), "{}", True, [], [], None)]
            try:
                task = prepare_item({"data": {UNDEFINED_KEY: uri}}, uri, self.validators, warnings)
            except LsxError as exc:
                self.report.error(str(exc))
                return None
            # The checks see one string under the first data key, whatever the URI: passed once, they
            # pass for every object of the sync.
            self.blob_ok = self.validators.first_key is not None
            return [task]
        tasks: list[PreparedTask] = []
        bad: list[str] = []
        try:
            for index, item in enumerate(_task_items(self.backend, info.key, uri)):
                where = f"{uri}: item {index}"
                try:
                    tasks.append(prepare_item(item, where, self.validators, warnings))
                except ValidationFailed as exc:
                    bad.append(str(exc.problems[0]) if exc.problems else str(exc))
                except InputError as exc:
                    bad.append(exc.message)
        except LsxError as exc:
            self.report.error(str(exc))
            return None
        except (OSError, ValueError) as exc:
            self.report.error(f"{uri}: cannot read: {exc}")
            return None
        if bad:
            for message in bad:
                self.report.error(message)
            if not self.policy.skip_invalid:
                self.report.error(f"{uri}: not imported ({len(bad)} invalid item(s); --skip-invalid imports the rest)")
                self.report.failed -= 1  # the summary line above is not another failed item
                return None
        return tasks

    def _new(self, info: ObjectInfo) -> None:
        self.report.listed += 1
        self.report.new_objects += 1
        if self.policy.dry_run:
            self.report.note("new", info.key)
            if self.row.use_blob_urls:
                self.report.added += 1
            return
        tasks = self._prepare(info)
        if tasks is None:
            return
        self.pending.append((info, tasks))
        self.pending_tasks += len(tasks)
        if len(self.pending) >= BATCH_OBJECTS or self.pending_tasks >= BATCH_TASKS:
            self._flush_new()

    def _ensure_import(self) -> BatchWriter:
        if self.writer is None:
            from lsx.engine.imports import begin_import

            tid = begin_import(self.ws, self.actor, self.row.project_id, source=f"storage {self.row.id}"[:2000])
            with self.ws.session() as s:  # visible at once: each batch commits whole, with its records
                s.execute(update(TaskImport).where(TaskImport.id == tid)
                          .values(state=IMPORT_COMMITTED, committed_at=datetime.now(UTC)))
            self.task_import_id = tid
            self.writer = BatchWriter(self.ws, self.actor, self.project, tid)
        return self.writer

    def _now_param(self) -> Any:
        now = datetime.now(UTC)
        return sqlite_text(now) if self.is_sqlite else now

    def _flush_new(self) -> None:
        if not self.pending:
            return
        writer = self._ensure_import()
        batch = [t for _, tasks in self.pending for t in tasks]
        now = self._now_param()
        with self.ws.session() as s:
            writer.ws = _Joined(s, self.is_sqlite)
            writer.report.task_ids = []
            writer.flush(batch, 0)
            task_ids = writer.report.task_ids
            assert len(task_ids) == len(batch)
            first_object = reserve_ids(s, "storage_objects", len(self.pending))
            objects, links = [], []
            offset = 0
            for i, (info, tasks) in enumerate(self.pending):
                oid = first_object + i
                objects.append((oid, self.row.id, info.key, info.etag, info.size, False, now))
                for row_index in range(len(tasks)):
                    links.append((oid, row_index, task_ids[offset]))
                    offset += 1
            insert_rows(s, "storage_objects", ("id", "storage_id", "key", "etag", "size", "deleted", "synced_at"),
                        objects)
            insert_rows(s, "storage_links", ("object_id", "row_index", "task_id"), links)
        self.report.added += len(batch)
        self.pending, self.pending_tasks = [], 0
        writer.ws = self.ws

    # -- objects seen before ----------------------------------------------------------------------
    def _same(self, info: ObjectInfo, rec: Recorded) -> None:
        self.report.listed += 1
        changed = info.etag != rec.etag or info.size != rec.size
        if not changed and not rec.deleted:
            self.report.unchanged += 1
            return
        if not changed:  # it came back unchanged: lift the mark
            self.report.note("reappeared", info.key)
            if not self.policy.dry_run:
                self._unmark(rec)
            self.report.unchanged += 1
            return
        self.report.changed_objects += 1
        self.report.note("changed", info.key)
        if self.policy.on_change == "keep":
            self.report.kept += 1
            return
        if self.policy.dry_run:
            return
        self._update(info, rec)

    def _unmark(self, rec: Recorded) -> None:
        with self.ws.session() as s:
            s.execute(update(StorageObject).where(StorageObject.id == rec.id).values(deleted=False))
            for task in self._tasks_of(s, [rec.id]):
                meta = dict(task.meta or {})
                if meta.pop(DELETED_MARK, None) is not None:
                    task.meta = meta

    def _tasks_of(self, s: Any, object_ids: list[int]) -> list[Task]:
        q = select(Task).join(StorageLink, StorageLink.task_id == Task.id).where(StorageLink.object_id.in_(object_ids))
        return list(s.scalars(q))

    def _update(self, info: ObjectInfo, rec: Recorded) -> None:
        """on_change=update: a media object keeps its task (same URL) and is re-recorded; a task file's
        items replace the data of the tasks made from the same positions, new positions become tasks
        and vanished positions are removed (annotated ones only with force)."""
        tasks = self._prepare(info)
        if tasks is None:
            return
        now = datetime.now(UTC)
        if self.row.use_blob_urls:
            with self.ws.session() as s:
                s.execute(update(StorageObject).where(StorageObject.id == rec.id)
                          .values(etag=info.etag, size=info.size, deleted=False, synced_at=now))
                for task in self._tasks_of(s, [rec.id]):
                    task.updated_at = datetime.now(UTC)
                    meta = dict(task.meta or {})
                    if meta.pop(DELETED_MARK, None) is not None:
                        task.meta = meta
                    self.report.updated += 1
            return
        writer = self._ensure_import()
        with self.ws.session() as s:
            links = {r.row_index: r.task_id for r in s.execute(
                select(StorageLink.row_index, StorageLink.task_id).where(StorageLink.object_id == rec.id))}
            extra: list[tuple[int, PreparedTask]] = []
            for index, t in enumerate(tasks):
                task_id = links.pop(index, None)
                task = s.get(Task, task_id) if task_id is not None else None
                if task is None:
                    extra.append((index, t))
                    continue
                task.data = orjson.loads(t[0])
                task.meta = orjson.loads(t[1])
                task.updated_at = datetime.now(UTC)
                self.report.updated += 1
            self.report.removed += self._remove_tasks(s, list(links.values()), rec.id, list(links))
            if extra:
                writer.ws = _Joined(s, self.is_sqlite)
                writer.report.task_ids = []
                writer.flush([t for _, t in extra], 0)
                writer.ws = self.ws
                insert_rows(s, "storage_links", ("object_id", "row_index", "task_id"),
                            [(rec.id, index, tid)
                             for (index, _), tid in zip(extra, writer.report.task_ids, strict=True)])
                self.report.added += len(extra)
            s.execute(update(StorageObject).where(StorageObject.id == rec.id)
                      .values(etag=info.etag, size=info.size, deleted=False, synced_at=now))

    # -- objects gone from the store --------------------------------------------------------------
    def _gone(self, rec: Recorded) -> None:
        if rec.deleted and self.policy.on_delete != "remove":
            return  # marked before: nothing new to do
        self.report.deleted_objects += 1
        self.report.note("deleted", rec.key)
        if self.policy.on_delete == "keep":
            self.report.kept += 1
            return
        if self.policy.dry_run:
            return
        self.gone.append(rec)
        if len(self.gone) >= 1000:
            self._flush_gone()

    def _remove_tasks(self, s: Any, task_ids: list[int], object_id: int, row_indexes: list[int]) -> int:
        """Delete the tasks (annotated ones only with force); returns how many went. Links of kept
        annotated tasks stay."""
        if not task_ids:
            return 0
        q = select(Task.id).where(Task.id.in_(task_ids))
        if not self.policy.force:
            q = q.where(Task.total_annotations == 0, Task.cancelled_annotations == 0)
        doomed = list(s.scalars(q))
        if doomed:
            from lsx.engine.db.models import Annotation, Draft, Prediction

            s.execute(delete(Annotation).where(Annotation.task_id.in_(doomed)))
            s.execute(delete(Prediction).where(Prediction.task_id.in_(doomed)))
            s.execute(delete(Draft).where(Draft.task_id.in_(doomed)))
            s.execute(delete(StorageLink).where(StorageLink.task_id.in_(doomed)))
            s.execute(delete(Task).where(Task.id.in_(doomed)))
        return len(doomed)

    def _flush_gone(self) -> None:
        if not self.gone:
            return
        ids = [r.id for r in self.gone]
        with self.ws.session() as s:
            tasks = self._tasks_of(s, ids)
            if self.policy.on_delete == "remove":
                removed = self._remove_tasks(s, [t.id for t in tasks], 0, [])
                self.report.removed += removed
                remaining = set(s.scalars(select(StorageLink.object_id).where(StorageLink.object_id.in_(ids))))
                empty = [i for i in ids if i not in remaining]
                if empty:
                    s.execute(delete(StorageObject).where(StorageObject.id.in_(empty)))
                marked_objects = [i for i in ids if i in remaining]
                kept = set(s.scalars(select(StorageLink.task_id).where(StorageLink.object_id.in_(marked_objects))))
                survivors = [t for t in tasks if t.id in kept]
            else:
                marked_objects, survivors = ids, tasks
            if marked_objects:
                s.execute(update(StorageObject).where(StorageObject.id.in_(marked_objects)).values(deleted=True))
            for task in survivors:
                meta = dict(task.meta or {})
                if not meta.get(DELETED_MARK):
                    meta[DELETED_MARK] = True
                    task.meta = meta
                    self.report.marked += 1
        self.gone = []

    def _finish(self) -> None:
        if self.task_import_id is None:
            return
        from lsx.engine.imports import _commit

        _commit(self.ws, self.actor, self.project, self.task_import_id, [])


def sync_import(
    ws: Any, actor: Actor, storage_id: int, *, on_change: str | None = None, on_delete: str | None = None,
    force: bool = False, skip_invalid: bool = False, dry_run: bool = False, progress: Progress | None = None,
) -> SyncReport:
    """Sync one import storage now (the `storage_sync` job calls this; `--dry-run` calls it directly)."""
    from lsx.engine.storage.service import ON_CHANGE, ON_DELETE, backend_for, get_storage

    row = get_storage(ws, actor, storage_id, kind=IMPORT)
    actor.require("manager", "sync storages")
    policy = Policy(
        on_change=on_change or row.options.get("on_change", "keep"),
        on_delete=on_delete or row.options.get("on_delete", "keep"),
        force=force, skip_invalid=skip_invalid, dry_run=dry_run,
    )
    if policy.on_change not in ON_CHANGE:
        raise InputError(f"--on-change must be one of {', '.join(ON_CHANGE)}, got {policy.on_change!r}")
    if policy.on_delete not in ON_DELETE:
        raise InputError(f"--on-delete must be one of {', '.join(ON_DELETE)}, got {policy.on_delete!r}")
    if row.use_blob_urls and not _first_data_key(ws, row.project_id):
        raise InputError(f"project {row.project_id}: its labeling config binds no data key, so media objects "
                         "have nowhere to go; set a config first")
    return ImportSync(ws, actor, row, backend_for(ws, row), policy, progress).run()


def _first_data_key(ws: Any, project_id: int) -> str | None:
    with ws.read() as s:
        types = s.execute(select(Project.data_types).where(Project.id == project_id)).scalar()
    return next(iter(types or {}), None)


__all__ = ["Policy", "SyncReport", "sync_import"]
