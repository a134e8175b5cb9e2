"""Reproduce, key by key, the annotation Label Studio 1.23 stored for task 0 of the text
fixture (NER + relations + sentiment + comment + rating), and compare results ids aside."""

from __future__ import annotations

import json

from lsx.tui.app import LabelApp
from tests.tui.conftest import FIXTURES, SIZE, keys_for, strip_ids


async def test_reproduces_label_studio_task_0_key_by_key(make_project, backend_for, annotations) -> None:
    config = (FIXTURES / "text.config.xml").read_text()
    tasks = json.loads((FIXTURES / "text.import.json").read_text())
    sent = json.loads((FIXTURES / "text.annotations.sent.json").read_text())
    expected = next(a for a in sent if a["task_index"] == 0)["request"]["result"]
    pid = make_project(config, tasks[:1])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        assert app.prediction_id is not None  # task 0 comes pre-annotated by its prediction
        await pilot.press("ctrl+x")  # clear it: label from scratch like the LS annotator
        # granularity="word": arrows move by word, Shift extends by word
        await pilot.press("shift+right", "shift+right", "1")  # "Tim Cook" PER
        await pilot.press(*["right"] * 5, "2")  # "Apple" ORG (the word under the cursor)
        await pilot.press(*["right"] * 7, "3")  # "Austin" LOC
        await pilot.press("left_square_bracket", "left_square_bracket")  # select Tim Cook
        await pilot.press("ctrl+r", "right_square_bracket", "ctrl+r", "1")  # -> Apple: works_for
        await pilot.press("ctrl+r", "right_square_bracket", "ctrl+r", "2")  # -> Austin: located_in
        await pilot.press("4")  # sentiment Positive
        await pilot.press("tab", *keys_for("Clear example."), "enter")  # comment
        await pilot.press("tab", "5")  # rating 5 stars
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert app.finished, app.message
    stored = annotations(pid)
    assert len(stored) == 1
    assert strip_ids(stored[0]["result"]) == strip_ids(expected)
