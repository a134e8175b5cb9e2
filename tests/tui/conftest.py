"""TUI fixtures: a project made from a config and tasks, and the app driven by Pilot."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lsx.engine.access.actor import Actor
from lsx.engine.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tui"
SIZE = (100, 34)


def strip_ids(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results compared region ids aside: each id becomes a name derived from its region's content."""
    groups: dict[str, list[str]] = {}
    for item in result:
        if "id" in item:
            body = {k: v for k, v in item.items() if k != "id"}
            groups.setdefault(str(item["id"]), []).append(json.dumps(body, sort_keys=True))
    names = {rid: f"r{i}" for i, (rid, _) in enumerate(sorted(groups.items(), key=lambda kv: sorted(kv[1])))}
    out = []
    for item in result:
        item = dict(item)
        for k in ("id", "from_id", "to_id"):
            if k in item:
                item[k] = names.get(str(item[k]), "?")
        out.append(item)
    return sorted(out, key=lambda i: json.dumps(i, sort_keys=True))


MakeProject = Callable[..., int]


@pytest.fixture
def make_project(ws: Workspace, owner: Actor) -> MakeProject:
    from lsx.engine.imports import import_body
    from lsx.engine.projects import create_project

    def make(config: str, tasks: list[Any], title: str = "demo", **settings: Any) -> int:
        with ws.session() as s:
            pid = create_project(s, owner, title, label_config=config, **settings).id
        if tasks:
            import_body(ws, owner, pid, json.dumps(tasks))
        return pid

    return make


@pytest.fixture
def backend_for(ws: Workspace, owner: Actor) -> Callable[[int], Any]:
    from lsx.tui.local import LocalBackend

    return lambda pid: LocalBackend(ws, owner, pid)


@pytest.fixture
def annotations(ws: Workspace) -> Callable[[int], list[dict[str, Any]]]:
    """Every annotation of a project, oldest first, as plain dicts."""
    from sqlalchemy import select

    from lsx.engine.db.models import Annotation

    def get(pid: int) -> list[dict[str, Any]]:
        with ws.read() as s:
            rows = s.scalars(select(Annotation).where(Annotation.project_id == pid).order_by(Annotation.id))
            return [{"task": a.task_id, "result": a.result, "was_cancelled": a.was_cancelled,
                     "parent_prediction": a.parent_prediction_id, "lead_time": a.lead_time} for a in rows]

    return get


_KEY_NAMES = {" ": "space", ".": "full_stop", ",": "comma", "-": "minus", ":": "colon", "/": "slash",
              "!": "exclamation_mark", "'": "apostrophe"}


def keys_for(text: str) -> list[str]:
    """Pilot key names that type `text`."""
    return [_KEY_NAMES.get(ch, ch) for ch in text]
