"""Import tasks (with annotations and predictions) from files or a request body.

An import writes in short batch transactions tagged with its TaskImport row, then flips that row
to committed: readers see all of it or none of it (see visibility.py). Each batch also records how
many input items it consumed, so a retried import job resumes where the last commit ended. A
failed import is purged; one whose process died is purged the next time the database is opened.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.db.bulk import insert_rows, reserve_ids
from lsx.engine.db.gc_pause import gc_paused
from lsx.engine.db.models import (
    IMPORT_COMMITTED,
    IMPORT_FAILED,
    IMPORT_PENDING,
    Annotation,
    Membership,
    Prediction,
    Project,
    Task,
    TaskImport,
    User,
)
from lsx.engine.errors import InputError, Problem, ValidationFailed
from lsx.engine.formats.readers import UNDEFINED_KEY, Item, detect_format, iter_files, read_body, read_items
from lsx.engine.timefmt import parse_iso, sqlite_text, sqlite_text_from_iso

BATCH_SIZE = 10_000
# A pending import on another host whose heartbeat is older than this is taken as abandoned.
ABANDONED_AFTER = timedelta(minutes=10)

Progress = Callable[..., None]

TASK_COLUMNS = (
    "id", "project_id", "data", "meta", "created_at", "updated_at", "is_labeled", "allow_skip", "overlap",
    "file_upload", "inner_id", "total_annotations", "cancelled_annotations", "total_predictions",
    "task_import_id", "updated_by_id",
)
ANNOTATION_COLUMNS = (
    "task_id", "project_id", "completed_by_id", "updated_by_id", "result", "was_cancelled", "ground_truth",
    "created_at", "updated_at", "draft_created_at", "lead_time", "result_count", "import_id", "bulk_created",
)
PREDICTION_COLUMNS = (
    "task_id", "project_id", "result", "score", "model_version", "cluster", "neighbors", "mislabeling",
    "created_at", "updated_at",
)


@dataclass
class ImportReport:
    task_import_id: int
    task_count: int = 0
    annotation_count: int = 0
    prediction_count: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duration: float = 0.0
    task_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "import": self.task_import_id,
            "task_count": self.task_count,
            "annotation_count": self.annotation_count,
            "prediction_count": self.prediction_count,
            "rejected": [{"where": p.where, "index": p.index, "error": p.message} for p in self.rejected],
            "warnings": self.warnings,
            "duration": round(self.duration, 3),
        }


# --- one task item -> rows -------------------------------------------------------------------


# (data JSON, meta JSON, allow_skip, annotations, predictions, file_upload): a tuple, because
# a million of them are built per million tasks and a tuple is the cheapest record Python has.
PreparedTask = tuple[str, str, bool, list[dict[str, Any]], list[dict[str, Any]], str | None]


class Validators:
    """The project's config validators, or shape checks only when the config binds no data."""

    def __init__(self, project: Project) -> None:
        self.first_key: str | None = next(iter(project.data_types or {}), None)
        self.config: Any = None
        if project.data_types:
            from lsx.engine.config import parse_config, validate_result, validate_task_data

            self.config = parse_config(project.label_config)
            self._data = validate_task_data
            self._result = validate_result

    def data(self, data: dict[str, Any], where: str) -> list[Problem]:
        return self._data(self.config, data, where=where) if self.config is not None else []

    def result(self, result: Any, where: str, kind: str) -> list[Problem]:
        return self._result(self.config, result, where=where, kind=kind) if self.config is not None else []

    def normalize_prediction(self, result: Any) -> Any:
        if self.config is not None and not isinstance(result, list):
            from lsx.engine.config import normalize_prediction_result

            return normalize_prediction_result(self.config, result)
        return result


def _fail(where: str, message: str) -> InputError:
    return InputError(f"{where}: {message}")


_EMPTY: list[dict[str, Any]] = []


