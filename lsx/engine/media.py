"""Uploaded media (`/data/upload/<project>/<file>`): where the file lives, if the actor may see it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsx.engine.access.actor import Actor
from lsx.engine.errors import NotFound


def media_root(ws: Any) -> Path:
    return Path(ws.settings.home) / "media"


def media_file(ws: Any, actor: Actor, project_id: int, name: str) -> Path:
    """The file of an upload in a project of the actor's organization; NotFound otherwise."""
    from lsx.engine.projects import get_project

    with ws.read() as s:
        get_project(s, actor, project_id)
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise NotFound(f"file {name!r} not found")
    path = media_root(ws) / str(project_id) / name
    if not path.is_file():
        raise NotFound(f"file {name!r} not found")
    return path


def save_upload_dir(ws: Any, project_id: int) -> Path:
    """Where an API upload is staged before import (inside LSX_HOME, cleaned by the caller)."""
    path = Path(ws.settings.home) / "uploads" / str(project_id)
    path.mkdir(parents=True, exist_ok=True)
    return path
