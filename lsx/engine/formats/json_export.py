"""JSON export in Label Studio's snapshot shape: tasks with full annotation and prediction objects.

Task data is copied as stored JSON text where the database gives text (SQLite), so the common case
is string assembly, not parse-and-dump.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Any

import orjson

from lsx.engine.formats.registry import (
    ExportContext,
    TaskRecord,
    json_text,
    register_exporter,
    timestamp,
)


def _b(value: Any) -> str:
    return "true" if value else "false"


def _n(value: Any) -> str:
    return "null" if value is None else orjson.dumps(value).decode()


def annotation_text(row: tuple[Any, ...], project_id: int) -> str:
    (task_id, ann_id, completed_by, result, cancelled, gt, created, updated, draft_created, lead, result_count,
     unique_id, import_id, last_action, bulk_created, updated_by, parent_pred, parent_ann) = row
    return (
        f'{{"id":{ann_id},"completed_by":{_n(completed_by)},"result":{json_text(result)},'
        f'"was_cancelled":{_b(cancelled)},"ground_truth":{_b(gt)},"created_at":{_n(timestamp(created))},'
        f'"updated_at":{_n(timestamp(updated))},"draft_created_at":{_n(timestamp(draft_created))},'
        f'"lead_time":{_n(lead)},"prediction":{{}},"result_count":{result_count},"unique_id":{_n(unique_id)},'
        f'"import_id":{_n(import_id)},"last_action":{_n(last_action)},"bulk_created":{_b(bulk_created)},'
        f'"task":{task_id},"project":{project_id},"updated_by":{_n(updated_by)},'
        f'"parent_prediction":{_n(parent_pred)},"parent_annotation":{_n(parent_ann)},"last_created_by":null}}'
    )


def prediction_text(row: tuple[Any, ...], project_id: int) -> str:
    task_id, pred_id, result, model_version, score, cluster, neighbors, mislabeling, created, updated = row
    return (
        f'{{"id":{pred_id},"result":{json_text(result)},"model_version":{_n(model_version)},'
        f'"created_ago":"","score":{_n(score)},"cluster":{_n(cluster)},"neighbors":{json_text(neighbors)},'
        f'"mislabeling":{_n(mislabeling)},"created_at":{_n(timestamp(created))},'
        f'"updated_at":{_n(timestamp(updated))},"model":null,"model_run":null,"task":{task_id},'
        f'"project":{project_id}}}'
    )


def task_text(rec: TaskRecord, project_id: int) -> str:
    (task_id, data, meta, created, updated, allow_skip, inner_id, total, cancelled, total_pred, updated_by,
     file_upload, _labeled) = rec.task
    anns = ",".join(annotation_text(a, project_id) for a in rec.annotations)
    preds = ",".join(prediction_text(p, project_id) for p in rec.predictions)
    upload = f'"file_upload":{_n(file_upload)},' if file_upload else ""
    return (
        f'{{"id":{task_id},"annotations":[{anns}],{upload}"drafts":[],"predictions":[{preds}],'
        f'"data":{json_text(data)},"meta":{json_text(meta)},"created_at":"{timestamp(created)}",'
        f'"updated_at":"{timestamp(updated)}","allow_skip":{_b(allow_skip)},"inner_id":{inner_id},'
        f'"total_annotations":{total},"cancelled_annotations":{cancelled},"total_predictions":{total_pred},'
        f'"comment_count":0,"unresolved_comment_count":0,"last_comment_updated_at":null,"project":{project_id},'
        f'"updated_by":{_n(updated_by)},"comment_authors":[]}}'
    )


class JsonExporter:
    name = "JSON"
    title = "JSON"
    description = "Tasks with their annotations and predictions in Label Studio's JSON format."
    extension = "json"

    def check(self, ctx: ExportContext) -> None:
        return None

    def write(self, ctx: ExportContext, records: Iterator[TaskRecord], fh: IO[bytes]) -> None:
        pid = ctx.project.id
        fh.write(b"[\n")
        if ctx.is_sqlite:
            done, annotations = _write_sqlite(ctx, fh)
            ctx.report.task_count, ctx.report.annotation_count = done, annotations
        else:
            first = True
            buf: list[str] = []
            for rec in records:
                buf.append(task_text(rec, pid))
                if len(buf) >= 2000:
                    fh.write(((",\n" if not first else "") + ",\n".join(buf)).encode())
                    first = False
                    buf.clear()
            if buf:
                fh.write(((",\n" if not first else "") + ",\n".join(buf)).encode())
        fh.write(b"\n]\n")


def _write_batches(batches: Iterator[tuple[list[bytes], int]], fh: IO[bytes], progress: Any = None) -> tuple[int, int]:
    """Write task texts separated by ",\n"; (tasks, annotations) written."""
    done = annotations = 0
    for texts, n_ann in batches:
        if done:
            fh.write(b",\n")
        fh.write(b",\n".join(texts))
        done += len(texts)
        annotations += n_ann
        if progress is not None and done % 10_000 < len(texts):
            progress(done, None, "exporting")
    return done, annotations


def _write_sqlite(ctx: ExportContext, fh: IO[bytes]) -> tuple[int, int]:
    """SQLite builds the text; a large export builds its second half in a second process.

    Threads do not help here (two sqlite3 connections in one interpreter fight over the GIL and
    spend twice the CPU), a spawned process does: it writes its half to a temporary file that is
    appended once the first half is written.
    """
    import tempfile
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from lsx.engine.exports import split_point, sqlite_json_batches

    pid, only = ctx.project.id, ctx.only_annotated
    conn = ctx.session.connection().connection.driver_connection
    mid = split_point(conn, pid, only)
    if mid is None:
        return _write_batches(sqlite_json_batches(conn, pid, only_annotated=only), fh, ctx.progress)
    path = ctx.session.get_bind().url.database
    with tempfile.TemporaryDirectory(prefix="lsx-export-") as tmp, ProcessPoolExecutor(
        max_workers=1, mp_context=get_context("spawn")
    ) as pool:
        part = f"{tmp}/second-half.json"
        future = pool.submit(build_half, path, pid, only, mid, part)
        first = _write_batches(sqlite_json_batches(conn, pid, only_annotated=only, hi=mid), fh, ctx.progress)
        rest = future.result()
        if first[0] and rest[0]:
            fh.write(b",\n")
        _append_file(part, fh)
    return first[0] + rest[0], first[1] + rest[1]


def _append_file(path: str, fh: IO[bytes]) -> None:
    """Append a file's bytes to `fh`; in the kernel (copy_file_range) when `fh` is a real file."""
    import shutil

    with open(path, "rb") as src:
        try:
            out_fd = fh.fileno()
        except (AttributeError, OSError):
            shutil.copyfileobj(src, fh, 1 << 20)
            return
        fh.flush()
        size = os.fstat(src.fileno()).st_size
        offset = 0
        try:
            while offset < size:
                sent = os.copy_file_range(src.fileno(), out_fd, size - offset, offset)
                if sent == 0:
                    break
                offset += sent
        except OSError:
            # Not supported between these files (e.g. a pipe): copy what is left in user space.
            src.seek(offset)
            shutil.copyfileobj(src, fh, 1 << 20)


def build_half(path: str, project_id: int, only_annotated: bool, lo: int, out: str) -> tuple[int, int]:
    """In a child process: the export's tasks with id >= lo, written to `out`."""
    import sqlite3

    from lsx.engine.exports import sqlite_json_batches

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("BEGIN")
        with open(out, "wb", buffering=1 << 20) as fh:
            return _write_batches(sqlite_json_batches(conn, project_id, only_annotated=only_annotated, lo=lo), fh)
    finally:
        conn.close()


register_exporter(JsonExporter())