def prepare_item(item: Any, where: str, v: Validators, warnings: list[str]) -> PreparedTask:
    """Check one task item's shape and content; raise InputError naming where it is."""
    if type(item) is dict and "data" not in item and UNDEFINED_KEY not in item:
        # The common case (a bare data object, as in JSONL/CSV files) takes the short path.
        if v.config is not None:
            problems = v.data(item, where)
            if problems:
                raise ValidationFailed(problems)
        return (orjson.dumps(item).decode(), "{}", True, _EMPTY, _EMPTY, None)
    if not isinstance(item, dict):
        raise _fail(where, f"a task must be a JSON object, got {type(item).__name__}")
    if "data" in item:
        data = item["data"]
        if not isinstance(data, dict):
            raise _fail(where, f"'data' must be an object, got {type(data).__name__}")
        meta = item.get("meta") or {}
        if not isinstance(meta, dict):
            raise _fail(where, f"'meta' must be an object, got {type(meta).__name__}")
        annotations = item.get("annotations") or []
        predictions = item.get("predictions") or []
        allow_skip = item.get("allow_skip", True)
        if not isinstance(allow_skip, bool):
            raise _fail(where, "'allow_skip' must be true or false")
        file_upload = item.get("file_upload") if isinstance(item.get("file_upload"), str) else None
    else:
        data, meta, annotations, predictions, allow_skip, file_upload = item, {}, [], [], True, None
    if UNDEFINED_KEY in data:
        if v.first_key is None:
            raise _fail(where, "the project's config binds no data key for plain text or media tasks")
        data = dict(data)
        data[v.first_key] = data.pop(UNDEFINED_KEY)
    problems = v.data(data, where)
    if problems:
        raise ValidationFailed(problems)
    if not isinstance(annotations, list):
        raise _fail(where, "'annotations' must be a list")
    if not isinstance(predictions, list):
        raise _fail(where, "'predictions' must be a list")
    for j, ann in enumerate(annotations):
        if type(ann) is not dict or type(ann.get("result")) is not list:
            here = f"{where}: annotation {j}"
            if not isinstance(ann, dict):
                raise _fail(here, "an annotation must be an object")
            if "result" not in ann:
                raise _fail(here, "missing 'result'")
            if not isinstance(ann["result"], list):
                raise _fail(here, "'result' must be a list")
        # Checked under the task's name, and again under the annotation's only when it fails:
        # naming every annotation up front costs more than the check of a clean one.
        if v.result(ann["result"], where, "annotation"):
            raise ValidationFailed(v.result(ann["result"], f"{where}: annotation {j}", "annotation"))
    kept_predictions = []
    for j, pred in enumerate(predictions):
        here = f"{where}: prediction {j}"
        if isinstance(pred, int) and not isinstance(pred, bool):
            warnings.append(f"{here}: prediction given by id only ({pred}), skipped")
            continue
        if not isinstance(pred, dict):
            raise _fail(here, "a prediction must be an object")
        if "result" not in pred:
            raise _fail(here, "missing 'result'")
        result = v.normalize_prediction(pred["result"])
        if not isinstance(result, list):
            raise _fail(here, "'result' must be a list")
        problems = v.result(result, here, "prediction")
        if problems:
            raise ValidationFailed(problems)
        kept_predictions.append({**pred, "result": result})
    dumps = orjson.dumps
    return (dumps(data).decode(), dumps(meta).decode() if meta else "{}", allow_skip, annotations, kept_predictions,
            file_upload)


# --- annotators named in files ---------------------------------------------------------------


class AnnotatorResolver:
    """Map `completed_by` (id, email, {"email"}, absent) to users of the project's organization.

    Unknown ids and emails each get their own inactive placeholder user, so distinct annotators in
    a file stay distinct after import.
    """

    def __init__(self, session: Session, org_id: int, importer_id: int) -> None:
        self.org_id = org_id
        self.importer_id = importer_id
        self.cache: dict[Any, int] = {}
        rows = session.execute(
            select(User.id, User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == org_id)
        ).all()
        self.by_id = {uid: uid for uid, _ in rows}
        self.by_email = {email.lower(): uid for uid, email in rows}

    def resolve(self, session: Session, value: Any) -> int:
        if value is None:
            return self.importer_id
        if isinstance(value, dict):
            value = value.get("email") or value.get("id")
            if value is None:
                return self.importer_id
        key = value.lower() if isinstance(value, str) else value
        if key in self.cache:
            return self.cache[key]
        if isinstance(key, int) and key in self.by_id:
            uid = key
        elif isinstance(key, str) and key in self.by_email:
            uid = self.by_email[key]
        else:
            uid = self._placeholder(session, key)
        self.cache[key] = uid
        return uid

    def _placeholder(self, session: Session, key: Any) -> int:
        email = key if isinstance(key, str) and "@" in key else f"imported-user-{key}@placeholder.invalid"
        user = session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            user = User(
                email=email, username=email, is_active=False, is_placeholder=True, active_organization_id=self.org_id
            )
            session.add(user)
            session.flush()
        if not session.scalars(
            select(Membership.id).where(Membership.user_id == user.id, Membership.organization_id == self.org_id)
        ).first():
            session.add(Membership(organization_id=self.org_id, user_id=user.id, role="annotator"))
            session.flush()
        return user.id


