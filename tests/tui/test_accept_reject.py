"""--accept-reject: one prediction at a time, a / x / space / u."""

from __future__ import annotations

from lsx.tui.app import LabelApp
from tests.tui.conftest import SIZE

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>"""


def task(text: str, choice: str) -> dict:
    return {"data": {"text": text}, "predictions": [{"model_version": "v1", "score": 0.9, "result": [
        {"id": f"p{text[:8]}", "from_name": "sentiment", "to_name": "text", "type": "choices",
         "value": {"choices": [choice]}}]}]}


async def test_accept_reject_ignore_and_undo(make_project, backend_for, annotations, ws) -> None:
    from sqlalchemy import select

    from lsx.engine.db.models import Prediction

    pid = make_project(CONFIG, [task("good one", "Positive"), task("bad guess", "Positive"),
                                task("ignored", "Negative"), task("last one", "Negative")])
    with ws.read() as s:
        preds = {p.task_id: p.id for p in s.scalars(select(Prediction).where(Prediction.project_id == pid))}
    app = LabelApp(backend_for(pid), accept_reject=True)
    async with app.run_test(size=SIZE) as pilot:
        assert "Prediction v1" in str(app.query_one("#banner").render())
        await pilot.press("a")  # task 1: accept
        await pilot.press("x")  # task 2: reject
        await pilot.press("a", "u")  # task 3: accept... undo: the annotation goes, task 3 is back
        assert app.live is not None and app.live.data["text"] == "ignored"
        await pilot.press("space")  # ignore task 3 this session
        assert app.live is not None and app.live.data["text"] == "last one"
        await pilot.press("a")
        await pilot.pause()
        assert app.finished, app.message
    stored = {a["task"]: a for a in annotations(pid)}
    t1, t2, _t3, t4 = sorted(preds)
    assert set(stored) == {t1, t2, t4}
    assert stored[t1]["result"] == [{"id": "pgood one", "from_name": "sentiment", "to_name": "text",
                                     "type": "choices", "value": {"choices": ["Positive"]}, "origin": "prediction"}]
    assert stored[t1]["parent_prediction"] == preds[t1] and not stored[t1]["was_cancelled"]
    assert stored[t2]["was_cancelled"] and stored[t2]["result"] == [] and stored[t2]["parent_prediction"] == preds[t2]
    assert stored[t4]["parent_prediction"] == preds[t4]
