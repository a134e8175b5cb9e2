"""The Data Manager: task lists filtered and ordered the way Label Studio's `query`/views describe,
saved views, and the bulk actions (delete tasks, annotations, predictions; accept predictions;
remove duplicates).

Filters: `{"conjunction": "and"|"or", "items": [{"filter": "filter:tasks:<column>", "operator",
"type", "value"}]}`; ordering: `["tasks:<column>"]` or `["-tasks:<column>"]`; selections:
`{"all": true, "excluded": [...]}` or `{"all": false, "included": [...]}`. Unknown columns and
operators are errors that name the filter, not silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    delete,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from lsx.engine import task_state
from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.annotations import annotation_json, draft_json
from lsx.engine.api_models import DmView
from lsx.engine.db.models import IMPORT_COMMITTED, Annotation, Draft, Prediction, Project, Task, TaskImport
from lsx.engine.errors import InputError, NotFound, Problem, ValidationFailed
from lsx.engine.predictions import prediction_json
from lsx.engine.timefmt import iso, parse_iso
from lsx.engine.visibility import task_visible

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000
CHUNK = 900  # ids per IN (...) list: far below SQLite's variable limit

_SIMPLE = {
    "id": Task.id, "inner_id": Task.inner_id, "total_annotations": Task.total_annotations,
    "cancelled_annotations": Task.cancelled_annotations, "total_predictions": Task.total_predictions,
    "created_at": Task.created_at, "updated_at": Task.updated_at, "is_labeled": Task.is_labeled,
    "overlap": Task.overlap, "file_upload": Task.file_upload, "allow_skip": Task.allow_skip,
    "updated_by": Task.updated_by_id,
}


def _project(session: Session, actor: Actor, project_id: int) -> Project:
    from lsx.engine.projects import get_project

    return get_project(session, actor, project_id)


# --- columns -------------------------------------------------------------------------------------


def _data_expr(session: Session, key: str, kind: str) -> ColumnElement[Any]:
    path = key.split(".")
    if session.get_bind().dialect.name == "sqlite":
        json_path = "$" + "".join(f'."{p}"' for p in path)
        return func.json_extract(Task.data, json_path)
    node: Any = Task.data[tuple(path)] if len(path) > 1 else Task.data[path[0]]
    if kind == "Number":
        return node.as_float()
    if kind == "Boolean":
        return node.as_boolean()
    return node.as_string()


def _column(session: Session, name: str, kind: str) -> ColumnElement[Any]:
    if name in _SIMPLE:
        return _SIMPLE[name]  # type: ignore[return-value]
    if name.startswith("data."):
        return _data_expr(session, name[5:], kind)
    a = Annotation
    if name == "completed_at":
        return select(func.max(a.created_at)).where(a.task_id == Task.id).correlate(Task).scalar_subquery()
    if name == "avg_lead_time":
        return select(func.avg(a.lead_time)).where(a.task_id == Task.id).correlate(Task).scalar_subquery()
    if name == "predictions_score":
        p = Prediction
        return select(func.avg(p.score)).where(p.task_id == Task.id).correlate(Task).scalar_subquery()
    raise KeyError(name)


def _cmp(expr: Any, op: str, value: Any, kind: str) -> ColumnElement[bool]:
    if op in ("exists", "not_exists", "empty"):
        want_empty = (op == "not_exists") or (op == "empty" and bool(value))
        return expr.is_(None) if want_empty else expr.is_not(None)
    if op in ("in", "not_in"):
        if not isinstance(value, dict) or "min" not in value or "max" not in value:
            raise InputError(f"operator {op} needs a value {{\"min\": ..., \"max\": ...}}")
        lo, hi = _value(value["min"], kind), _value(value["max"], kind)
        cond = and_(expr >= lo, expr <= hi)
        return cond if op == "in" else or_(not_(cond), expr.is_(None))
    v = _value(value, kind)
    if op == "equal":
        return expr == v if v is not None else expr.is_(None)
    if op == "not_equal":
        return or_(expr != v, expr.is_(None)) if v is not None else expr.is_not(None)
    if op in ("greater", "greater_or_equal", "less", "less_or_equal"):
        return {"greater": expr > v, "greater_or_equal": expr >= v, "less": expr < v, "less_or_equal": expr <= v}[op]
    text = cast(expr, String)
    s = "" if v is None else str(v).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if op == "contains":
        return text.ilike(f"%{s}%", escape="\\")
    if op == "not_contains":
        return or_(not_(text.ilike(f"%{s}%", escape="\\")), expr.is_(None))
    if op == "starts_with":
        return text.ilike(f"{s}%", escape="\\")
    if op == "ends_with":
        return text.ilike(f"%{s}", escape="\\")
    raise InputError(f"unknown operator {op!r}")


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "Number":
        try:
            out = float(value)
        except (TypeError, ValueError):
            raise InputError(f"value {value!r} is not a number") from None
        if math.isnan(out) or math.isinf(out):
            raise InputError(f"value {value!r} is not a finite number")
        return out
    if kind == "Datetime":
        parsed = parse_iso(value)
        if parsed is None:
            raise InputError(f"value {value!r} is not an ISO 8601 date-time")
        return parsed
    if kind == "Boolean":
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
    return value if isinstance(value, str | int | float) else str(value)


def _exists_filter(name: str, op: str, value: Any) -> ColumnElement[bool] | None:
    """Columns that are lists or facts about related rows: annotators, model versions, results."""
    a, p, d = Annotation, Prediction, Draft
    positive = op not in ("not_equal", "not_contains", "not_exists")
    if name == "ground_truth":
        cond = exists().where(a.task_id == Task.id, a.ground_truth.is_(True))
        return cond if _value(value, "Boolean") in (True, None) else not_(cond)
    if name == "draft_exists":
        cond = exists().where(d.task_id == Task.id)
        return cond if _value(value, "Boolean") in (True, None) else not_(cond)
    if name == "annotators":
        if op in ("exists", "not_exists", "empty"):
            cond = exists().where(a.task_id == Task.id)
            return cond if op == "exists" or (op == "empty" and not value) else not_(cond)
        ids = value if isinstance(value, list) else [value]
        try:
            users = [int(u) for u in ids]
        except (TypeError, ValueError):
            raise InputError(f"annotators: {value!r} is not a user id or a list of them") from None
        cond = exists().where(a.task_id == Task.id, a.completed_by_id.in_(users))
        return cond if positive else not_(cond)
    if name == "predictions_model_versions":
        versions = value if isinstance(value, list) else [value]
        cond = exists().where(p.task_id == Task.id, p.model_version.in_([str(v) for v in versions]))
        return cond if positive else not_(cond)
    if name in ("annotations_results", "predictions_results"):
        table = a if name == "annotations_results" else p
        s = str(value or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        cond = exists().where(table.task_id == Task.id, cast(table.result, String).ilike(f"%{s}%", escape="\\"))
        return cond if positive else not_(cond)
    if name == "annotations_ids":
        cond = exists().where(a.task_id == Task.id, a.id == _value(value, "Number"))
        return cond if positive else not_(cond)
    return None


def filter_condition(session: Session, filters: Any) -> ColumnElement[bool]:
    """The SQL condition of a Data Manager filter group; InputError names the bad item."""
    if not filters:
        return true()
    if not isinstance(filters, dict):
        raise InputError("filters must be an object {conjunction, items}")
    conjunction = filters.get("conjunction", "and")
    if conjunction not in ("and", "or"):
        raise InputError(f"filters.conjunction must be 'and' or 'or', got {conjunction!r}")
    items = filters.get("items") or []
    if not isinstance(items, list):
        raise InputError("filters.items must be a list")
    conds: list[ColumnElement[bool]] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        where = f"filters.items[{i}]"
        try:
            conds.append(_item_condition(session, item))
        except InputError as exc:
            problems.append(Problem(f"{where}: {exc.message}", field=where))
    if problems:
        raise ValidationFailed(problems)
    if not conds:
        return true()
    return and_(*conds) if conjunction == "and" else or_(*conds)


def _item_condition(session: Session, item: Any) -> ColumnElement[bool]:
    if not isinstance(item, dict):
        raise InputError("a filter item must be an object")
    raw = str(item.get("filter", ""))
    if not raw.startswith("filter:tasks:"):
        raise InputError(f"filter {raw!r} must look like 'filter:tasks:<column>'")
    name, op, kind = raw[len("filter:tasks:"):], str(item.get("operator", "")), str(item.get("type") or "String")
    special = _exists_filter(name, op, item.get("value"))
    if special is not None:
        return special
    try:
        expr = _column(session, name, kind)
    except KeyError:
        raise InputError(f"unknown column {name!r}") from None
    if name in ("created_at", "updated_at", "completed_at") and kind not in ("Datetime",):
        kind = "Datetime"
    if name in _SIMPLE and name not in ("created_at", "updated_at", "file_upload", "is_labeled", "allow_skip") \
            and kind == "String":
        kind = "Number"
    return _cmp(expr, op, item.get("value"), kind)


def order_by(session: Session, ordering: Any) -> list[Any]:
    """ORDER BY clauses for Label Studio's ordering list; ties by task id."""
    if not ordering:
        return [Task.id]
    if isinstance(ordering, str):
        ordering = [ordering]
    if not isinstance(ordering, list):
        raise InputError("ordering must be a list like ['-tasks:id']")
    out: list[Any] = []
    for raw in ordering:
        text = str(raw)
        desc = text.startswith("-")
        name = text.lstrip("-").removeprefix("tasks:")
        try:
            expr: Any = _column(session, name, "String" if name.startswith("data.") else "Number")
        except KeyError:
            raise ValidationFailed([Problem(f"ordering: unknown column {name!r}", field="ordering")]) from None
        out.append(expr.desc() if desc else expr.asc())
    last_desc = str(ordering[-1]).startswith("-") if ordering else False
    out.append(Task.id.desc() if last_desc else Task.id)
    return out


