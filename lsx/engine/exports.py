"""Export a project in any registered format, streamed: memory does not grow with project size.

Tasks, annotations and predictions are read by three cursors ordered by task id and merged, so a
task's annotations arrive with it without holding the project in memory. Files are written under a
temporary name and renamed, so a crash never leaves a truncated export behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lsx.engine.access.actor import Actor
from lsx.engine.db.stream import stream_rows
from lsx.engine.errors import InputError
from lsx.engine.formats.registry import EXPORTERS, ExportContext, TaskRecord

Progress = Callable[..., None]


@dataclass
class ExportReport:
    format: str
    path: str
    task_count: int = 0
    annotation_count: int = 0
    duration: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "path": self.path,
            "task_count": self.task_count,
            "annotation_count": self.annotation_count,
            "duration": round(self.duration, 3),
        }


_VISIBLE = (
    "(t.task_import_id IS NULL OR t.task_import_id NOT IN "
    "(SELECT id FROM task_imports WHERE state != 'committed'))"
)
_TASK_SQL = (
    "SELECT t.id, t.data, t.meta, t.created_at, t.updated_at, t.allow_skip, t.inner_id, t.total_annotations, "
    "t.cancelled_annotations, t.total_predictions, t.updated_by_id, t.file_upload, t.is_labeled "
    f"FROM tasks t WHERE t.project_id = %s AND {_VISIBLE} {{extra}} ORDER BY t.id"
)
_ANNOTATION_SQL = (
    "SELECT a.task_id, a.id, a.completed_by_id, a.result, a.was_cancelled, a.ground_truth, a.created_at, "
    "a.updated_at, a.draft_created_at, a.lead_time, a.result_count, a.unique_id, a.import_id, a.last_action, "
    "a.bulk_created, a.updated_by_id, a.parent_prediction_id, a.parent_annotation_id "
    "FROM annotations a WHERE a.project_id = %s ORDER BY a.task_id, a.id"
)
_PREDICTION_SQL = (
    "SELECT p.task_id, p.id, p.result, p.model_version, p.score, p.cluster, p.neighbors, p.mislabeling, "
    "p.created_at, p.updated_at FROM predictions p WHERE p.project_id = %s ORDER BY p.task_id, p.id"
)


def _grouped(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """(task_id, rows) groups from rows sorted by task id."""
    current: int | None = None
    group: list[tuple[Any, ...]] = []
    for row in rows:
        if row[0] != current:
            if current is not None:
                yield current, group
            current, group = row[0], []
        group.append(row)
    if current is not None:
        yield current, group


class _Merge:
    """Advance a grouped stream to a task id; groups of tasks not exported are skipped."""

    def __init__(self, groups: Iterator[tuple[int, list[tuple[Any, ...]]]]) -> None:
        self.groups = groups
        self.head = next(groups, None)

    def take(self, task_id: int) -> list[tuple[Any, ...]]:
        while self.head is not None and self.head[0] < task_id:
            self.head = next(self.groups, None)
        if self.head is not None and self.head[0] == task_id:
            rows = self.head[1]
            self.head = next(self.groups, None)
            return rows
        return []


# SQLite writes the JSON export of a task itself (in C): one string per row with empty
# annotation and prediction lists, which Python fills in for the few tasks that have any.
# Every `||` costs SQLite an allocation and a copy, so constant runs are merged and the common
# case (no annotations or predictions yet) takes one constant instead of six concatenations;
# `{project}` is the project id written into the SQL text for the same reason. The text comes back
# as bytes (a BLOB), ready to write: no UTF-8 decoding into str and encoding back per row.
_JSON_TEXT_SQL = (
    "SELECT t.id, t.total_annotations + t.cancelled_annotations, t.total_predictions, CAST("
    """'{"id":' || t.id || CASE WHEN t.file_upload IS NULL
    THEN ',"annotations":[],"drafts":[],"predictions":[],"data":'
    ELSE ',"annotations":[],"file_upload":' || json_quote(t.file_upload) || ',"drafts":[],"predictions":[],"data":' END
    || t.data || ',"meta":' || t.meta
    || replace(',"created_at":"' || t.created_at || 'Z","updated_at":"' || t.updated_at, ' ', 'T')
    || CASE WHEN t.allow_skip THEN 'Z","allow_skip":true,"inner_id":' ELSE 'Z","allow_skip":false,"inner_id":' END
    || t.inner_id || CASE WHEN t.total_annotations = 0 AND t.cancelled_annotations = 0 AND t.total_predictions = 0
    THEN ',"total_annotations":0,"cancelled_annotations":0,"total_predictions":0{tail}'
    ELSE ',"total_annotations":' || t.total_annotations || ',"cancelled_annotations":' || t.cancelled_annotations
    || ',"total_predictions":' || t.total_predictions || '{tail}' END
    || coalesce(t.updated_by_id, 'null') || ',"comment_authors":[]}' AS BLOB) """
    f"FROM tasks t WHERE t.project_id = %s AND {_VISIBLE} {{extra}} ORDER BY t.id"
).replace(
    "{tail}", ',"comment_count":0,"unresolved_comment_count":0,"last_comment_updated_at":null,"project":{project},'
    '"updated_by":'
)


def _extra(only_annotated: bool) -> str:
    return "AND (t.total_annotations + t.cancelled_annotations) > 0" if only_annotated else ""


def _in_task_order(sql: str, alias: str, lo: int | None, hi: int | None) -> tuple[str, tuple[int, ...]]:
    """Annotation or prediction SQL for task ids in [lo, hi), read in task order from the task-id index.

    SQLite would otherwise pick the (project_id, ...) index and sort all the project's rows in
    memory, which grows with the project: the unary `+` keeps the project filter off the index,
    so the task-id range walks the task index in order and only each task's few rows are sorted.
    """
    return _range_sql(sql.replace(f"{alias}.project_id = %s", f"+{alias}.project_id = %s"), f"{alias}.task_id", lo, hi)


def _task_id_bounds(row: Any) -> tuple[int, int]:
    """[lo, hi) of a project's task ids from its (min, max) row; empty when it has no task."""
    low, high = row
    return (0, 0) if low is None else (int(low), int(high) + 1)


