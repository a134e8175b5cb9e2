"""Text classification with hotkeys, end to end: keys in, Label Studio results stored."""

from __future__ import annotations

from lsx.tui.app import LabelApp
from tests.tui.conftest import SIZE, strip_ids

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single" required="true">
    <Choice value="Positive"/>
    <Choice value="Negative" hotkey="n"/>
    <Choice value="Neutral"/>
  </Choices>
</View>"""


async def test_classification_with_hotkeys_labels_every_task(make_project, backend_for, annotations) -> None:
    pid = make_project(CONFIG, [{"text": "I love it"}, {"text": "I hate it"}, {"text": "It is a chair"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter")
        await pilot.press("n", "enter")
        await pilot.press("2", "enter")  # Neutral gets 2: Negative took its own hotkey
        await pilot.pause()
        assert app.finished
    stored = annotations(pid)
    assert [strip_ids(a["result"]) for a in stored] == [
        strip_ids([{"id": "x", "from_name": "sentiment", "to_name": "text", "type": "choices",
                    "value": {"choices": [c]}, "origin": "manual"}])
        for c in ("Positive", "Negative", "Neutral")
    ]
    assert all(len(r["id"]) == 10 for a in stored for r in a["result"])


async def test_required_choice_blocks_submit_with_a_message(make_project, backend_for, annotations) -> None:
    pid = make_project(CONFIG, [{"text": "I love it"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert "not submitted" in app.message and "sentiment" in app.message
        assert annotations(pid) == []
        await pilot.press("1", "enter")
        await pilot.pause()
    assert len(annotations(pid)) == 1