def selection_condition(selected: Any) -> ColumnElement[bool]:
    if not selected:
        return true()
    if not isinstance(selected, dict):
        raise InputError("selectedItems must be an object {all, included|excluded}")
    if selected.get("all", True):
        excluded = [int(x) for x in selected.get("excluded") or []]
        return Task.id.not_in(excluded) if excluded else true()
    included = [int(x) for x in selected.get("included") or []]
    return Task.id.in_(included) if included else false()


@dataclass(frozen=True)
class TaskQuery:
    """What to list: a project plus Data Manager filters, ordering and selection (or a saved view)."""

    project_id: int
    filters: Any = None
    ordering: Any = None
    selected: Any = None
    view_id: int | None = None
    only_annotated: bool = False

    @classmethod
    def from_query(cls, project_id: int | None, query: Any, view_id: int | None = None,
                   only_annotated: bool = False, selected: Any = None) -> TaskQuery:
        query = query or {}
        if not isinstance(query, dict):
            raise InputError("query must be a JSON object {filters, selectedItems, ordering}")
        if project_id is None:
            project_id = query.get("project")
        if project_id is None and view_id is None:
            raise InputError("give a project (?project=ID) or a view (?view=ID)")
        return cls(int(project_id) if project_id is not None else 0, query.get("filters"), query.get("ordering"),
                   query.get("selectedItems", selected), view_id, only_annotated)


