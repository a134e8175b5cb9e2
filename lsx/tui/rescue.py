"""When the database or server is gone, the work in progress goes to a file under LSX_HOME
(`drafts/`), so nothing typed is lost; `lsx label` says where it is."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any


def drafts_dir() -> Path:
    home = Path(os.path.expanduser(os.environ.get("LSX_HOME") or "~/.lsx"))
    return home / "drafts"


def save_file_draft(*, project_id: int, task_id: int, result: list[dict[str, Any]], where: str, user: str,
                    reason: str) -> Path:
    folder = drafts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"project-{project_id}-task-{task_id}-{stamp}.json"
    body = {"project": project_id, "task": task_id, "user": user, "source": where, "reason": reason,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "result": result}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False))
    tmp.replace(path)
    return path
