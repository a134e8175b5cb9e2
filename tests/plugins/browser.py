"""Real headless Chromium for the web UI (Debian's build, driven by Playwright): one browser per test
session, a fresh context per test, and a live lsx server over the test's workspace.

In CI (CI=true) a missing chromium fails the browser tests, elsewhere they skip."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import lsx.web.api.ui_support  # noqa: F401  (the UI's endpoints are part of the route table tests enumerate)
from tests.plugins.services import missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
UI_EMAIL = "annotator@ui.example"
UI_PASSWORD = "secret-pass"


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches Debian's chromium (never a downloaded browser)."""
    path = chromium_path()
    if path is None:
        missing("chromium (apt-get install -y chromium chromium-driver)")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def screenshots(pytestconfig: pytest.Config) -> Path:
    """Where UI tests save screenshots: under the run's output folder (test-results/ by default)."""
    out = Path(str(pytestconfig.getoption("--output", default="test-results"))) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


@dataclass
class UiServer:
    url: str
    email: str
    password: str
    actor: Any
    token: str
    ws: Any


@pytest.fixture
def ui_server(ws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[UiServer]:
    """`lsx serve` on a free loopback port with a user who logs in with a password."""
    from lsx.web.server import run_in_thread
    from tests.plugins.api import api_token, make_org

    actor = make_org(ws, "UI team", UI_EMAIL)
    handle = run_in_thread(ws)
    try:
        yield UiServer(handle.url, UI_EMAIL, UI_PASSWORD, actor, api_token(ws, actor), ws)
    finally:
        handle.stop()


@pytest.fixture
def ui_page(browser: Any, ui_server: UiServer) -> Iterator[Any]:
    """A page in a fresh browser context, already logged in (the login form has its own test)."""
    context = browser.new_context(base_url=ui_server.url, viewport={"width": 1400, "height": 900})
    r = context.request.post("/user/login/", data={"email": ui_server.email, "password": ui_server.password})
    assert r.ok, r.text()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def anon_page(browser: Any, ui_server: UiServer) -> Iterator[Any]:
    context = browser.new_context(base_url=ui_server.url, viewport={"width": 1400, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()