def _resolve(session: Session, actor: Actor, q: TaskQuery) -> tuple[Project, Any, Any, Any]:
    filters, ordering = q.filters, q.ordering
    project_id = q.project_id
    if q.view_id is not None:
        view = get_view(session, actor, q.view_id)
        project_id = project_id or view.project_id
        if view.project_id != project_id:
            raise InputError(f"view {q.view_id} belongs to another project")
        data = view.data or {}
        filters = filters if filters is not None else data.get("filters")
        ordering = ordering if ordering is not None else data.get("ordering")
    project = _project(session, actor, project_id)
    return project, filters, ordering, q.selected


def _visible_in(project_id: int) -> ColumnElement[bool]:
    """`task_visible()` for one project's tasks, guarded by "the project has an uncommitted
    import": a constant the database evaluates once per statement, so with none (the usual case)
    no task row is read just to check its import (deep pages walk the (project_id, id) index)."""
    busy = exists().where(TaskImport.project_id == project_id, TaskImport.state != IMPORT_COMMITTED)
    return or_(not_(busy), task_visible())


def _where(session: Session, project: Project, filters: Any, selected: Any, only_annotated: bool) -> Any:
    cond = and_(Task.project_id == project.id, _visible_in(project.id), filter_condition(session, filters),
                selection_condition(selected))
    if only_annotated:
        cond = and_(cond, (Task.total_annotations + Task.cancelled_annotations) > 0)
    return cond