# --- the import run --------------------------------------------------------------------------


def _owner_tag() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def begin_import(ws: Any, actor: Actor, project_id: int, *, source: str = "", sha256: str = "") -> int:
    """Create the (invisible) TaskImport row; its id keys every batch of the import."""
    from lsx.engine.projects import get_project

    with ws.session() as s:
        get_project(s, actor, project_id)
        row = TaskImport(
            project_id=project_id, source=source, sha256=sha256, created_by_id=actor.id, owner=_owner_tag()
        )
        s.add(row)
        s.flush()
        return row.id


def _datetime_param(is_sqlite: bool, value: datetime) -> Any:
    return sqlite_text(value) if is_sqlite else value


def _time_param(is_sqlite: bool, raw: Any, default: Any) -> Any:
    """A timestamp from a file as a driver parameter; `default` (already a parameter) when absent."""
    if raw is None:
        return default
    if is_sqlite:
        text = sqlite_text_from_iso(raw)
        return default if text is None else text
    parsed = parse_iso(raw)
    return default if parsed is None else parsed


class BatchWriter:
    """Write prepared tasks in one short transaction per batch."""

    def __init__(self, ws: Any, actor: Actor, project: Project, task_import_id: int) -> None:
        self.ws = ws
        self.actor = actor
        self.project_id = project.id
        self.org_id = project.organization_id
        self.overlap = project.maximum_annotations if project.overlap_cohort_percentage >= 100 else 1
        self.count_skipped = project.skip_queue == "IGNORE_SKIPPED"
        self.task_import_id = task_import_id
        self.is_sqlite = ws.is_sqlite
        self.resolver: AnnotatorResolver | None = None
        self.report = ImportReport(task_import_id)

    def _children(
        self, s: Session, task_id: int, t: PreparedTask, annotations: list[tuple[Any, ...]],
        predictions: list[tuple[Any, ...]], now_p: Any,
    ) -> tuple[bool, int, int]:
        """Rows for a task's annotations and predictions; the task's (is_labeled, done, cancelled)."""
        assert self.resolver is not None
        resolve = self.resolver.resolve
        pid = self.project_id
        dt = self.is_sqlite
        dumps = orjson.dumps
        done = cancelled = 0
        annotators: set[int] = set()
        for a in t[3]:
            get = a.get
            cancelled_flag = bool(get("was_cancelled", False))
            user_id = resolve(s, get("completed_by"))
            # Files often carry no times: the None checks spare three calls per annotation.
            created, updated, draft = get("created_at"), get("updated_at"), get("draft_created_at")
            created = now_p if created is None else _time_param(dt, created, now_p)
            updated = created if updated is None else _time_param(dt, updated, created)
            draft = None if draft is None else _time_param(dt, draft, None)
            lead = get("lead_time")
            source_id = get("id")
            result = a["result"]
            annotations.append((
                task_id, pid, user_id, user_id, dumps(result).decode(), cancelled_flag,
                bool(get("ground_truth", False)), created, updated, draft,
                float(lead) if type(lead) is float or type(lead) is int else None,
                len(result), source_id if type(source_id) is int else None, True,
            ))
            if cancelled_flag:
                cancelled += 1
                if self.count_skipped:
                    annotators.add(user_id)
            else:
                done += 1
                annotators.add(user_id)
        for p in t[4]:
            score = p.get("score")
            try:
                score = float(score) if score is not None and not isinstance(score, bool) else None
            except (TypeError, ValueError):
                score = None
            created_p = _time_param(dt, p.get("created_at"), now_p)
            predictions.append((
                task_id, pid, dumps(p["result"]).decode(), score,
                str(p.get("model_version") or "undefined"),
                p.get("cluster") if isinstance(p.get("cluster"), int) else None,
                dumps(p["neighbors"]).decode() if p.get("neighbors") is not None else None,
                float(p["mislabeling"]) if isinstance(p.get("mislabeling"), int | float) else 0.0,
                created_p, created_p,
            ))
        return len(annotators) >= self.overlap, done, cancelled

    def flush(self, batch: list[PreparedTask], rows_done: int) -> None:
        now = datetime.now(UTC)
        now_p = _datetime_param(self.is_sqlite, now)
        first_id = inner = 0
        # References are sound without SQLite checking each row: task ids are reserved here, the
        # project is re-read here, users come from the resolver and the import row is ours.
        with self.ws.bulk_session() as s:
            if self.resolver is None:
                self.resolver = AnnotatorResolver(s, self.org_id, self.actor.id)
            if batch:
                first_id = reserve_ids(s, "tasks", len(batch))
                top = s.execute(
                    update(Project)
                    .where(Project.id == self.project_id)
                    .values(last_inner_id=Project.last_inner_id + len(batch))
                    .returning(Project.last_inner_id)
                ).scalar()
                if top is None:
                    raise InputError(f"project {self.project_id} was deleted during the import")
                inner = top - len(batch)
            pid, overlap, import_id, by = self.project_id, self.overlap, self.task_import_id, self.actor.id
            first_inner = inner + 1
            # Most tasks are plain (data only): those bind 3 parameters, the rest are literals.
            plain = [
                (first_id + i, t[0], first_inner + i)
                for i, t in enumerate(batch)
                if not (t[3] or t[4]) and t[1] == "{}" and t[2] is True and t[5] is None
            ]
            tasks: list[tuple[Any, ...]] = []
            annotations: list[tuple[Any, ...]] = []
            predictions: list[tuple[Any, ...]] = []
            if len(plain) < len(batch):
                for i, t in enumerate(batch):
                    if not (t[3] or t[4]) and t[1] == "{}" and t[2] is True and t[5] is None:
                        continue
                    task_id = first_id + i
                    labeled, done, cancelled = (
                        self._children(s, task_id, t, annotations, predictions, now_p) if t[3] or t[4]
                        else (False, 0, 0)
                    )
                    tasks.append((task_id, pid, t[0], t[1], now_p, now_p, labeled, t[2], overlap, t[5],
                                  first_inner + i, done, cancelled, len(t[4]), import_id, by))
            insert_rows(s, "tasks", ("id", "data", "inner_id"), plain, {
                "project_id": pid, "meta": "{}", "created_at": now_p, "updated_at": now_p, "is_labeled": False,
                "allow_skip": True, "overlap": overlap, "file_upload": None, "total_annotations": 0,
                "cancelled_annotations": 0, "total_predictions": 0, "task_import_id": import_id, "updated_by_id": by,
            })
            insert_rows(s, "tasks", TASK_COLUMNS, tasks)
            insert_rows(s, "annotations", ANNOTATION_COLUMNS, annotations)
            insert_rows(s, "predictions", PREDICTION_COLUMNS, predictions)
            s.execute(
                update(TaskImport)
                .where(TaskImport.id == self.task_import_id)
                .values(
                    rows_done=rows_done,
                    heartbeat_at=now,
                    task_count=TaskImport.task_count + len(batch),
                    annotation_count=TaskImport.annotation_count + len(annotations),
                    prediction_count=TaskImport.prediction_count + len(predictions),
                    first_task_id=func.coalesce(TaskImport.first_task_id, first_id if batch else None),
                    last_task_id=first_id + len(batch) - 1 if batch else TaskImport.last_task_id,
                )
            )
        self.report.task_count += len(batch)
        if batch and len(self.report.task_ids) < 100_000:
            self.report.task_ids.extend(range(first_id, first_id + len(batch)))
        self.report.annotation_count += len(annotations)
        self.report.prediction_count += len(predictions)


