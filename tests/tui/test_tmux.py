"""The real `lsx label` command in a real terminal (tmux): press 1 then Enter, read the screen,
find the annotation stored."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.plugins.services import missing
from tests.tui.test_classification import CONFIG

REPO = Path(__file__).resolve().parents[2]


def _screen(sock: str) -> str:
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", "t"], capture_output=True,
                          text=True).stdout


def _wait_for(sock: str, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(sock)
        if needle in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never appeared; screen:\n{screen}")


@pytest.fixture
def tmux() -> str:
    if shutil.which("tmux") is None:
        missing("tmux")
    sock = f"lsx-test-{uuid.uuid4().hex[:8]}"
    yield sock
    subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)


def test_lsx_label_in_tmux_press_1_enter_stores_the_annotation(make_project, ws, tmux, annotations) -> None:
    pid = make_project(CONFIG, [{"text": "I love this phone"}, {"text": "Second task here"}], title="tmux demo")
    env = {"LSX_HOME": ws.settings.home, "LSX_DATABASE_URL": ws.settings.database_url, "PYTHONPATH": str(REPO),
           "TERM": "xterm-256color"}
    cmd = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    cmd = f"env {cmd} {shlex.quote(sys.executable)} -m lsx label {pid}; sleep 30"
    subprocess.run(["tmux", "-L", tmux, "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", cmd], check=True,
                   env={**os.environ, "TMUX": ""})
    screen = _wait_for(tmux, "I love this phone")
    assert "[1]" in screen and "Positive" in screen
    subprocess.run(["tmux", "-L", tmux, "send-keys", "-t", "t", "1"], check=True)
    _wait_for(tmux, "●")
    subprocess.run(["tmux", "-L", tmux, "send-keys", "-t", "t", "Enter"], check=True)
    screen = _wait_for(tmux, "Second task here")
    assert "Positive" in screen
    [ann] = annotations(pid)
    assert ann["result"][0]["value"] == {"choices": ["Positive"]}
    subprocess.run(["tmux", "-L", tmux, "send-keys", "-t", "t", "q"], check=True)