_BOUNDS_SQL = "SELECT min(id), max(id) FROM tasks WHERE project_id = %s"


def iter_task_records(session: Any, project_id: int, *, only_annotated: bool = False) -> Iterator[TaskRecord]:
    """Tasks in id order with their annotation and prediction rows (see TaskRecord)."""
    tasks = stream_rows(session, _TASK_SQL.replace("{extra}", _extra(only_annotated)), (project_id,))
    [bounds] = list(stream_rows(session, _BOUNDS_SQL, (project_id,)))  # read whole: the cursor closes
    lo, hi = _task_id_bounds(bounds)
    ann_sql, ann_rng = _in_task_order(_ANNOTATION_SQL, "a", lo, hi)
    pred_sql, pred_rng = _in_task_order(_PREDICTION_SQL, "p", lo, hi)
    anns = _Merge(_grouped(stream_rows(session, ann_sql, (project_id, *ann_rng))))
    preds = _Merge(_grouped(stream_rows(session, pred_sql, (project_id, *pred_rng))))
    no_rows: list[tuple[Any, ...]] = []
    for row in tasks:
        task_id = row[0]
        has_ann = row[7] or row[8]
        yield TaskRecord(row, anns.take(task_id) if has_ann else no_rows, preds.take(task_id) if row[9] else no_rows)