def _media_items(ws: Any, project_id: int, path: Path) -> Iterator[Item]:
    """Copy a media file under LSX_HOME/media/<project>/ and make the task that points at it."""
    name = f"{uuid.uuid4().hex[:8]}-{path.name}"
    target = Path(ws.settings.home) / "media" / str(project_id) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(path, target)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    yield str(path), {"data": {UNDEFINED_KEY: f"/data/upload/{project_id}/{name}"}, "file_upload": name}


def items_from_paths(ws: Any, project_id: int, paths: Iterable[str | Path], fmt: str | None = None) -> Iterator[Item]:
    for raw in paths:
        for path in iter_files(Path(raw)):
            if detect_format(path, fmt) == "media":
                yield from _media_items(ws, project_id, path)
            else:
                yield from read_items(path, fmt)


def run_import(
    ws: Any,
    actor: Actor,
    project_id: int,
    items: Iterable[Item],
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    task_import_id: int | None = None,
    source: str = "",
    sha256: str = "",
    replace_import_ids: Iterable[int] = (),
) -> ImportReport:
    """Import task items; all or nothing unless skip_invalid (then rejected items are listed)."""
    from lsx.engine.projects import get_project

    started = time.perf_counter()
    with ws.read() as s:
        project = get_project(s, actor, project_id)
        actor.require("annotator", "import tasks")
        validators = Validators(project)
        s.expunge(project)
    resume_from = 0
    if task_import_id is None:
        task_import_id = begin_import(ws, actor, project_id, source=source, sha256=sha256)
    else:
        with ws.read() as s:
            row = s.get(TaskImport, task_import_id)
            if row is None or row.project_id != project_id:
                raise InputError(f"import {task_import_id} not found in project {project_id}")
            if row.state == IMPORT_COMMITTED:
                return _report_of(row, started)
            resume_from = row.rows_done
    writer = BatchWriter(ws, actor, project, task_import_id)
    report = writer.report
    batch: list[PreparedTask] = []
    consumed = 0
    try:
        with gc_paused():  # the loop makes no reference cycles (lsx.engine.db.gc_pause)
            for consumed, (where, item) in enumerate(items, 1):
                if consumed <= resume_from:
                    continue
                try:
                    batch.append(prepare_item(item, where, validators, report.warnings))
                except ValidationFailed as exc:
                    if not skip_invalid:
                        raise
                    report.rejected.extend(exc.problems[:1])
                except InputError as exc:
                    if not skip_invalid:
                        raise
                    message = exc.message.removeprefix(f"{where}: ")
                    report.rejected.append(Problem(message, where=where, index=consumed - 1))
                if len(batch) >= BATCH_SIZE:
                    writer.flush(batch, consumed)
                    batch = []
                    if progress:
                        progress(report.task_count + resume_from, None, "importing")
            writer.flush(batch, consumed)
        _commit(ws, actor, project, task_import_id, replace_import_ids)
    except BaseException as exc:
        purge_import(ws, task_import_id, error=str(exc))
        raise
    if progress:
        progress(report.task_count, report.task_count, "imported")
    report.duration = time.perf_counter() - started
    return report


