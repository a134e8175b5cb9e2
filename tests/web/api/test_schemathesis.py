"""Property-based run of the OpenAPI document against the server with a valid token on seeded data:
no 5xx, and every response matches its declared status, content type and schema. Bounded
(a few examples per operation) to stay well under two minutes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis.specs.openapi import checks as oa  # noqa: E402

from tests.plugins.api import api_token, seed  # noqa: E402

MAX_EXAMPLES = 3


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from lsx.engine.access.users import LOCAL_OWNER, actor_for
    from lsx.engine.settings import load_settings
    from lsx.engine.workspace import open_workspace
    from lsx.web.server import run_in_thread

    home = Path(tmp_path_factory.mktemp("schemathesis"))
    ws = open_workspace(load_settings(env={"LSX_HOME": str(home)}))
    with ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    seed(ws, owner)
    server = run_in_thread(ws)
    yield {"url": server.url, "token": api_token(ws, owner)}
    server.stop()
    ws.close()


@pytest.fixture(scope="module")
def api_schema(seeded_server: dict[str, Any]) -> Any:
    from lsx.web.api.openapi import openapi_document

    return schemathesis.openapi.from_dict(openapi_document())


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, seeded_server: dict[str, Any]) -> None:
    case.call_and_validate(
        base_url=seeded_server["url"],
        headers={"Authorization": f"Token {seeded_server['token']}"},
        checks=[schemathesis.checks.not_a_server_error, oa.status_code_conformance,
                oa.content_type_conformance, oa.response_schema_conformance],
    )
