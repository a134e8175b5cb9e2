"""Projects: create, update, delete, resolve a PROJECT argument, and the Label Studio JSON shape."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import Session

from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import IMPORT_COMMITTED, Annotation, Prediction, Project, Task, TaskImport, User
from lsx.engine.errors import InputError, NotFound

# Settings a caller may change, with the type each must have. Keys are the Project columns; the
# CLI flag and project.toml key names map onto them in SETTING_ALIASES.
PROJECT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "description": str,
    "expert_instruction": str,
    "show_instruction": bool,
    "show_skip_button": bool,
    "enable_empty_annotation": bool,
    "show_annotation_history": bool,
    "color": str,
    "maximum_annotations": int,
    "overlap_cohort_percentage": int,
    "is_published": bool,
    "is_draft": bool,
    "model_version": str,
    "sampling": str,
    "skip_queue": str,
    "show_overlap_first": bool,
    "show_ground_truth_first": bool,
    "annotator_evaluation_enabled": bool,
    "show_collab_predictions": bool,
    "reveal_preannotations_interactively": bool,
    "evaluate_predictions_automatically": bool,
    "min_annotations_to_start_training": int,
    "start_training_on_annotation_update": bool,
    "task_lock_ttl": (int, type(None)),
    "task_data_login": (str, type(None)),
    "task_data_password": (str, type(None)),
}

# lsx's short names (CLI flags, project.toml keys) -> Project columns.
SETTING_ALIASES = {
    "instructions": "expert_instruction",
    "max_annotations": "maximum_annotations",
    "overlap_percent": "overlap_cohort_percentage",
    "lock_ttl": "task_lock_ttl",
    "annotator_evaluation": "annotator_evaluation_enabled",
    "custom_task_lock_ttl": "task_lock_ttl",
}

SKIP_QUEUES = ("REQUEUE_FOR_OTHERS", "REQUEUE_FOR_ME", "IGNORE_SKIPPED")


def _check_value(name: str, value: Any) -> Any:
    expected = PROJECT_FIELDS[name]
    if expected is int and isinstance(value, bool):
        raise InputError(f"{name} must be an integer, got {value!r}")
    if not isinstance(value, expected):
        want = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
        raise InputError(f"{name} must be {want}, got {value!r}")
    if name == "maximum_annotations" and value < 1:
        raise InputError("maximum_annotations must be at least 1")
    if name == "overlap_cohort_percentage" and not 0 <= value <= 100:
        raise InputError("overlap_cohort_percentage must be between 0 and 100")
    if name == "task_lock_ttl" and value is not None and value < 1:
        raise InputError("lock_ttl must be at least 1 second")
    if name == "skip_queue" and value not in SKIP_QUEUES:
        raise InputError(f"skip_queue must be one of {', '.join(SKIP_QUEUES)}, got {value!r}")
    if name == "sampling":
        from lsx.engine.sampling import normalize_sampling

        return normalize_sampling(value)
    if name == "title" and not value.strip():
        raise InputError("title must not be empty")
    return value


def normalize_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Map aliases to columns and type-check each value; unknown keys are an error."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        column = SETTING_ALIASES.get(key, key)
        if column not in PROJECT_FIELDS:
            raise InputError(f"unknown project setting {key!r}")
        out[column] = _check_value(column, value)
    return out


@dataclass(frozen=True)
class ConfigInfo:
    xml: str
    hash: str
    parsed: dict[str, Any]
    data_types: dict[str, Any]


def check_config(xml: str, *, source: str = "config.xml") -> ConfigInfo:
    """Parse and validate a labeling config; raises ConfigError with line and column."""
    from lsx.engine.config import parse_config

    config = parse_config(xml, source=source)
    digest = hashlib.sha256(xml.encode()).hexdigest()
    return ConfigInfo(xml, digest, config.parsed_label_config(), dict(config.data_types))


def get_project(session: Session, actor: Actor, project_id: int, *, for_update: bool = False) -> Project:
    query = select(Project).where(Project.id == project_id, Project.organization_id == actor.organization_id)
    project = session.scalars(query.with_for_update() if for_update else query).first()
    if project is None:
        raise NotFound(f"project {project_id} not found")
    return project


def resolve_project(session: Session, actor: Actor, ref: str | int) -> Project:
    """A PROJECT argument: an integer id, else a title held by exactly one project of the org."""
    text = str(ref).strip()
    if text.isdigit():
        return get_project(session, actor, int(text))
    ids = list(
        session.scalars(
            select(Project.id)
            .where(Project.organization_id == actor.organization_id, Project.title == text)
            .order_by(Project.id)
        )
    )
    if not ids:
        raise NotFound(f"project {text!r} not found")
    if len(ids) > 1:
        raise InputError(f"{len(ids)} projects are titled {text!r} (ids {', '.join(map(str, ids))}): use an id")
    return get_project(session, actor, ids[0])


def create_project(
    session: Session, actor: Actor, title: str, *, label_config: str | None = None, config_source: str = "config.xml",
    **settings: Any,
) -> Project:
    actor.require("manager", "create projects")
    values = normalize_settings({"title": title, **settings})
    project = Project(organization_id=actor.organization_id, created_by_id=actor.id, **values)
    if label_config is not None:
        _apply_config(project, check_config(label_config, source=config_source))
    else:
        project.label_config, project.parsed_label_config, project.data_types = "<View></View>", {}, {}
        project.label_config_hash = hashlib.sha256(b"<View></View>").hexdigest()
    session.add(project)
    session.flush()
    audit.record(session, actor, "create", "project", project.id, project_id=project.id, title=project.title)
    return project


def _apply_config(project: Project, info: ConfigInfo) -> None:
    project.label_config = info.xml
    project.label_config_hash = info.hash
    project.parsed_label_config = info.parsed
    project.data_types = info.data_types


def update_project(
    session: Session,
    actor: Actor,
    project: Project,
    *,
    label_config: str | None = None,
    config_source: str = "config.xml",
    force: bool = False,
    **settings: Any,
) -> list[str]:
    """Apply changes; returns the names of what changed (empty = nothing to do)."""
    actor.require("manager", "change projects")
    values = normalize_settings(settings)
    changed = [k for k, v in values.items() if getattr(project, k) != v]
    for key in changed:
        setattr(project, key, values[key])
    if label_config is not None and label_config != project.label_config:
        info = check_config(label_config, source=config_source)
        if not force:
            check_config_change(session, project, label_config, source=config_source)
        _apply_config(project, info)
        changed.append("label_config")
    if {"maximum_annotations", "overlap_cohort_percentage"} & set(changed):
        from lsx.engine.task_state import recompute_overlap

        recompute_overlap(session, project)
    if "skip_queue" in changed:  # whether skips count toward is_labeled depends on it
        from lsx.engine.task_state import recompute_counters

        recompute_counters(session, project)
    if changed:
        audit.record(session, actor, "update", "project", project.id, project_id=project.id, fields=changed)
    return changed


def check_config_change(session: Session, project: Project, new_xml: str, *, source: str = "config.xml") -> None:
    """Refuse a config that would orphan annotations (a control, object or label in use vanishing)."""
    from lsx.engine.config import ConfigError, parse_config
    from lsx.engine.config import check_config_change as check

    usage = config_usage(session, project)
    if not usage.tuples:
        return
    old = None
    try:
        old = parse_config(project.label_config)
    except ConfigError:
        pass
    problems = check(old, parse_config(new_xml, source=source), usage)
    if problems:
        from lsx.engine.errors import ValidationFailed

        raise ValidationFailed(
            problems,
            summary="the new config would orphan existing annotations (use --force to apply anyway): "
            + "; ".join(str(p) for p in problems),
        )


def config_usage(session: Session, project: Project) -> Any:
    """Which (from_name, to_name, type) and labels the project's annotations use, with counts."""
    from lsx.engine.config import ConfigUsage

    tuples: dict[tuple[str, str, str], int] = {}
    labels: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(Annotation.result).where(Annotation.project_id == project.id).execution_options(yield_per=2000)
    )
    for (result,) in rows:
        seen: set[tuple[str, str, str]] = set()
        for item in result or []:
            if not isinstance(item, dict) or item.get("type") == "relation":
                continue
            key = (str(item.get("from_name")), str(item.get("to_name")), str(item.get("type")))
            seen.add(key)
            value = item.get("value") or {}
            found = value.get(key[2]) if isinstance(value, dict) else None
            if isinstance(found, list):
                per = labels.setdefault(key[0], {})
                for label in found:
                    if isinstance(label, str):
                        per[label] = per.get(label, 0) + 1
        for key in seen:
            tuples[key] = tuples.get(key, 0) + 1
    return ConfigUsage(tuples=tuples, labels=labels)


