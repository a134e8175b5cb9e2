"""Labeling-config templates shipped in the wheel (`configs/templates/<group>/<name>.xml` plus a
`<name>.json` sample task), read through importlib.resources."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lsx.engine.errors import NotFound


@dataclass(frozen=True)
class Template:
    """One template: where it sits, its title (the XML's first Header or the name) and sample task."""

    name: str
    group: str
    title: str
    xml: str
    sample_task: dict[str, Any]


def _root() -> Any:
    """`lsx.configs/templates` in a wheel; the repo's `configs/templates` in a dev checkout."""
    try:
        root = resources.files("lsx.configs") / "templates"
        if root.is_dir():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[3] / "configs" / "templates"


_TITLE = re.compile(r"<!--\s*(?!\{)(.+?)\s*-->", re.S)


def _title(name: str, xml: str) -> str:
    """The first comment that is not a sample task, else the file name."""
    m = _TITLE.search(xml)
    return m.group(1).strip() if m else name.replace("_", " ").replace("-", " ").capitalize()


@lru_cache(maxsize=1)
def _load() -> tuple[Template, ...]:
    out: list[Template] = []
    root = _root()
    if not root.is_dir():
        return ()
    for group in sorted(root.iterdir(), key=lambda p: p.name):
        if not group.is_dir():
            continue
        for f in sorted(group.iterdir(), key=lambda p: p.name):
            if not f.name.endswith(".xml"):
                continue
            name = f.name[:-4]
            sample_file = group / f"{name}.json"
            task: dict[str, Any] = json.loads(sample_file.read_text("utf-8")) if sample_file.is_file() else {}
            xml = f.read_text("utf-8")
            out.append(Template(name=name, group=group.name, title=_title(name, xml), xml=xml, sample_task=task))
    return tuple(out)


def list_templates() -> list[Template]:
    """All templates, by group then name."""
    return list(_load())


def get_template(name: str) -> Template:
    """A template by name (or `group/name`); NotFound lists the close names."""
    for t in _load():
        if name in (t.name, f"{t.group}/{t.name}"):
            return t
    close = [t.name for t in _load() if name.lower() in t.name.lower()]
    hint = f" (did you mean: {', '.join(close[:5])}?)" if close else " (see `lsx template list`)"
    raise NotFound(f'no template named "{name}"{hint}')