def _report_of(row: TaskImport, started: float) -> ImportReport:
    return ImportReport(
        row.id, row.task_count, row.annotation_count, row.prediction_count,
        duration=time.perf_counter() - started,
    )


def _commit(ws: Any, actor: Actor, project: Project, task_import_id: int, replace: Iterable[int]) -> None:
    """Make the import visible in one short transaction (and retire the imports it replaces)."""
    replace = list(replace)
    with ws.session() as s:
        for old in replace:
            # Re-import of an edited file: its unannotated tasks go, annotated ones stay.
            s.execute(
                delete(Task).where(
                    Task.task_import_id == old,
                    Task.total_annotations == 0,
                    Task.cancelled_annotations == 0,
                )
            )
        s.execute(
            update(TaskImport)
            .where(TaskImport.id == task_import_id)
            .values(state=IMPORT_COMMITTED, committed_at=datetime.now(UTC))
        )
        row = s.get(TaskImport, task_import_id)
        if row is None:  # the project went, and its imports with it
            raise InputError(f"project {project.id} was deleted during the import")
        audit.record(
            s, actor, "import", "task_import", task_import_id, project_id=project.id,
            tasks=row.task_count, annotations=row.annotation_count, predictions=row.prediction_count,
            source=row.source,
        )
    if project.overlap_cohort_percentage < 100 and project.maximum_annotations > 1:
        from lsx.engine.task_state import recompute_overlap

        with ws.session() as s:
            recompute_overlap(s, s.get(Project, project.id))


