"""The unmodified official `label-studio-sdk==2.1.2` drives lsx, with a legacy Token and with a
personal access token (refresh JWT → access JWT). Needs the `sdk` extra (pandas, opencv)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugins.api import api_token

pytest.importorskip("label_studio_sdk")

BBOX = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/><Label value="Person"/></RectangleLabels>
</View>"""
NER = """<View>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Text name="text" value="$text"/>
</View>"""
BOX = {"from_name": "label", "to_name": "image", "type": "rectanglelabels", "original_width": 640,
       "original_height": 480, "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rotation": 0,
                                         "rectanglelabels": ["Car"]}}
SPAN = {"from_name": "ner", "to_name": "text", "type": "labels",
        "value": {"start": 0, "end": 5, "text": "Alice", "labels": ["PER"]}}


@pytest.fixture(params=["token", "pat"])
def ls(request: pytest.FixtureRequest, ws: Any, owner: Any, live_server: Any) -> Any:
    from label_studio_sdk import LabelStudio

    from lsx.engine.auth_tokens import create_pat

    key = api_token(ws, owner) if request.param == "token" else create_pat(ws, owner)
    client = LabelStudio(base_url=live_server.url, api_key=key)
    assert client._client_wrapper._tokens_client._use_legacy_token is (request.param == "token")
    return client


@pytest.mark.parametrize(("config", "data", "region"), [
    (BBOX, lambda i: {"image": f"https://example.com/img/{i}.jpg"}, BOX),
    (NER, lambda i: {"text": f"Alice works at Acme, task {i}."}, SPAN),
], ids=["bbox-image", "ner-text"])
def test_sdk_round_trip(ls: Any, config: str, data: Any, region: dict[str, Any]) -> None:
    project = ls.projects.create(title="SDK project", label_config=config)
    assert project.id and project.label_config == config
    tasks_in = [{"data": data(i), "predictions": [{"model_version": "m1", "score": 0.5 + i / 100,
                                                    "result": [region]}]} for i in range(25)]
    imported = ls.projects.import_tasks(id=project.id, request=tasks_in, return_task_ids=True)
    assert imported.task_count == 25 and imported.prediction_count == 25

    listed = list(ls.tasks.list(project=project.id, page_size=10))  # three pages, then 404 ends it
    assert len(listed) == 25 and len({t.id for t in listed}) == 25
    task = ls.tasks.get(id=listed[0].id)
    assert task.data == tasks_in[0]["data"]

    predictions = ls.predictions.list(task=task.id)
    assert len(predictions) == 1 and predictions[0].model_version == "m1"

    annotation = ls.annotations.create(id=task.id, result=[region], lead_time=3.5)
    assert annotation.id and annotation.result == [region]
    annotations = ls.annotations.list(id=task.id)
    assert [a.id for a in annotations] == [annotation.id]

    assert ls.projects.get(id=project.id).task_number == 25
    assert project.id in [p.id for p in ls.projects.list()]

    exported = ls.projects.exports.as_json(project.id)
    assert len(exported) == 25
    assert [a["id"] for t in exported for a in t["annotations"]] == [annotation.id]

    ls.tasks.delete(id=listed[-1].id)
    assert len(list(ls.tasks.list(project=project.id, page_size=100))) == 24
    ls.projects.delete(id=project.id)
    assert project.id not in [p.id for p in ls.projects.list()]
