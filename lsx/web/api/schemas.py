"""JSON Schemas of the API's objects (OpenAPI 3.1 = JSON Schema 2020-12). Response schemas list
every property as `required` unless it is conditional, and forbid others; request schemas type the
known fields and tolerate extra ones (the SDK sends fields lsx ignores)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

S: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
N: dict[str, Any] = {"type": "number"}
B: dict[str, Any] = {"type": "boolean"}
OBJ: dict[str, Any] = {"type": "object"}  # free-form (task data, meta, result values)
A: dict[str, Any] = {"type": "array"}
ANY: dict[str, Any] = {}
DT: dict[str, Any] = {"type": "string", "format": "date-time"}

COMPONENTS: dict[str, dict[str, Any]] = {}


def null(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema or "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    t = schema["type"]
    out = dict(schema, type=[*(t if isinstance(t, list) else [t]), "null"])
    out.pop("format", None)
    return out


def arr(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def obj(props: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    """A response object: `props` required, `optional` allowed, nothing else."""
    return {
        "type": "object",
        "properties": {**props, **(optional or {})},
        "required": list(props),
        "additionalProperties": False,
    }


def body(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A request body: typed known fields, extra fields tolerated."""
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


def component(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    COMPONENTS[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def resolve_refs(schema: Any) -> Any:
    """Inline component refs (for request validation outside the OpenAPI document)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return resolve_refs(COMPONENTS[ref.rsplit("/", 1)[1]])
        return {k: resolve_refs(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [resolve_refs(v) for v in schema]
    return schema


ERROR = component("Error", obj({
    "id": S, "status_code": INT, "version": S, "detail": S, "exc_info": null(S),
    "validation_errors": {"type": "object", "additionalProperties": arr(S)},
}))

USER_BRIEF = component("UserBrief", obj({"id": INT, "first_name": S, "last_name": S, "email": S, "avatar": null(S)}))

PROJECT = component("Project", obj({
    "id": INT, "title": S, "description": S, "label_config": S, "expert_instruction": S, "show_instruction": B,
    "show_skip_button": B, "enable_empty_annotation": B, "show_annotation_history": B, "organization": INT,
    "color": S, "maximum_annotations": INT, "is_published": B, "model_version": S, "is_draft": B,
    "created_by": null(USER_BRIEF), "created_at": S, "min_annotations_to_start_training": INT,
    "start_training_on_annotation_update": B, "show_collab_predictions": B, "num_tasks_with_annotations": INT,
    "task_number": INT, "useful_annotation_number": INT, "ground_truth_number": INT, "skipped_annotations_number": INT,
    "total_annotations_number": INT, "total_predictions_number": INT, "sampling": S, "show_ground_truth_first": B,
    "annotator_evaluation_enabled": B, "show_overlap_first": B, "overlap_cohort_percentage": INT,
    "task_data_login": null(S), "task_data_password": null(S), "control_weights": OBJ, "parsed_label_config": OBJ,
    "evaluate_predictions_automatically": B, "config_has_control_tags": B, "skip_queue": S,
    "reveal_preannotations_interactively": B, "pinned_at": null(S), "finished_task_number": INT, "queue_total": INT,
    "queue_done": INT, "config_suitable_for_bulk_annotation": B, "custom_task_lock_ttl": null(INT),
}))


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    return obj({"count": INT, "next": null(S), "previous": null(S), "results": arr(item)})


PROJECT_PAGE = component("ProjectPage", page_of(PROJECT))

PROJECT_WRITE = {
    "title": S, "description": S, "label_config": S, "expert_instruction": S, "show_instruction": B,
    "show_skip_button": B, "enable_empty_annotation": B, "show_annotation_history": B, "color": S,
    "maximum_annotations": {"type": "integer", "minimum": 1}, "overlap_cohort_percentage":
    {"type": "integer", "minimum": 0, "maximum": 100}, "is_published": B, "is_draft": B, "model_version": S,
    "sampling": S, "skip_queue": {"enum": ["REQUEUE_FOR_OTHERS", "REQUEUE_FOR_ME", "IGNORE_SKIPPED"]},
    "show_overlap_first": B, "show_ground_truth_first": B, "annotator_evaluation_enabled": B,
    "show_collab_predictions": B, "reveal_preannotations_interactively": B,
    "evaluate_predictions_automatically": B, "min_annotations_to_start_training": {"type": "integer", "minimum": 0},
    "start_training_on_annotation_update": B, "custom_task_lock_ttl": null({"type": "integer", "minimum": 1}),
    "task_data_login": null(S), "task_data_password": null(S), "force": B,
}
PROJECT_CREATE_BODY = body(PROJECT_WRITE)
PROJECT_PATCH_BODY = body(PROJECT_WRITE)

RESULT = arr(OBJ)

ANNOTATION = component("Annotation", obj({
    "id": INT, "result": RESULT, "task": INT, "project": INT, "completed_by": null(INT), "updated_by": null(INT),
    "was_cancelled": B, "ground_truth": B, "created_at": null(S), "updated_at": null(S),
    "draft_created_at": null(S), "lead_time": null(N), "prediction": OBJ, "result_count": INT,
    "parent_prediction": null(INT), "parent_annotation": null(INT), "import_id": null(INT), "last_action": null(S),
    "last_created_by": null(INT), "bulk_created": B,
}))
ANNOTATION_BODY = body({
    "result": RESULT, "was_cancelled": B, "ground_truth": B, "lead_time": null({"type": "number", "minimum": 0}),
    "draft_id": null(INT), "parent_prediction": null(INT), "parent_annotation": null(INT), "completed_by": null(INT),
    "unique_id": null(S),
})
ANNOTATION_PATCH_BODY = body({
    "result": RESULT, "was_cancelled": B, "ground_truth": B, "lead_time": null({"type": "number", "minimum": 0}),
})

DRAFT = component("Draft", obj({
    "id": INT, "result": RESULT, "lead_time": null(N), "task": INT, "annotation": null(INT), "user": null(INT),
    "was_postponed": B, "import_id": null(INT), "created_at": null(S), "updated_at": null(S),
}))
DRAFT_BODY = body({"result": RESULT, "lead_time": null({"type": "number", "minimum": 0}), "was_postponed": B,
                   "annotation": null(INT)})

PREDICTION = component("Prediction", obj({
    "id": INT, "task": INT, "project": INT, "result": RESULT, "score": null(N), "model_version": S, "model": null(INT),
    "model_run": null(INT), "cluster": null(INT), "neighbors": ANY, "mislabeling": N, "created_at": null(S),
    "updated_at": null(S),
}))
PREDICTION_RESULT = {"anyOf": [RESULT, OBJ, S, N]}
PREDICTION_BODY = body({
    "task": INT, "result": PREDICTION_RESULT, "score": null(N), "model_version": null(S), "cluster": null(INT),
}, required=("task", "result"))
PREDICTION_PATCH_BODY = body({"result": PREDICTION_RESULT, "score": null(N), "model_version": null(S),
                              "cluster": null(INT)})

TASK_FIELDS: dict[str, Any] = {
    "id": INT, "data": OBJ, "meta": OBJ, "created_at": null(S), "updated_at": null(S), "is_labeled": B, "overlap": INT,
    "inner_id": INT, "total_annotations": INT, "cancelled_annotations": INT, "total_predictions": INT, "allow_skip": B,
    "file_upload": null(S), "project": INT, "updated_by": null(INT),
}
TASK = component("Task", obj(TASK_FIELDS, {
    "annotations": arr(ANNOTATION), "predictions": arr(PREDICTION), "drafts": arr(DRAFT),
}))
DM_TASK = component("DataManagerTask", obj({
    **TASK_FIELDS, "annotations_ids": S, "annotators": arr(INT), "completed_at": null(S),
    "predictions_score": null(N), "predictions_model_versions": arr(S), "avg_lead_time": null(N),
    "draft_exists": B, "ground_truth": B, "storage_filename": null(S), "comment_count": INT,
    "unresolved_comment_count": INT, "last_comment_updated_at": null(S), "comment_authors": arr(INT),
}, {"annotations": arr(ANNOTATION), "predictions": arr(PREDICTION), "drafts": arr(DRAFT)}))
TASK_PAGE = component("TaskPage", obj({
    "tasks": arr(DM_TASK), "total": INT, "total_annotations": INT, "total_predictions": INT,
}))
TASK_CREATE_BODY = body({"project": INT, "data": OBJ, "meta": OBJ, "allow_skip": B}, required=("project", "data"))
TASK_PATCH_BODY = body({"data": OBJ, "meta": OBJ, "allow_skip": B})

NEXT_TASK = component("NextTask", obj({
    **TASK_FIELDS, "queue": S, "unique_lock_id": null(INT), "lock_expires_at": null(S), "allow_postpone": B,
    "predictions": arr(PREDICTION), "drafts": arr(DRAFT), "annotations": arr(ANNOTATION),
}))
HISTORY = component("LabelStreamHistoryItem", obj({"taskId": INT, "task_id": INT, "queue": S, "served_at": S}))
LOCK = component("TaskLock", obj({"task": INT, "expire_at": S}))

IMPORT_RESULT = component("ImportResult", obj({
    "task_count": INT, "annotation_count": INT, "prediction_count": INT, "duration": N, "file_upload_ids": arr(INT),
    "could_be_tasks_list": B, "found_formats": arr(S), "data_columns": arr(S), "import": INT,
    "rejected": arr(obj({"where": S, "index": null(INT), "error": S})), "warnings": arr(S),
}, {"task_ids": arr(INT)}))
IMPORT_BODY = {"type": ["array", "object"]}
PREDICTIONS_IMPORT_BODY = arr(body({
    "task": INT, "result": PREDICTION_RESULT, "score": null(N), "model_version": null(S),
}, required=("task", "result")))
CREATED = component("Created", obj({"created": INT}))

EXPORT_FORMAT = component("ExportFormat", obj({
    "name": S, "title": S, "description": S, "tags": arr(S), "disabled": B,
}))
CONVERTED = obj({"id": INT, "status": S, "export_type": S, "traceback": null(S)})
EXPORT = component("Export", obj({
    "id": INT, "title": S, "created_by": null(USER_BRIEF), "created_at": null(S), "finished_at": null(S),
    "status": {"enum": ["created", "in_progress", "completed", "failed"]}, "md5": S, "counters": OBJ,
    "converted_formats": arr(CONVERTED),
}))
EXPORT_BODY = body({
    "title": S, "export_type": S, "task_filter_options": body({"only_with_annotations": B}),
    "annotation_filter_options": OBJ, "serialization_options": OBJ,
})

FILTER_ITEM = body({"filter": S, "operator": S, "type": S, "value": ANY}, required=("filter", "operator"))
FILTERS = body({"conjunction": {"enum": ["and", "or"]}, "items": arr(FILTER_ITEM)})
SELECTED = body({"all": B, "included": arr(INT), "excluded": arr(INT)})
VIEW_DATA = body({"title": S, "type": S, "target": S, "filters": FILTERS, "ordering": arr(S),
                  "hiddenColumns": OBJ, "columnsWidth": OBJ, "columnsDisplayType": OBJ, "gridWidth": INT})
VIEW = component("View", obj({
    "id": INT, "project": INT, "user": null(INT), "order": INT, "data": OBJ, "filter_group": null(INT),
    "selected_items": null(OBJ), "ordering": arr(S),
}))
VIEW_BODY = body({"project": INT, "data": VIEW_DATA, "order": INT}, required=("project",))
VIEW_PATCH_BODY = body({"data": VIEW_DATA, "order": INT})
ACTION = component("Action", obj({
    "id": S, "title": S, "order": INT, "permission": S, "experimental": B, "dialog": null(OBJ),
}))
ACTION_BODY = body({"selectedItems": SELECTED, "filters": FILTERS, "ordering": arr(S), "view": INT,
                    "model_version": null(S)})
ACTION_RESULT = component("ActionResult", obj({"processed_items": INT, "detail": S}))

USER = component("User", obj({
    "id": INT, "first_name": S, "last_name": S, "username": S, "email": S, "last_activity": null(S),
    "custom_hotkeys": OBJ, "avatar": null(S), "initials": S, "phone": S, "active_organization": null(INT),
    "active_organization_meta": OBJ, "allow_newsletters": null(B), "date_joined": S,
}))
WHOAMI = component("WhoAmI", obj({
    "id": INT, "first_name": S, "last_name": S, "username": S, "email": S, "last_activity": null(S),
    "custom_hotkeys": OBJ, "avatar": null(S), "initials": S, "phone": S, "active_organization": null(INT),
    "active_organization_meta": OBJ, "allow_newsletters": null(B), "date_joined": S, "role": S,
    "permissions": arr(S),
}))
ORGANIZATION = component("Organization", obj({"id": INT, "title": S, "contact_info": null(S), "created_at": S}))
MEMBERSHIP = component("Membership", obj({
    "id": INT, "organization": INT, "user": USER, "role": S, "created_projects": INT, "contributed_to_projects": INT,
}))
MEMBERSHIP_PAGE = component("MembershipPage", page_of(MEMBERSHIP))

JOB = component("Job", obj({
    "id": INT, "kind": S, "status": S, "params": OBJ, "backend": S, "queue": S, "project": null(INT),
    "created_by": null(INT), "target": null(S),
    "progress": obj({"done": INT, "total": null(INT), "message": S}), "attempts": INT, "max_attempts": INT,
    "error": null(S), "traceback": null(S), "result": null(OBJ), "worker": null(S), "created_at": null(S),
    "started_at": null(S), "finished_at": null(S), "heartbeat_at": null(S), "run_after": null(S), "stopping": B,
}))

TOKEN = component("TokenCreated", obj({"token": S}))
TOKEN_LIST = arr(obj({"token": S, "created_at": S, "expires_at": S}))
REFRESH_BODY = body({"refresh": S}, required=("refresh",))
ACCESS = component("AccessToken", obj({"access": S}))

TEMPLATES = component("Templates", obj({
    "templates": arr(obj({"name": S, "group": S, "title": S, "config": S, "sample_task": OBJ})),
    "groups": arr(S),
}))
VERSION = component("Version", obj({
    "release": S, "label-studio-os-package": OBJ, "label-studio-os-backend": OBJ, "label-studio-frontend": OBJ,
    "dm2": OBJ, "label-studio-converter": OBJ, "edition": S, "lsx": S,
}))
HEALTH = component("Health", obj({"status": S}))
CONFIG_BODY = body({"label_config": S}, required=("label_config",))
CONFIG_CHANGED = component("ConfigValidation", obj({"config_essential_data_has_changed": B}))
SUMMARY = component("ProjectSummary", obj({
    "project": INT, "created_at": null(S), "all_data_columns": OBJ, "common_data_columns": arr(S),
    "created_annotations": OBJ, "created_labels": OBJ, "created_labels_drafts": OBJ,
}))
LOGIN_BODY = body({"email": S, "password": S}, required=("email", "password"))
LOGIN = component("Login", obj({"csrf_token": S, "user": USER}))


@cache
def _interface_schema() -> dict[str, Any]:
    from importlib.util import find_spec

    # the schema file sits in lsx.engine.config; locating it need not import that package
    spec = find_spec("lsx.engine.config")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "interface_tree.schema.json"
    raw = json.loads(path.read_text())
    text = json.dumps(raw).replace("#/$defs/", "#/components/schemas/InterfaceTree_")
    doc = json.loads(text)
    for name, schema in doc.pop("$defs", {}).items():
        COMPONENTS["InterfaceTree_" + name] = schema
    for key in ("$schema", "$id"):
        doc.pop(key, None)
    return doc


def interface_tree() -> dict[str, Any]:
    if "InterfaceTree" not in COMPONENTS:
        COMPONENTS["InterfaceTree"] = copy.deepcopy(_interface_schema())
    return {"$ref": "#/components/schemas/InterfaceTree"}
