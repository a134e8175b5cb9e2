"""A workspace on the private PostgreSQL cluster only, for tests of PostgreSQL's own behaviour."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lsx.engine.settings import load_settings
from lsx.engine.workspace import Workspace, open_workspace


@pytest.fixture
def pg_ws(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("LSX_DATABASE_URL", postgres_url)
    workspace = open_workspace(load_settings())
    try:
        yield workspace
    finally:
        workspace.close()
