"""Task `data` against the config's bindings (reference §1.3 type table), and `$var` lookup.

Called once per task on million-task imports: the checks are compiled once per config and the
common case (every key present with an accepted type) costs one dict lookup per key.
"""

from __future__ import annotations

import re
from typing import Any

from lsx.engine.config.model import LabelConfig
from lsx.engine.errors import Problem

_NONE = type(None)
_TEXTLIKE = frozenset({str, int, float, bool, list})
# Tag -> accepted JSON types of the bound value (bool passes where int does, as in Python).
TYPE_TABLE: dict[str, frozenset[type]] = {
    "Text": _TEXTLIKE,
    "Header": frozenset({str, int, float, bool}),
    "HyperText": frozenset({str}),
    "Image": frozenset({str, list}),
    "Paragraphs": frozenset({list, str}),
    "Chat": frozenset({list, str}),
    "List": frozenset({list, str}),
    "Ranker": frozenset({list, str}),
    "Table": frozenset({dict, list, str}),
    "TimeSeries": frozenset({dict, list, str}),
    "TimeSeriesChannel": frozenset({dict, list, str}),
    "Choices": frozenset({str, list}),
    "Labels": frozenset({str, list}),
    "RectangleLabels": frozenset({str, list}),
    "PolygonLabels": frozenset({str, list}),
    "BrushLabels": frozenset({str, list}),
    "EllipseLabels": frozenset({str, list}),
    "HyperTextLabels": frozenset({str, list}),
    "KeyPointLabels": frozenset({str, list}),
    "ParagraphLabels": frozenset({str, list}),
    "TimeSeriesLabels": frozenset({str, list}),
    "Taxonomy": frozenset({str, list, _NONE}),
}
_DEFAULT = frozenset({str})
_NAMES = {str: "string", int: "number", float: "number", bool: "boolean", list: "list", dict: "object", _NONE: "null"}
_TOKENS = re.compile(r"[^.\[\]]+")
_VAR = re.compile(r"\$[\w\[\].{}]+")
MISSING = object()


def accepted_types(tag: str) -> frozenset[type]:
    return TYPE_TABLE.get(tag, _DEFAULT)


def _describe(types: frozenset[type]) -> str:
    names = sorted({_NAMES[t] for t in types if t is not bool})
    return " or ".join(names)


def get_path(data: Any, path: str) -> Any:
    """Lodash-style lookup: `a.b`, `a[0].b`; MISSING when absent."""
    cur = data
    for tok in _TOKENS.findall(path):
        if isinstance(cur, dict):
            if tok not in cur:
                return MISSING
            cur = cur[tok]
        elif isinstance(cur, list) and tok.isdigit():
            i = int(tok)
            if i >= len(cur):
                return MISSING
            cur = cur[i]
        else:
            return MISSING
    return cur


def resolve(binding: str, data: dict[str, Any]) -> Any:
    """Value of an attribute for a task: the raw structure for one `$var`, else interpolation."""
    b = binding.strip()
    m = _VAR.fullmatch(b)
    if m is not None:
        v = get_path(data, b[1:])
        return None if v is MISSING else v

    def sub(mm: re.Match[str]) -> str:
        v = get_path(data, mm.group(0)[1:].rstrip("."))
        return "" if v is MISSING or v is None else str(v)

    return _VAR.sub(sub, binding) if "$" in binding else binding


class _Compiled:
    __slots__ = ("complex", "simple")

    def __init__(self, config: LabelConfig) -> None:
        self.simple: list[tuple[str, frozenset[type], str]] = []
        self.complex: list[tuple[str, frozenset[type], str]] = []
        for key, tag in config.data_types.items():
            types = accepted_types(tag)
            if "." in key or "[" in key:
                self.complex.append((key, types, tag))
            else:
                self.simple.append((key, types, tag))

    def ok(self, data: object) -> bool:
        if type(data) is not dict:
            return False
        for key, types, _tag in self.simple:
            if type(data.get(key, MISSING)) not in types:
                return False
        return not self.complex

    def problems(self, data: object, index: int | None, where: str) -> list[Problem]:
        if not where:
            where = f"task {index}" if index is not None else "task"
        out: list[Problem] = []
        if not isinstance(data, dict):
            out.append(
                Problem(
                    f"data must be an object (got {_NAMES.get(type(data), type(data).__name__)})",
                    where=where,
                    field="data",
                    index=index,
                )
            )
            return out
        for key, types, tag in self.simple:
            v = data.get(key, MISSING)
            if v is MISSING:
                out.append(
                    Problem(
                        f'data has no key "{key}" (bound by <{tag}>)',
                        where=where,
                        field=f"data.{key}",
                        index=index,
                        extra={"key": key},
                    )
                )
            elif type(v) not in types:
                out.append(
                    Problem(
                        f'data["{key}"] must be a {_describe(types)} for <{tag}> '
                        f"(got {_NAMES.get(type(v), type(v).__name__)})",
                        where=where,
                        field=f"data.{key}",
                        index=index,
                        extra={"key": key},
                    )
                )
        for key, types, tag in self.complex:
            problem = _check_complex(data, key, types, tag)
            if problem:
                out.append(Problem(problem, where=where, field=f"data.{key}", index=index, extra={"key": key}))
        return out


def _check_complex(data: dict[str, Any], key: str, types: frozenset[type], tag: str) -> str | None:
    """Dot paths are walked; `key[...]` only needs its base to be a list (Repeater, indexes)."""
    if "[" in key:
        base = key.split("[", 1)[0]
        v = get_path(data, base)
        if v is MISSING:
            return f'data has no key "{base}" (bound by <{tag}> as ${key})'
        if not isinstance(v, list):
            return f'data["{base}"] must be a list for ${key} (got {_NAMES.get(type(v), type(v).__name__)})'
        return None
    v = get_path(data, key)
    if v is MISSING:
        return f'data has no value at "{key}" (bound by <{tag}>)'
    if type(v) not in types:
        return f'data "{key}" must be a {_describe(types)} for <{tag}> (got {_NAMES.get(type(v), type(v).__name__)})'
    return None


def _compiled(config: LabelConfig) -> _Compiled:
    c = config._cache.get("task_data")
    if c is None:
        c = config._cache["task_data"] = _Compiled(config)
    return c


def validate_task_data(
    config: LabelConfig, data: object, *, index: int | None = None, where: str = ""
) -> list[Problem]:
    """Problems of one task's `data` against the config bindings; empty when fine."""
    c = config._cache.get("task_data") or _compiled(config)
    if c.ok(data):
        return []
    return c.problems(data, index, where)