def delete_project(session: Session, actor: Actor, project: Project) -> None:
    actor.require("manager", "delete projects")
    # Bulk deletes keep a large project's delete fast; ON DELETE CASCADE covers the rest.
    session.execute(delete(Annotation).where(Annotation.project_id == project.id))
    session.execute(delete(Prediction).where(Prediction.project_id == project.id))
    session.execute(delete(Task).where(Task.project_id == project.id))
    audit.record(session, actor, "delete", "project", project.id, project_id=project.id, title=project.title)
    session.delete(project)


def list_projects(session: Session, actor: Actor) -> list[Project]:
    return list(
        session.scalars(
            select(Project).where(Project.organization_id == actor.organization_id).order_by(Project.id)
        )
    )


# Tasks with a counter above zero: exactly the rows of the partial index `ix_tasks_project_counted`
# (migration 0008), so counter sums read that index alone. Literal zeros, rendered as the index's
# predicate is written, let SQLite match it.
_ZERO = literal_column("0")
COUNTED = or_(Task.total_annotations > _ZERO, Task.cancelled_annotations > _ZERO, Task.total_predictions > _ZERO)


@dataclass
class TaskTotals:
    """A project's visible tasks summed up: what its JSON and the Data Manager's totals report."""

    tasks: int = 0
    with_annotations: int = 0
    annotations: int = 0  # non-cancelled (the tasks' total_annotations)
    skipped: int = 0
    predictions: int = 0
    labeled: int = 0


