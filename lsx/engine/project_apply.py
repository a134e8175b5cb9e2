"""`lsx project apply`: make a project match a project.toml, idempotently.

The file names the project by title (or `id`), its config file, settings and files to import.
Each import file is imported once and remembered by path and content hash; a second run with
nothing changed writes no row and says "no changes".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import IMPORT_COMMITTED, Project, TaskImport
from lsx.engine.errors import InputError, NotFound
from lsx.engine.projects import PROJECT_FIELDS, SETTING_ALIASES, normalize_settings

TOP_KEYS = {"id", "title", "description", "config", "instructions", "import"}
IMPORT_KEYS = {"path", "format"}
SETTING_KEYS = (set(PROJECT_FIELDS) | set(SETTING_ALIASES)) - {"title", "description", "expert_instruction"}


@dataclass
class ImportStep:
    path: Path
    key: str
    sha256: str
    fmt: str | None
    action: str  # import | skip | edited | reimport
    replaces: list[int] = field(default_factory=list)
    tasks: int = 0


@dataclass
class ApplyPlan:
    file: Path
    project_id: int | None
    title: str
    create: bool
    settings: dict[str, tuple[Any, Any]]
    config_changed: bool
    imports: list[ImportStep]
    dry_run: bool

    @property
    def changes(self) -> bool:
        return self.create or bool(self.settings) or self.config_changed or any(
            s.action in ("import", "reimport") for s in self.imports
        )

    def lines(self) -> list[str]:
        verb = "would" if self.dry_run else "did"
        name = f"project {self.project_id or '(new)'} ({self.title})"
        if not self.changes:
            out = [f"{name}: no changes"]
        elif self.create:
            out = [f"{name}: {'would create' if self.dry_run else 'created'}"]
        else:
            out = [f"{name}: {'would update' if self.dry_run else 'updated'}"]
        if self.config_changed and not self.create:
            out.append(f"  config: {verb} change")
        for key, (old, new) in self.settings.items():
            if not self.create:
                out.append(f"  {key}: {old!r} -> {new!r}")
        for step in self.imports:
            if step.action == "import":
                done = f"imported {step.tasks} tasks" if not self.dry_run else "would import"
                out.append(f"  import {step.key}: {done}")
            elif step.action == "reimport":
                done = f"re-imported {step.tasks} tasks" if not self.dry_run else "would re-import"
                out.append(f"  import {step.key}: changed since last import; {done}")
            elif step.action == "edited":
                out.append(f"  import {step.key}: changed since last import (use --reimport to replace its tasks)")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "project": self.project_id,
            "title": self.title,
            "created": self.create,
            "changes": self.changes,
            "dry_run": self.dry_run,
            "config_changed": self.config_changed,
            "settings": {k: {"old": o, "new": n} for k, (o, n) in self.settings.items()},
            "imports": [
                {"path": s.key, "action": s.action, "sha256": s.sha256, "tasks": s.tasks} for s in self.imports
            ],
        }


def _key_line(text: str, key: str) -> int:
    match = re.search(rf"^\s*\[*\s*{re.escape(key)}\s*[=\]]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def load_project_file(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: {exc}") from None
    for key in doc:
        if key not in TOP_KEYS and key not in SETTING_KEYS:
            raise InputError(f"{path}:{_key_line(text, key)}: unknown key {key!r}")
    if not isinstance(doc.get("title"), str) or not doc["title"].strip():
        raise InputError(f"{path}: 'title' is required")
    imports = doc.get("import", [])
    if not isinstance(imports, list):
        raise InputError(f"{path}:{_key_line(text, 'import')}: use [[import]] tables")
    for i, entry in enumerate(imports):
        if not isinstance(entry, dict) or "path" not in entry:
            raise InputError(f"{path}: [[import]] entry {i + 1} needs a 'path'")
        for key in entry:
            if key not in IMPORT_KEYS:
                raise InputError(f"{path}:{_key_line(text, key)}: unknown key {key!r} in [[import]] entry {i + 1}")
    return doc, text


def apply_project_file(
    ws: Any, actor: Actor, path: Path, *, dry_run: bool = False, force: bool = False, reimport: bool = False
) -> ApplyPlan:
    from lsx.engine.imports import file_sha256
    from lsx.engine.projects import create_project, update_project

    path = Path(path)
    doc, _ = load_project_file(path)
    base = path.parent
    xml = None
    config_path = None
    if "config" in doc:
        config_path = base / str(doc["config"])
        try:
            xml = config_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: config {config_path}: cannot read: {exc.strerror or exc}") from None
        from lsx.engine.projects import check_config

        check_config(xml, source=str(config_path))
    wanted = {k: v for k, v in doc.items() if k in SETTING_KEYS}
    if "description" in doc:
        wanted["description"] = doc["description"]
    if "instructions" in doc:
        wanted["instructions"] = doc["instructions"]
    try:
        normalized = normalize_settings(wanted)
    except InputError as exc:
        raise InputError(f"{path}: {exc.message}") from None

    with ws.read() as s:
        project = _find(s, actor, doc, path)
        settings = {
            k: (getattr(project, k) if project else None, v)
            for k, v in normalized.items()
            if project is None or getattr(project, k) != v
        }
        config_changed = xml is not None and (project is None or project.label_config != xml)
        done: dict[str, list[tuple[int, str]]] = {}
        if project is not None:
            for imp_id, source, sha in s.execute(
                select(TaskImport.id, TaskImport.source, TaskImport.sha256).where(
                    TaskImport.project_id == project.id, TaskImport.state == IMPORT_COMMITTED
                )
            ):
                done.setdefault(source, []).append((imp_id, sha))
    steps = []
    for entry in doc.get("import", []):
        file = base / str(entry["path"])
        if not file.exists():
            raise InputError(f"{path}: import {entry['path']}: no such file")
        key = f"apply:{entry['path']}"
        sha = file_sha256(file) if file.is_file() else ""
        previous = done.get(key, [])
        if not previous:
            action = "import"
        elif any(h == sha for _, h in previous):
            action = "skip"
        else:
            action = "reimport" if reimport else "edited"
        steps.append(ImportStep(file, str(entry["path"]), sha, entry.get("format"), action, [i for i, _ in previous]))
    plan = ApplyPlan(
        path, project.id if project else None, doc["title"], project is None, settings, config_changed, steps, dry_run
    )
    if dry_run or not plan.changes:
        return plan

    with ws.session() as s:
        if project is None:
            created = create_project(
                s, actor, doc["title"], label_config=xml, config_source=str(config_path or "config.xml"),
                **{k: v for k, v in normalized.items() if k != "title"},
            )
            plan.project_id = created.id
        else:
            live = s.get(Project, project.id)
            assert live is not None
            update_project(
                s, actor, live, label_config=xml if config_changed else None,
                config_source=str(config_path or "config.xml"), force=force,
                **{k: new for k, (_, new) in settings.items()},
            )
    assert plan.project_id is not None
    for step in steps:
        if step.action not in ("import", "reimport"):
            continue
        from lsx.engine.imports import items_from_paths, run_import

        report = run_import(
            ws, actor, plan.project_id, items_from_paths(ws, plan.project_id, [step.path], step.fmt),
            source=f"apply:{step.key}", sha256=step.sha256,
            replace_import_ids=step.replaces if step.action == "reimport" else (),
        )
        step.tasks = report.task_count
    return plan


def _find(session: Any, actor: Actor, doc: dict[str, Any], path: Path) -> Project | None:
    if "id" in doc:
        project = session.scalars(
            select(Project).where(Project.id == doc["id"], Project.organization_id == actor.organization_id)
        ).first()
        if project is None:
            raise NotFound(f"{path}: project {doc['id']} not found")
        return project
    matches = list(
        session.scalars(
            select(Project)
            .where(Project.organization_id == actor.organization_id, Project.title == doc["title"])
            .order_by(Project.id)
        )
    )
    if len(matches) > 1:
        ids = ", ".join(str(p.id) for p in matches)
        raise InputError(f"{path}: {len(matches)} projects are titled {doc['title']!r} (ids {ids}): add `id = N`")
    return matches[0] if matches else None
