"""Predictions: LS coercions, simplified results, counters, and acceptance as annotations (§2.4)."""

from __future__ import annotations

from typing import Any

import pytest

from lsx.engine import predictions
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Task
from lsx.engine.errors import InputError, PermissionDenied
from tests.engine.sampling.helpers import CONFIG, RESULT, add_tasks, annotators, make_project

PARSED = {"label": {"type": "Choices", "to_name": ["text"], "inputs": [{"type": "Text", "value": "text"}],
                    "labels": ["A", "B"]}}


@pytest.mark.parametrize(("raw", "expected"), [(0.5, 0.5), ("0.25", 0.25), ("high", None), (None, None),
                                               (True, None), (float("nan"), None), (1, 1.0)])
def test_score_is_coerced_to_float_or_null(raw: Any, expected: float | None) -> None:
    assert predictions.coerce_score(raw) == expected


@pytest.fixture
def project(ws: Any, owner: Actor) -> tuple[int, list[int]]:
    pid = make_project(ws, owner, label_config=CONFIG, parsed_label_config=PARSED)
    return pid, add_tasks(ws, pid, 2)


def test_defaults_and_json_shape(ws: Any, owner: Actor, project: Any) -> None:
    _, tasks = project
    with ws.session() as s:
        p = predictions.create_prediction(s, owner, tasks[0], result=RESULT, score="0.7")
        data = predictions.prediction_json(p)
        assert s.get(Task, tasks[0]).total_predictions == 1  # type: ignore[union-attr]
    assert data["model_version"] == "undefined" and data["score"] == 0.7
    assert {"id", "task", "project", "result", "score", "model_version", "cluster", "mislabeling"} <= set(data)


@pytest.mark.parametrize("simplified", ["A", {"choices": ["A"]}])
def test_simplified_results_are_expanded(ws: Any, owner: Actor, project: Any, simplified: Any) -> None:
    _, tasks = project
    with ws.session() as s:
        p = predictions.create_prediction(s, owner, tasks[0], result=simplified, model_version="v1")
    assert p.result[0]["from_name"] == "label" and p.result[0]["value"] == {"choices": ["A"]}


def test_unmatched_simplified_result_is_refused(ws: Any, owner: Actor, project: Any) -> None:
    _, tasks = project
    with pytest.raises(InputError), ws.session() as s:
        predictions.create_prediction(s, owner, tasks[0], result={"rectanglelabels": ["x"]})


def test_annotators_cannot_write_predictions(ws: Any, owner: Actor, project: Any) -> None:
    _, tasks = project
    (a,) = annotators(ws, owner, 1)
    with pytest.raises(PermissionDenied), ws.session() as s:
        predictions.create_prediction(s, a, tasks[0], result=RESULT)


def test_update_list_delete(ws: Any, owner: Actor, project: Any) -> None:
    pid, tasks = project
    with ws.session() as s:
        p = predictions.create_prediction(s, owner, tasks[0], result=RESULT, model_version="v1")
        predictions.update_prediction(s, owner, p.id, score=0.1)
        assert [x.score for x in predictions.list_predictions(s, owner, project_id=pid, model_version="v1")] == [0.1]
        predictions.delete_prediction(s, owner, p.id)
        assert predictions.list_predictions(s, owner, task_id=tasks[0]) == []
        assert s.get(Task, tasks[0]).total_predictions == 0  # type: ignore[union-attr]


def test_predictions_to_annotations_is_repeatable(ws: Any, owner: Actor, project: Any) -> None:
    pid, tasks = project
    with ws.session() as s:
        for t in tasks:
            predictions.create_prediction(s, owner, t, result=RESULT, model_version="v1")
        made = predictions.predictions_to_annotations(s, owner, pid, model_version="v1")
        again = predictions.predictions_to_annotations(s, owner, pid, model_version="v1")
        assert len(made) == 2 and again == []
        assert made[0].parent_prediction_id is not None and made[0].result[0]["origin"] == "prediction"
        assert s.get(Task, tasks[0]).is_labeled  # type: ignore[union-attr]