def task_totals(session: Session, project_ids: list[int]) -> dict[int, TaskTotals]:
    """Exact totals over the visible tasks of each project, in one statement (one snapshot).

    Visible = every task of the project minus those of its uncommitted imports, whose tasks lie in
    each import's [first_task_id, last_task_id] (the ranges purges rely on too). So the task count
    is an index-only count on (project_id, id), the labeled count one on (project_id, is_labeled),
    the sums read only tasks with a counter above zero (`COUNTED`), and the hidden part costs what
    an import in progress has written: no statement scans the tasks table.
    """
    out = {pid: TaskTotals() for pid in project_ids}
    for chunk in (project_ids[k:k + 100] for k in range(0, len(project_ids), 100)):
        _add_totals(session, chunk, out)
    return out


def _add_totals(session: Session, project_ids: list[int], out: dict[int, TaskTotals]) -> None:
    # Three ungrouped aggregates per project (a GROUP BY would double the cost of the count), so
    # at most 301 compound terms: SQLite allows 500.
    t, i, zero = Task, TaskImport, literal_column("0")
    with_ann = func.sum(case((t.total_annotations > 0, 1), else_=0))
    labeled = func.sum(case((t.is_labeled, 1), else_=0))
    sums = (func.sum(t.total_annotations), func.sum(t.cancelled_annotations), func.sum(t.total_predictions))
    parts: list[Any] = []
    for pid in project_ids:
        this = t.project_id == pid
        parts += [
            select(literal_column("0"), literal(pid), func.count(), zero, zero, zero, zero, zero).where(this),
            select(literal_column("1"), literal(pid), func.count(), with_ann, *sums, zero).where(this, COUNTED),
            select(literal_column("2"), literal(pid), func.count(), zero, zero, zero, zero, zero)
            .where(this, t.is_labeled.is_(True)),
        ]
    # An uncommitted import's tasks: found from the import row by id range (the rowid on SQLite),
    # never by the project's index, so the planner starts from the (few) imports.
    hidden_tasks = i.__table__.join(t.__table__, and_(
        t.id.between(i.first_task_id, i.last_task_id), t.task_import_id == i.id))
    parts.append(
        select(literal_column("3"), i.project_id, func.count(), with_ann, *sums, labeled)
        .select_from(hidden_tasks).where(i.project_id.in_(project_ids), i.state != IMPORT_COMMITTED)
        .group_by(i.project_id)
    )
    rows = session.execute(union_all(*parts))
    for kind, pid, n, w, ann, skipped, preds, lab in rows:
        tot = out[pid]
        n, w, ann, skipped, preds, lab = (int(x or 0) for x in (n, w, ann, skipped, preds, lab))
        if kind == 0:
            tot.tasks += n
        elif kind == 1:
            tot.with_annotations += w
            tot.annotations += ann
            tot.skipped += skipped
            tot.predictions += preds
        elif kind == 2:
            tot.labeled += n
        else:  # an uncommitted import's tasks: counted above, not visible
            tot.tasks -= n
            tot.with_annotations -= w
            tot.annotations -= ann
            tot.skipped -= skipped
            tot.predictions -= preds
            tot.labeled -= lab


