"""A skip that rejects a prediction (the terminal's remote accept-reject mode) records it, on the
label stream's fast path as on the full one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugins.api import CHOICE, TEXT_CONFIG, OrgUser

pytestmark = pytest.mark.db  # SQLite's raw fast path and PostgreSQL's Core path alike


async def _task_with_predictions(c: Any) -> tuple[int, int, list[int]]:
    pid = (await c.post("/api/projects/", json={"title": "ar", "label_config": TEXT_CONFIG})).json()["id"]
    preds = [{"result": [CHOICE], "score": 0.9, "model_version": "m"}, {"result": [CHOICE], "model_version": "m"}]
    r = await c.post(f"/api/projects/{pid}/import", json=[{"data": {"text": "a"}, "predictions": preds},
                                                          {"data": {"text": "b"}, "predictions": preds[:1]}])
    assert r.status == 201, r.text
    tasks = (await c.get("/api/tasks/", params={"project": pid, "fields": "all"})).json()["tasks"]
    return tasks[0]["id"], tasks[1]["id"], [p["id"] for p in tasks[0]["predictions"]] + [
        tasks[1]["predictions"][0]["id"]]


async def test_a_rejecting_skip_records_the_prediction(org_a: OrgUser) -> None:
    c = org_a.client
    task, other_task, (first, second, elsewhere) = await _task_with_predictions(c)
    r = await c.post(f"/api/tasks/{task}/annotations/",
                     json={"result": [], "was_cancelled": True, "lead_time": 1.5, "parent_prediction": first})
    assert r.status == 201, r.text
    made = r.json()
    assert made["was_cancelled"] is True and made["parent_prediction"] == first and made["lead_time"] == 1.5
    stored = (await c.get(f"/api/annotations/{made['id']}/")).json()
    assert stored["parent_prediction"] == first

    # Rejected again (the task came back from the skipped queue): the same skip, the new prediction.
    again = await c.post(f"/api/tasks/{task}/annotations/",
                         json={"result": [], "was_cancelled": True, "parent_prediction": second})
    assert again.status == 201 and again.json()["id"] == made["id"]
    assert (await c.get(f"/api/annotations/{made['id']}/")).json()["parent_prediction"] == second

    # A plain skip keeps what it had; another task's prediction is refused and stores nothing.
    plain = await c.post(f"/api/tasks/{task}/annotations/", json={"result": [], "was_cancelled": True})
    assert plain.json()["id"] == made["id"] and plain.json()["parent_prediction"] == second
    bad = await c.post(f"/api/tasks/{other_task}/annotations/",
                       json={"result": [], "was_cancelled": True, "parent_prediction": first})
    assert bad.status == 400, bad.text
    task_json = (await c.get(f"/api/tasks/{other_task}/")).json()
    assert task_json["cancelled_annotations"] == 0 and task_json["annotations"] == []
    ok = await c.post(f"/api/tasks/{other_task}/annotations/",
                      json={"result": [], "was_cancelled": True, "parent_prediction": elsewhere})
    assert ok.status == 201 and ok.json()["parent_prediction"] == elsewhere
