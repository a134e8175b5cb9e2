"""The session around the labeling: drafts on quit, history, skip/postpone, help, and bad input
(no text object, media configs, an empty project, a database that goes away)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from lsx.engine.workspace import Workspace
from lsx.tui.app import LabelApp
from lsx.tui.help import HelpScreen
from tests.cli.conftest import lsx  # noqa: F401  (the in-process CLI fixture)
from tests.tui.conftest import SIZE
from tests.tui.test_classification import CONFIG


def _drafts(ws, pid: int) -> list:
    from lsx.engine.db.models import Draft

    with ws.read() as s:
        return [(d.task_id, d.result, d.was_postponed) for d in s.scalars(select(Draft).order_by(Draft.id))]


async def test_quit_saves_a_draft_and_releases_the_lock_and_the_draft_comes_back(make_project, backend_for, ws):
    from lsx.engine.sampling.models import TaskLock

    pid = make_project(CONFIG, [{"text": "a"}, {"text": "b"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "q")
        await pilot.pause()
    assert app.return_code == 0
    [(task_id, result, postponed)] = _drafts(ws, pid)
    assert result[0]["value"] == {"choices": ["Negative"]} and not postponed
    with ws.read() as s:
        assert s.scalars(select(TaskLock)).all() == []
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        assert app.live is not None and app.live.id == task_id
        assert app.state is not None and app.state.answers["sentiment"].value == {"choices": ["Negative"]}
        await pilot.press("q")


async def test_history_pgup_shows_and_edits_the_previous_annotation(make_project, backend_for, annotations):
    pid = make_project(CONFIG, [{"text": "a"}, {"text": "b"}, {"text": "c"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter", "n", "enter")
        live = app.live
        await pilot.press("pageup")
        assert app.current is not None and app.current.data == {"text": "b"}
        assert app.state is not None and app.state.answers["sentiment"].value == {"choices": ["Negative"]}
        await pilot.press("pageup")
        assert app.current.data == {"text": "a"}
        await pilot.press("2", "enter")  # change the first task's answer
        await pilot.press("pagedown", "pagedown")
        assert app.current is live and app.pos is None
    first = annotations(pid)[0]
    assert first["result"][0]["value"] == {"choices": ["Neutral"]}


async def test_skip_and_postpone(make_project, backend_for, annotations, ws):
    pid = make_project(CONFIG, [{"text": "a"}, {"text": "b"}, {"text": "c"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+k")  # skip a
        assert app.live is not None and app.live.data == {"text": "b"}
        await pilot.press("1", "ctrl+o")  # postpone b with its work as the draft
        assert app.live is not None and app.live.data == {"text": "c"}
        await pilot.press("q")
    [skip] = annotations(pid)
    assert skip["was_cancelled"] and skip["result"] == []
    [(_, result, postponed)] = _drafts(ws, pid)
    assert postponed and result[0]["value"] == {"choices": ["Positive"]}


async def test_help_lists_every_key(make_project, backend_for):
    from lsx.tui.hotkeys import FIXED_KEYS

    pid = make_project(CONFIG, [{"text": "a"}])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        from rich.console import Console

        console = Console(width=200, record=True)
        console.print(app.screen.table)
        shown = console.export_text()
        for k in FIXED_KEYS:
            assert k.shown in shown and k.what in shown
        for key, (_ctl, opt) in app.hotkeys.items():
            assert f"sentiment: {opt.value}" in shown and key in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")


async def test_empty_project_says_so(make_project, backend_for):
    pid = make_project(CONFIG, [])
    app = LabelApp(backend_for(pid))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.finished
        assert "No more tasks to label" in str(app.query_one("#form").children[0].render())
        await pilot.press("q")
    assert app.return_code == 0


def test_config_without_a_text_object_is_refused_with_a_message(make_project, lsx):  # noqa: F811
    make_project('<View><Header value="Nothing to label here"/></View>', [{"t": "x"}], title="no-object")
    res = lsx("label", "no-object")
    assert res.code == 1 and "no object tag the terminal can show" in res.err and "Traceback" not in res.err


def test_image_config_points_to_lsx_serve(make_project, lsx, fixtures_dir):  # noqa: F811
    config = (Path(__file__).parents[1] / "fixtures" / "tui" / "image.config.xml").read_text()
    make_project(config, [{"image": "https://example.com/a.jpg"}], title="images")
    res = lsx("label", "images")
    assert res.code == 1 and "<Image>" in res.err and "lsx serve" in res.err and "Traceback" not in res.err


async def test_database_going_away_keeps_the_work_in_a_file(make_project, backend_for, tmp_path: Path):
    pid = make_project(CONFIG, [{"text": "a"}])
    backend = backend_for(pid)
    app = LabelApp(backend, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        gone = create_engine(f"sqlite:///{tmp_path}/no-such-dir/lsx.db")
        backend.ws = Workspace(backend.ws.settings, gone, sessionmaker(gone), sessionmaker(gone))
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 1
    assert app.exit_message and "database is not reachable" in app.exit_message
    [saved] = list((Path(backend.ws.settings.home) / "drafts").glob("*.json"))
    assert str(saved) in app.exit_message
    assert json.loads(saved.read_text())["result"][0]["value"] == {"choices": ["Positive"]}


async def test_heartbeat_extends_the_lock_while_the_screen_is_open(make_project, backend_for, ws):
    import asyncio

    from lsx.engine.sampling.models import TaskLock

    pid = make_project(CONFIG, [{"text": "a"}])
    app = LabelApp(backend_for(pid), prefetch=False, heartbeat_every=0.2)

    def expiry() -> float:
        with ws.read() as s:
            return max(lock.expire_at for lock in s.scalars(select(TaskLock)))

    async with app.run_test(size=SIZE) as pilot:
        first = expiry()
        await asyncio.sleep(1.2)
        assert expiry() > first
        await pilot.press("q")


def test_as_unknown_user_is_a_clear_error(make_project, lsx):  # noqa: F811
    make_project(CONFIG, [{"text": "a"}], title="as-test")
    res = lsx("label", "as-test", "--as", "nobody@example.com")
    assert res.code == 1 and "nobody@example.com" in res.err and "Traceback" not in res.err