def project_counts(session: Session, project_ids: list[int]) -> dict[int, dict[str, int]]:
    """Counters of the project JSON shape (see `task_totals`: no scan of the tasks table)."""
    totals = task_totals(session, project_ids)
    out = {
        pid: {
            "task_number": tot.tasks,
            "num_tasks_with_annotations": tot.with_annotations,
            "finished_task_number": tot.labeled,
            "total_annotations_number": tot.annotations,
            "skipped_annotations_number": tot.skipped,
            "total_predictions_number": tot.predictions,
        }
        for pid, tot in totals.items()
    }
    if not project_ids:
        return out
    gt = session.execute(
        select(Annotation.project_id, func.count())
        .where(Annotation.project_id.in_(project_ids), Annotation.ground_truth.is_(True))
        .group_by(Annotation.project_id)
    )
    for pid, n in gt:
        out[pid]["ground_truth_number"] = n
    return out


def project_json(session: Session, project: Project, counts: dict[str, int] | None = None) -> dict[str, Any]:
    """The project object as Label Studio's API returns it (reference §5.4)."""
    from lsx.engine.sampling import sampling_label

    counts = counts if counts is not None else project_counts(session, [project.id])[project.id]
    creator = session.get(User, project.created_by_id) if project.created_by_id else None
    useful = counts["total_annotations_number"]
    return {
        "id": project.id,
        "title": project.title,
        "description": project.description,
        "label_config": project.label_config,
        "expert_instruction": project.expert_instruction,
        "show_instruction": project.show_instruction,
        "show_skip_button": project.show_skip_button,
        "enable_empty_annotation": project.enable_empty_annotation,
        "show_annotation_history": project.show_annotation_history,
        "organization": project.organization_id,
        "color": project.color,
        "maximum_annotations": project.maximum_annotations,
        "is_published": project.is_published,
        "model_version": project.model_version,
        "is_draft": project.is_draft,
        "created_by": {
            "id": creator.id,
            "first_name": creator.first_name,
            "last_name": creator.last_name,
            "email": creator.email,
            "avatar": None,
        }
        if creator
        else None,
        "created_at": project.created_at.isoformat(),
        "min_annotations_to_start_training": project.min_annotations_to_start_training,
        "start_training_on_annotation_update": project.start_training_on_annotation_update,
        "show_collab_predictions": project.show_collab_predictions,
        "num_tasks_with_annotations": counts["num_tasks_with_annotations"],
        "task_number": counts["task_number"],
        "useful_annotation_number": useful,
        "ground_truth_number": counts.get("ground_truth_number", 0),
        "skipped_annotations_number": counts["skipped_annotations_number"],
        "total_annotations_number": counts["total_annotations_number"] + counts["skipped_annotations_number"],
        "total_predictions_number": counts["total_predictions_number"],
        "sampling": sampling_label(project.sampling),
        "show_ground_truth_first": project.show_ground_truth_first,
        "annotator_evaluation_enabled": project.annotator_evaluation_enabled,
        "show_overlap_first": project.show_overlap_first,
        "overlap_cohort_percentage": project.overlap_cohort_percentage,
        "task_data_login": project.task_data_login,
        "task_data_password": project.task_data_password,
        "control_weights": project.control_weights or {},
        "parsed_label_config": project.parsed_label_config or {},
        "evaluate_predictions_automatically": project.evaluate_predictions_automatically,
        "config_has_control_tags": bool(project.parsed_label_config),
        "skip_queue": project.skip_queue,
        "reveal_preannotations_interactively": project.reveal_preannotations_interactively,
        "pinned_at": project.pinned_at.isoformat() if project.pinned_at else None,
        "finished_task_number": counts["finished_task_number"],
        "queue_total": counts["task_number"],
        "queue_done": counts["finished_task_number"],
        "config_suitable_for_bulk_annotation": False,
        "custom_task_lock_ttl": project.task_lock_ttl,
    }
