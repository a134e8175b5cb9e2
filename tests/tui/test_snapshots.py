"""SVG snapshots of the main screens: a layout change shows up as a diff
(`pytest tests/tui/test_snapshots.py --snapshot-update` accepts a new look)."""

from __future__ import annotations

import json

from lsx.tui.app import LabelApp
from tests.tui.conftest import FIXTURES, SIZE
from tests.tui.test_accept_reject import CONFIG as AR_CONFIG
from tests.tui.test_accept_reject import task as ar_task
from tests.tui.test_fields import RATING_NUMBER_DATE, TAXONOMY
from tests.tui.test_spans import DIALOGUE


async def _counted(pilot) -> None:
    """The progress counts arrive after the first paint (in the background): wait for them."""
    await pilot.app.progress_loaded.wait()
    await pilot.pause()


def _text_project(make_project) -> int:
    config = (FIXTURES / "text.config.xml").read_text()
    tasks = json.loads((FIXTURES / "text.import.json").read_text())
    return make_project(config, tasks[:2])


def test_snapshot_ner_with_predictions(make_project, backend_for, snap_compare) -> None:
    app = LabelApp(backend_for(_text_project(make_project)), prefetch=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_counted)


def test_snapshot_ner_selecting_and_labeling(make_project, backend_for, snap_compare) -> None:
    app = LabelApp(backend_for(_text_project(make_project)), prefetch=False)
    keys = ["ctrl+x", "shift+right", "shift+right", "1", "right", "right", "shift+right"]
    assert snap_compare(app, press=keys, terminal_size=SIZE, run_before=_counted)


def test_snapshot_help(make_project, backend_for, snap_compare) -> None:
    app = LabelApp(backend_for(_text_project(make_project)), prefetch=False)
    assert snap_compare(app, press=["question_mark"], terminal_size=SIZE, run_before=_counted)


def test_snapshot_dialogue(make_project, backend_for, snap_compare) -> None:
    dialogue = [{"author": "Alice", "text": "Hi there."}, {"author": "Bob", "text": "My order is late."}]
    app = LabelApp(backend_for(make_project(DIALOGUE, [{"dialogue": dialogue}])), prefetch=False)
    assert snap_compare(app, press=["shift+down", "1"], terminal_size=SIZE, run_before=_counted)


def test_snapshot_fields(make_project, backend_for, snap_compare) -> None:
    config = RATING_NUMBER_DATE.replace("</View>", TAXONOMY.split('<Text name="text" value="$text"/>')[1])
    app = LabelApp(backend_for(make_project(config, [{"text": "Three birds seen on 2024-05-01."}])),
                   prefetch=False)
    assert snap_compare(app, press=["tab", "right", "right"], terminal_size=(100, 40), run_before=_counted)


def test_snapshot_accept_reject(make_project, backend_for, snap_compare) -> None:
    app = LabelApp(backend_for(make_project(AR_CONFIG, [ar_task("good one", "Positive")])), accept_reject=True,
                   prefetch=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_counted)


def test_snapshot_no_more_tasks(make_project, backend_for, snap_compare) -> None:
    app = LabelApp(backend_for(make_project(AR_CONFIG, [])), prefetch=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_counted)