def purge_import(ws: Any, task_import_id: int, *, error: str = "") -> None:
    """Remove every row of an import that will never commit."""
    with ws.session() as s:
        row = s.get(TaskImport, task_import_id)
        if row is None or row.state == IMPORT_COMMITTED:
            return
        row.state = IMPORT_FAILED
        row.error = error[:2000]
        first, last = row.first_task_id, row.last_task_id
    with ws.session() as s:
        if first is not None and last is not None:
            # Batches reserve contiguous ids, so the import's tasks lie in [first, last].
            mine = and_(Task.id.between(first, last), Task.task_import_id == task_import_id)
            task_ids = select(Task.id).where(mine)
            s.execute(delete(Annotation).where(Annotation.task_id.in_(task_ids)))
            s.execute(delete(Prediction).where(Prediction.task_id.in_(task_ids)))
            s.execute(delete(Task).where(mine))
        s.execute(delete(TaskImport).where(TaskImport.id == task_import_id))
        # Placeholder annotators made for this import and used by nothing else.
        used = select(Annotation.completed_by_id).where(Annotation.completed_by_id.is_not(None))
        orphans = select(User.id).where(User.is_placeholder.is_(True), User.id.not_in(used))
        s.execute(delete(Membership).where(Membership.user_id.in_(orphans)))
        s.execute(delete(User).where(User.is_placeholder.is_(True), User.id.not_in(used)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def purge_abandoned_imports(ws: Any, *, resumable: Iterable[int] = ()) -> int:
    """Purge pending imports whose process is gone (same host) or silent too long (elsewhere)."""
    keep = set(resumable)
    with ws.read() as s:
        pending = s.execute(
            select(TaskImport.id, TaskImport.owner, TaskImport.heartbeat_at).where(
                TaskImport.state.in_((IMPORT_PENDING, IMPORT_FAILED))
            )
        ).all()
    if not pending:
        return 0
    host = socket.gethostname()
    now = datetime.now(UTC)
    purged = 0
    for import_id, owner, heartbeat in pending:
        if import_id in keep or _owned_by_job(ws, import_id):
            continue
        owner_host, _, pid = (owner or "").rpartition(":")
        if heartbeat is not None and heartbeat.tzinfo is None:
            heartbeat = heartbeat.replace(tzinfo=UTC)
        if owner_host == host and pid.isdigit():
            dead = not _pid_alive(int(pid))
        else:
            dead = heartbeat is None or now - heartbeat > ABANDONED_AFTER
        if dead:
            purge_import(ws, import_id, error="abandoned")
            purged += 1
    return purged


def _owned_by_job(ws: Any, import_id: int) -> bool:
    """An import run by a job is resumed by the job's retry, not purged (see jobs)."""
    try:
        from lsx.engine.jobs import import_owned_by_live_job
    except ImportError:
        return False
    return bool(import_owned_by_live_job(ws, import_id))


def import_files(
    ws: Any,
    actor: Actor,
    project_id: int,
    paths: list[str] | list[Path],
    *,
    fmt: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    task_import_id: int | None = None,
    replace_import_ids: Iterable[int] = (),
) -> ImportReport:
    """`lsx import`: files and folders in any supported format."""
    for p in paths:
        if not Path(p).exists():
            raise InputError(f"{p}: no such file or folder")
    source = ", ".join(str(p) for p in paths)
    return run_import(
        ws, actor, project_id, items_from_paths(ws, project_id, paths, fmt), skip_invalid=skip_invalid,
        progress=progress, task_import_id=task_import_id, source=source[:2000],
        replace_import_ids=replace_import_ids,
    )


def import_body(ws: Any, actor: Actor, project_id: int, body: bytes | str, **kwargs: Any) -> ImportReport:
    """The API's import: a JSON list of tasks or one task."""
    return run_import(ws, actor, project_id, read_body(body), source="api", **kwargs)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
