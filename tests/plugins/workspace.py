"""Workspace fixtures: `ws` runs on SQLite; tests marked `db` also run on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lsx.engine.access.actor import Actor
from lsx.engine.settings import load_settings
from lsx.engine.workspace import Workspace, open_workspace


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Every test using `ws` runs on SQLite; those marked `db` run on PostgreSQL as well.
    if "database" in metafunc.fixturenames:
        backends = ["sqlite", "postgresql"] if metafunc.definition.get_closest_marker("db") else ["sqlite"]
        metafunc.parametrize("database", backends, indirect=True)


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'lsx.db'}"


def _workspace(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("LSX_DATABASE_URL", url)
    workspace = open_workspace(load_settings())
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def ws(database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    yield from _workspace(database, monkeypatch)


@pytest.fixture
def pg_ws(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A workspace on the private PostgreSQL cluster only, for tests of PostgreSQL's own behaviour."""
    yield from _workspace(postgres_url, monkeypatch)


@pytest.fixture
def owner(ws: Workspace) -> Actor:
    from lsx.engine.access.users import LOCAL_OWNER, actor_for

    with ws.read() as s:
        return actor_for(s, LOCAL_OWNER)
