"""REST API fixtures: the app over the `ws` workspace, in-process clients for two organizations
(A = the local owner's, B = a second one made the way `lsx org create` / `lsx user create` do),
seeded objects, and a real server on a free loopback port for the SDK and schemathesis."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lsx.engine.access.actor import Actor
from lsx.engine.workspace import Workspace

TEXT_CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>"""
CHOICE = {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}


@dataclass
class OrgUser:
    actor: Actor
    token: str
    client: Any
    objects: dict[str, Any] = field(default_factory=dict)


def api_token(ws: Workspace, actor: Actor) -> str:
    from lsx.engine.access.tokens import create_token
    from lsx.engine.db.models import User

    with ws.session() as s:
        return create_token(s, actor, s.get(User, actor.id))[1]


def make_org(ws: Workspace, title: str, email: str) -> Actor:
    """A second organization with its owner (what `lsx org create` + `lsx user create --org` do)."""
    from lsx.engine.access.users import actor_for_user, create_org, create_user

    with ws.session() as s:
        org = create_org(s, None, title)
        user = create_user(s, None, email, org=org, role="owner", password="secret-pass")
        return actor_for_user(s, user)


def seed(ws: Workspace, actor: Actor) -> dict[str, Any]:
    """One of everything the routes address, owned by `actor`'s organization."""
    from lsx.engine.annotations import create_annotation, save_draft
    from lsx.engine.auth_tokens import create_pat
    from lsx.engine.dm import create_view
    from lsx.engine.export_snapshots import create_snapshot
    from lsx.engine.imports import import_body
    from lsx.engine.jobs import wait_job
    from lsx.engine.predictions import create_prediction
    from lsx.engine.projects import create_project

    with ws.session() as s:
        project = create_project(s, actor, f"seed {actor.email}", label_config=TEXT_CONFIG).id
    report = import_body(ws, actor, project, b'[{"text": "one"}, {"text": "two"}, {"text": "three"}, {"text": "four"}]')
    t1, t2, t3, t4 = report.task_ids
    with ws.session() as s:
        annotation = create_annotation(s, actor, t1, result=[CHOICE]).id
        prediction = create_prediction(s, actor, t1, result=[CHOICE], score=0.4, model_version="v1").id
        draft = save_draft(s, actor, t2, result=[CHOICE]).id
        view = create_view(s, actor, project, {"title": "Default"}).id
        spare_annotation = create_annotation(s, actor, t3, result=[CHOICE]).id
        spare_prediction = create_prediction(s, actor, t3, result=[CHOICE], score=0.2).id
        spare_draft = save_draft(s, actor, t3, result=[CHOICE]).id
        spare_view = create_view(s, actor, project, {"title": "Other"}).id
    export = create_snapshot(ws, actor, project)["id"]
    wait_job(ws, export, timeout=30)
    media_dir = Path(ws.settings.home) / "media" / str(project)
    media_dir.mkdir(parents=True, exist_ok=True)
    (media_dir / "abcd1234-cat.txt").write_text("meow")
    return {
        "project": project, "task": t1, "free_task": t4, "spare_task": t2, "annotation": annotation,
        "prediction": prediction, "draft": draft, "view": view, "export": export, "job": export,
        "user": actor.id, "org": actor.organization_id, "filename": "abcd1234-cat.txt",
        "spare_annotation": spare_annotation, "spare_prediction": spare_prediction, "spare_draft": spare_draft,
        "spare_view": spare_view, "pat": create_pat(ws, actor),
    }


@pytest.fixture
def api_app(ws: Workspace) -> Any:
    from lsx.web.server import make_app

    return make_app(ws, workers=4)


@pytest.fixture
def org_a(ws: Workspace, owner: Actor, api_app: Any) -> OrgUser:
    from lsx.web.client import Client

    token = api_token(ws, owner)
    return OrgUser(owner, token, Client(api_app, token=token))


@pytest.fixture
def org_b(ws: Workspace, api_app: Any) -> OrgUser:
    from lsx.web.client import Client

    actor = make_org(ws, "Organization B", "owner@b.example")
    token = api_token(ws, actor)
    return OrgUser(actor, token, Client(api_app, token=token))


@pytest.fixture
def anon(api_app: Any) -> Any:
    from lsx.web.client import Client

    return Client(api_app)


@pytest.fixture
def live_server(ws: Workspace) -> Iterator[Any]:
    """The app on a free loopback port in a background thread."""
    from lsx.web.server import run_in_thread

    handle = run_in_thread(ws)
    try:
        yield handle
    finally:
        handle.stop()
        time.sleep(0.05)