def list_tasks_page(
    session: Session, actor: Actor, q: TaskQuery, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE,
    full: bool = False,
) -> dict[str, Any]:
    """`GET /api/tasks/`: `{tasks, total, total_annotations, total_predictions}`; NotFound past the end."""
    if page < 1:
        raise InputError("page must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InputError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    project, filters, ordering, selected = _resolve(session, actor, q)
    where = _where(session, project, filters, selected, q.only_annotated)
    if _unfiltered(session, filters, selected, q.only_annotated):
        # The default view: the project's totals, read from indexes (exact, no scan of its tasks).
        from lsx.engine.projects import task_totals

        tot = task_totals(session, [project.id])[project.id]
        total, ann, preds = tot.tasks, tot.annotations, tot.predictions
    else:
        total, ann, preds = session.execute(
            select(func.count(), func.coalesce(func.sum(Task.total_annotations), 0),
                   func.coalesce(func.sum(Task.total_predictions), 0)).select_from(Task).where(where)
        ).one()
    last_page = max(1, math.ceil(total / page_size))
    if page > last_page:
        raise NotFound("Invalid page.")
    tasks = list(session.scalars(
        select(Task).where(where).order_by(*order_by(session, ordering)).offset((page - 1) * page_size)
        .limit(page_size)
    ))
    return {
        "tasks": dm_task_rows(session, tasks, full=full),
        "total": int(total), "total_annotations": int(ann), "total_predictions": int(preds),
    }


def _unfiltered(session: Session, filters: Any, selected: Any, only_annotated: bool) -> bool:
    """Whether a task list is every visible task of its project (no filter, selection or flag)."""
    return (not only_annotated and filter_condition(session, filters) is true()
            and selection_condition(selected) is true())


def selected_ids(session: Session, actor: Actor, q: TaskQuery) -> tuple[Project, list[int]]:
    """Ids a bulk action applies to, in Data Manager order."""
    project, filters, ordering, selected = _resolve(session, actor, q)
    where = _where(session, project, filters, selected, q.only_annotated)
    ids = list(session.scalars(select(Task.id).where(where).order_by(*order_by(session, ordering))))
    return project, ids


def dm_task_rows(session: Session, tasks: list[Task], *, full: bool = False) -> list[dict[str, Any]]:
    """Tasks with the Data Manager's computed columns (and full objects with `fields=all`)."""
    from lsx.engine.tasks import task_json

    ids = [t.id for t in tasks]
    anns: dict[int, list[Annotation]] = {i: [] for i in ids}
    preds: dict[int, list[Prediction]] = {i: [] for i in ids}
    drafts: dict[int, list[Draft]] = {i: [] for i in ids}
    for chunk in _chunks(ids):
        for a in session.scalars(select(Annotation).where(Annotation.task_id.in_(chunk)).order_by(Annotation.id)):
            anns[a.task_id].append(a)
        for p in session.scalars(select(Prediction).where(Prediction.task_id.in_(chunk)).order_by(Prediction.id)):
            preds[p.task_id].append(p)
        for d in session.scalars(select(Draft).where(Draft.task_id.in_(chunk)).order_by(Draft.id)):
            drafts[d.task_id].append(d)
    out = []
    for t in tasks:
        ta, tp, td = anns[t.id], preds[t.id], drafts[t.id]
        leads = [a.lead_time for a in ta if a.lead_time is not None]
        scores = [p.score for p in tp if p.score is not None]
        row = task_json(t)
        row.update(
            annotations_ids=", ".join(str(a.id) for a in ta),
            annotators=sorted({a.completed_by_id for a in ta if a.completed_by_id is not None}),
            completed_at=iso(max(a.created_at for a in ta)) if ta else None,
            predictions_score=sum(scores) / len(scores) if scores else None,
            predictions_model_versions=sorted({p.model_version for p in tp}),
            avg_lead_time=sum(leads) / len(leads) if leads else None,
            draft_exists=bool(td),
            ground_truth=any(a.ground_truth for a in ta),
            storage_filename=None,
            comment_count=0,
            unresolved_comment_count=0,
            last_comment_updated_at=None,
            comment_authors=[],
        )
        if full:
            row["annotations"] = [annotation_json(a) for a in ta]
            row["predictions"] = [prediction_json(p) for p in tp]
            row["drafts"] = [draft_json(d) for d in td]
        out.append(row)
    return out


def _chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


# --- views ---------------------------------------------------------------------------------------------


def view_json(v: DmView) -> dict[str, Any]:
    data = v.data or {}
    return {
        "id": v.id, "project": v.project_id, "user": v.user_id, "order": v.order, "data": data,
        "filter_group": None, "selected_items": None, "ordering": list(data.get("ordering") or []),
    }


def _check_view_data(session: Session, data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("data must be an object")
    filter_condition(session, data.get("filters"))
    order_by(session, data.get("ordering"))
    return data


def create_view(session: Session, actor: Actor, project_id: int, data: Any = None, order: int | None = None) -> DmView:
    _project(session, actor, project_id)
    data = _check_view_data(session, data)
    if order is None:
        order = int(session.scalar(select(func.coalesce(func.max(DmView.order), -1) + 1)
                                   .where(DmView.project_id == project_id)) or 0)
    view = DmView(project_id=project_id, user_id=actor.id, order=order, data=data)
    session.add(view)
    session.flush()
    audit.record(session, actor, "create", "dm_view", view.id, project_id=project_id)
    return view


def get_view(session: Session, actor: Actor, view_id: int) -> DmView:
    view = session.get(DmView, view_id)
    if view is None:
        raise NotFound(f"view {view_id} not found")
    try:
        _project(session, actor, view.project_id)
    except NotFound:
        raise NotFound(f"view {view_id} not found") from None
    return view


def list_views(session: Session, actor: Actor, project_id: int | None = None) -> list[DmView]:
    q = select(DmView).join(Project, Project.id == DmView.project_id).where(
        Project.organization_id == actor.organization_id
    )
    if project_id is not None:
        _project(session, actor, project_id)
        q = q.where(DmView.project_id == project_id)
    return list(session.scalars(q.order_by(DmView.order, DmView.id)))


def update_view(session: Session, actor: Actor, view_id: int, *, data: Any = None, order: int | None = None) -> DmView:
    view = get_view(session, actor, view_id)
    if data is not None:
        view.data = {**(view.data or {}), **_check_view_data(session, data)}
    if order is not None:
        view.order = order
    audit.record(session, actor, "update", "dm_view", view.id, project_id=view.project_id)
    return view


def delete_view(session: Session, actor: Actor, view_id: int) -> None:
    view = get_view(session, actor, view_id)
    session.delete(view)
    audit.record(session, actor, "delete", "dm_view", view_id, project_id=view.project_id)


# --- actions -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    order: int
    permission: str
    dialog: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "order": self.order, "permission": self.permission,
                "experimental": False, "dialog": self.dialog}


def _confirm(text: str) -> dict[str, Any]:
    return {"title": "Are you sure?", "text": text, "type": "confirm", "form": None}


ACTIONS: tuple[Action, ...] = (
    Action("predictions_to_annotations", "Create Annotations From Predictions", 91, "annotations.create",
           _confirm("Create annotations from the selected tasks' predictions of a model version.")),
    Action("remove_duplicates", "Remove Duplicated Tasks", 95, "tasks.delete",
           _confirm("Delete tasks whose data repeats an earlier task's; annotated ones are kept.")),
    Action("delete_tasks", "Delete Tasks", 100, "tasks.delete",
           _confirm("Delete the selected tasks with their annotations and predictions.")),
    Action("delete_tasks_annotations", "Delete Annotations", 101, "tasks.delete",
           _confirm("Delete every annotation of the selected tasks.")),
    Action("delete_tasks_predictions", "Delete Predictions", 102, "predictions.delete",
           _confirm("Delete every prediction of the selected tasks.")),
)


def list_actions(session: Session, actor: Actor, project_id: int | None = None) -> list[Action]:
    if project_id is not None:
        _project(session, actor, project_id)
    return list(ACTIONS)


def run_action(session: Session, actor: Actor, action_id: str, q: TaskQuery, params: dict[str, Any]) -> dict[str, Any]:
    """Apply a bulk action to the selected tasks; returns `{processed_items, detail}`."""
    if action_id not in {a.id for a in ACTIONS}:
        raise NotFound(f"action {action_id!r} not found; actions: {', '.join(a.id for a in ACTIONS)}")
    project, ids = selected_ids(session, actor, q)
    if action_id == "predictions_to_annotations":
        from lsx.engine.predictions import predictions_to_annotations

        created = predictions_to_annotations(session, actor, project.id, model_version=params.get("model_version"),
                                             task_ids=ids)
        return {"processed_items": len(created), "detail": f"created {len(created)} annotations"}
    actor.require("manager", action_id.replace("_", " "))
    if action_id == "delete_tasks":
        n = _delete_tasks(session, ids)
        detail = f"deleted {n} tasks"
    elif action_id == "delete_tasks_annotations":
        n = _delete_related(session, project, Annotation, ids)
        detail = f"deleted {n} annotations"
    elif action_id == "delete_tasks_predictions":
        n = _delete_related(session, project, Prediction, ids)
        detail = f"deleted {n} predictions"
    else:
        dupes = _duplicates(session, ids)
        n = _delete_tasks(session, dupes)
        detail = f"removed {n} duplicated tasks"
    audit.record(session, actor, action_id, "project", project.id, project_id=project.id, count=n)
    return {"processed_items": n, "detail": detail}


def _delete_tasks(session: Session, ids: list[int]) -> int:
    for chunk in _chunks(ids):
        session.execute(delete(Annotation).where(Annotation.task_id.in_(chunk)))
        session.execute(delete(Prediction).where(Prediction.task_id.in_(chunk)))
        session.execute(delete(Draft).where(Draft.task_id.in_(chunk)))
        session.execute(delete(Task).where(Task.id.in_(chunk)))
    return len(ids)


def _delete_related(session: Session, project: Project, model: Any, ids: list[int]) -> int:
    n = 0
    for chunk in _chunks(ids):
        n += session.execute(delete(model).where(model.task_id.in_(chunk))).rowcount or 0  # type: ignore[attr-defined]
        task_state.recompute_counters(session, project, chunk)
    return n


def _duplicates(session: Session, ids: Iterable[int]) -> list[int]:
    """Tasks whose data equals an earlier task's; a task with annotations is never removed."""
    seen: dict[str, int] = {}
    out: list[int] = []
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(Task.id, cast(Task.data, String), Task.total_annotations + Task.cancelled_annotations)
            .where(Task.id.in_(chunk)).order_by(Task.id)
        )
        for task_id, data, n_ann in rows:
            key = str(data)
            if key in seen and not n_ann:
                out.append(task_id)
            else:
                seen.setdefault(key, task_id)
    return out