def _raw_rows(conn: Any, sql: str, params: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """Rows of `sql` (with %s placeholders) on a sqlite3 connection, fetched in batches."""
    cursor = conn.cursor()
    try:
        cursor.execute(sql.replace("%s", "?"), params)
        while rows := cursor.fetchmany(5000):
            yield from rows
    finally:
        cursor.close()


def _range_sql(sql: str, column: str, lo: int | None, hi: int | None) -> tuple[str, tuple[int, ...]]:
    """Add `column >= lo AND column < hi` (either side optional) before ORDER BY."""
    cond, params = "", []
    if lo is not None:
        cond, params = f" AND {column} >= %s", [lo]
    if hi is not None:
        cond, params = f"{cond} AND {column} < %s", [*params, hi]
    head, _, order = sql.rpartition(" ORDER BY ")
    return f"{head}{cond} ORDER BY {order}", tuple(params)


def sqlite_json_batches(
    conn: Any, project_id: int, *, only_annotated: bool = False, lo: int | None = None, hi: int | None = None
) -> Iterator[tuple[list[bytes], int]]:
    """Finished task JSON texts (UTF-8) (and their annotation count), a batch at a time, for ids in [lo, hi).

    `conn` is a sqlite3 connection; SQLite builds each task's text, Python fills in the few
    annotation and prediction lists.
    """
    from lsx.engine.formats.json_export import annotation_text, prediction_text

    text_sql = _JSON_TEXT_SQL.replace("{extra}", _extra(only_annotated)).replace("{project}", str(int(project_id)))
    task_sql, rng = _range_sql(text_sql, "t.id", lo, hi)
    low, high = _task_id_bounds(conn.execute(_BOUNDS_SQL.replace("%s", "?"), (project_id,)).fetchone())
    ann_sql, ann_rng = _in_task_order(_ANNOTATION_SQL, "a", low if lo is None else lo, high if hi is None else hi)
    pred_sql, pred_rng = _in_task_order(_PREDICTION_SQL, "p", low if lo is None else lo, high if hi is None else hi)
    anns = _Merge(_grouped(_raw_rows(conn, ann_sql, (project_id, *ann_rng))))
    preds = _Merge(_grouped(_raw_rows(conn, pred_sql, (project_id, *pred_rng))))
    cursor = conn.cursor()
    try:
        cursor.execute(task_sql.replace("%s", "?"), (project_id, *rng))
        while rows := cursor.fetchmany(5000):
            out: list[bytes] = []
            n_ann = 0
            for task_id, n_a, n_p, text in rows:
                if n_a:
                    got = anns.take(task_id)
                    n_ann += len(got)
                    body = ",".join(annotation_text(a, project_id) for a in got)
                    text = text.replace(b'"annotations":[]', f'"annotations":[{body}]'.encode(), 1)
                if n_p:
                    body = ",".join(prediction_text(p, project_id) for p in preds.take(task_id))
                    text = text.replace(b'"predictions":[]', f'"predictions":[{body}]'.encode(), 1)
                out.append(text)
            yield out, n_ann
    finally:
        cursor.close()


# Below this many tasks one process is fast enough (starting a second costs ~0.1 s of CPU); above it
# the JSON export splits the id range in two halves built at once (see json_export._write_sqlite).
# Halves, measured: the helper's start costs about what the appending of its file costs this one.
PARALLEL_EXPORT_MIN = 500_000


def split_point(conn: Any, project_id: int, only_annotated: bool) -> int | None:
    """The task id where the second part of the export starts, or None when the export is small.

    A whole-project export splits its id range, read from the index at once; counting a million
    rows would cost a quarter of a second. Projects whose ids interleave with another's are split
    less evenly, never wrongly. An annotated-only export counts, since its rows may be few.
    """
    if (os.cpu_count() or 1) < 2:
        return None
    if not only_annotated:
        low, high = conn.execute("SELECT min(id), max(id) FROM tasks WHERE project_id = ?", (project_id,)).fetchone()
        if low is None or high - low + 1 < PARALLEL_EXPORT_MIN:
            return None
        return int(low + (high - low + 1) // 2)
    extra = _extra(only_annotated)
    (n,) = conn.execute(
        f"SELECT count(*) FROM tasks t WHERE t.project_id = ? AND {_VISIBLE} {extra}", (project_id,)
    ).fetchone()
    if n < PARALLEL_EXPORT_MIN:
        return None
    row = conn.execute(
        f"SELECT t.id FROM tasks t WHERE t.project_id = ? AND {_VISIBLE} {extra} ORDER BY t.id LIMIT 1 OFFSET ?",
        (project_id, n // 2),
    ).fetchone()
    return int(row[0]) if row else None


def export_project(
    ws: Any,
    actor: Actor,
    project_id: int,
    fmt: str,
    out: Path | str | IO[bytes],
    *,
    only_annotated: bool = False,
    progress: Progress | None = None,
) -> ExportReport:
    """Write the export; `out` is a path (written atomically), '-' for stdout, or a binary stream."""
    from lsx.engine.projects import get_project

    fmt = fmt.upper().replace("-", "_")
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise InputError(f"unknown export format {fmt!r}; formats: {', '.join(sorted(EXPORTERS))}")
    started = time.perf_counter()
    with ws.read() as s:
        project = get_project(s, actor, project_id)
        ctx = ExportContext(project=project, is_sqlite=ws.is_sqlite, session=s, only_annotated=only_annotated,
                            progress=progress)
        exporter.check(ctx)
        records = iter_task_records(s, project_id, only_annotated=only_annotated)
        if isinstance(out, str) and out == "-":
            report = ExportReport(fmt, "-")
            _write(exporter, ctx, records, sys.stdout.buffer, report, progress)
        elif isinstance(out, str | Path):
            target = Path(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            report = ExportReport(fmt, str(target))
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            try:
                with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
                    _write(exporter, ctx, records, fh, report, progress)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        else:
            report = ExportReport(fmt, "<stream>")
            _write(exporter, ctx, records, out, report, progress)
    report.duration = time.perf_counter() - started
    return report


def _write(
    exporter: Any, ctx: ExportContext, records: Iterator[TaskRecord], fh: IO[bytes], report: ExportReport,
    progress: Progress | None,
) -> None:
    def counted() -> Iterator[TaskRecord]:
        n = annotations = 0
        for rec in records:
            n += 1
            if rec.annotations:
                annotations += len(rec.annotations)
            if progress is not None and n % 10_000 == 0:
                progress(n, None, "exporting")
            yield rec
        report.task_count = n
        report.annotation_count = annotations

    ctx.report = report
    exporter.write(ctx, counted(), fh)
    if progress is not None:
        progress(report.task_count, report.task_count, "exported")
