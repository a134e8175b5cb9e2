"""Remote mode: the same labeling against a real `lsx serve` started by the test; a server that
answers 401 ends the session with a clear message and the work kept in a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lsx.engine.errors import AuthenticationFailed
from lsx.tui.app import LabelApp
from lsx.tui.remote import RemoteBackend
from tests.plugins.services import free_port, wait_port
from tests.tui.conftest import SIZE, strip_ids
from tests.tui.test_classification import CONFIG

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(ws, tmp_path: Path) -> Iterator[str]:
    """`lsx serve` in its own process, on the test's database."""
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LSX_")},
           "LSX_HOME": ws.settings.home, "LSX_DATABASE_URL": ws.settings.database_url, "PYTHONPATH": str(REPO)}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "lsx", "serve", "--port", str(port), "--no-login-link"],
                            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_port(port, 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
def token(ws, owner) -> str:
    from lsx.engine.access.tokens import create_token
    from lsx.engine.db.models import User

    with ws.session() as s:
        return create_token(s, owner, s.get(User, owner.id), "tui-test")[1]


async def test_remote_labeling_through_lsx_serve(make_project, served, token, annotations) -> None:
    pid = make_project(CONFIG, [{"text": "I love it"}, {"text": "I hate it"}, {"text": "It is a chair"}])
    backend = RemoteBackend(served, token, pid)
    app = LabelApp(backend)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter")
        await pilot.press("n", "enter")
        await pilot.press("2", "enter")
        await pilot.pause()
        assert app.finished, app.message
    backend.close()
    stored = annotations(pid)
    assert [strip_ids(a["result"]) for a in stored] == [
        strip_ids([{"id": "x", "from_name": "sentiment", "to_name": "text", "type": "choices",
                    "value": {"choices": [c]}, "origin": "manual"}])
        for c in ("Positive", "Negative", "Neutral")
    ]


def test_remote_bad_token_is_a_clear_error(make_project, served) -> None:
    pid = make_project(CONFIG, [{"text": "x"}])
    with pytest.raises(AuthenticationFailed, match="refused the token"):
        RemoteBackend(served, "not-a-token", pid)


async def test_remote_401_mid_session_keeps_the_work_in_a_file(make_project, served, token, ws,
                                                              annotations) -> None:
    pid = make_project(CONFIG, [{"text": "I love it"}])
    backend = RemoteBackend(served, token, pid)
    app = LabelApp(backend, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        backend.client.headers["Authorization"] = "Token revoked-meanwhile"  # the server now answers 401
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 1, (app.message, app.exit_message, annotations(pid))
    assert app.exit_message and "refused the token" in app.exit_message and "saved in" in app.exit_message
    [saved] = list((Path(ws.settings.home) / "drafts").glob("*.json"))
    body = json.loads(saved.read_text())
    assert body["result"][0]["value"] == {"choices": ["Positive"]}
    assert annotations(pid) == []
