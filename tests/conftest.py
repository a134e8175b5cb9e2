"""Shared fixtures. Service fixtures (PostgreSQL, Redis, emulators, browser) live in tests/plugins/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.plugins.services",
    "tests.plugins.workspace",
    "tests.plugins.jobs",
    "tests.plugins.storage",
    "tests.plugins.api",
    "tests.plugins.browser",
]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's ~/.lsx or inherits their LSX_* settings."""
    for key in list(os.environ):
        if key.startswith("LSX_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("LSX_HOME", str(tmp_path / "lsx-home"))
    yield


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
