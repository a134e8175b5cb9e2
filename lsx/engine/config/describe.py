"""Descriptions of a parsed config: Label Studio's `parsed_label_config`, the interface tree the
TUI and web UI render (schema: interface_tree.schema.json), and a sample task."""

from __future__ import annotations

import copy
import re
from typing import Any

from lsx.engine.config.attributes import is_dynamic_value
from lsx.engine.config.catalog import CATALOG, CONTROL, OBJECT
from lsx.engine.config.model import LabelConfig, Tag
from lsx.engine.config.task_data import resolve

SCHEMA_VERSION = 1
_OPTION_TAGS = frozenset({"Label", "Choice", "Relation"})


def parsed_label_config(config: LabelConfig) -> dict[str, Any]:
    """Controls keyed by name, in Label Studio's shape (reference §1.9)."""
    cached = config._cache.get("parsed")
    if cached is not None:
        return copy.deepcopy(cached)
    outputs: dict[str, dict[str, Any]] = {}
    inputs: dict[str, dict[str, Any]] = {}
    labels: dict[str, dict[str, dict[str, str]]] = {}
    regex_flags: list[str] = []

    def visit(node: Tag, owner: str | None, flags: list[str]) -> None:
        raw = node.raw
        name = node.attrs.get("name")
        to_name = node.attrs.get("toName")
        value = node.attrs.get("value") or node.attrs.get("valueList")
        here = owner
        if isinstance(name, str) and name and to_name and node.tag != "Filter":
            info: dict[str, Any] = {"type": node.tag, "to_name": list(to_name)}
            if raw.get("perRegion") == "true" or node.attrs.get("perRegion") is True:
                for attr, kind in (("whenTagName", "tag"), ("whenLabelValue", "label"), ("whenChoiceValue", "choice")):
                    v = _raw(node, attr)
                    if v:
                        info["conditionals"] = {"type": kind, "name": v}
                        break
            v = _raw(node, "value") or ""
            if ("$" in v and (is_dynamic_value(v) or v.startswith("$"))) or _raw(node, "apiUrl"):
                info["dynamic_labels"] = True
            used = [f for f in flags if f in name or any(f in t for t in to_name)]
            if used:
                info["regex"] = {f: ".*" for f in used}
            outputs[name] = info
            labels.setdefault(name, {})
            here = name
        elif isinstance(name, str) and name and isinstance(value, str) and value:
            inputs[name] = {"type": node.tag, "value": value.lstrip("$"), "valueType": _raw(node, "valueType")}
        elif node.tag in _OPTION_TAGS and owner is not None:
            actual = _raw(node, "alias") or _raw(node, "value")
            if actual:
                labels[owner][actual] = dict(raw)
        child_flags = flags
        if node.tag == "Repeater" or "indexFlag" in node.raw:
            child_flags = [*flags, str(node.get("indexFlag", "{{idx}}"))]
            regex_flags.append(child_flags[-1])
        for child in node.children:
            visit(child, here, child_flags)

    visit(config.root, None, [])
    for name, info in outputs.items():
        info["inputs"] = [inputs[t] for t in info["to_name"] if t in inputs]
        info["labels"] = list(labels.get(name, {}))
        info["labels_attrs"] = labels.get(name, {})
    config._cache["parsed"] = outputs
    return copy.deepcopy(outputs)


def _raw(node: Tag, attr: str) -> str | None:
    v = node.raw.get(attr)
    if v is None:
        low = attr.lower()
        v = next((x for k, x in node.raw.items() if k.lower() == low), None)
    return v


def _json_value(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_json_value(x) for x in v]
    return v


def _attrs(node: Tag) -> dict[str, Any]:
    spec = CATALOG.get(node.tag)
    out: dict[str, Any] = {}
    if spec is not None:
        for a in spec.attrs.values():
            if a.default is not None:
                out[a.name] = _json_value(a.default)
    for k, v in node.attrs.items():
        out[k] = _json_value(v)
    return out


def _substitute(value: Any, flag: str, idx: int) -> Any:
    if isinstance(value, str):
        return value.replace(flag, str(idx))
    if isinstance(value, list):
        return [_substitute(x, flag, idx) for x in value]
    return value


def interface_tree(config: LabelConfig, task_data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The typed tag tree as JSON, Repeater expanded for `task_data` and bindings resolved."""

    def node_json(node: Tag, subs: list[tuple[str, int]]) -> list[dict[str, Any]]:
        attrs = _attrs(node)
        for flag, idx in subs:
            attrs = {k: _substitute(v, flag, idx) for k, v in attrs.items()}
        if node.tag == "Repeater" and task_data is not None:
            items = resolve(str(attrs.get("on", "")), task_data)
            flag = str(attrs.get("indexFlag", "{{idx}}"))
            copies = []
            for i in range(len(items) if isinstance(items, list) else 0):
                kids = [k for c in node.children for k in node_json(c, [*subs, (flag, i)])]
                copies.append(
                    {
                        "tag": "RepeaterItem",
                        "kind": "visual",
                        "attrs": {"index": i},
                        "line": node.line,
                        "column": node.column,
                        "children": kids,
                    }
                )
            return [
                {
                    "tag": "Repeater",
                    "kind": "visual",
                    "attrs": attrs,
                    "line": node.line,
                    "column": node.column,
                    "expanded": True,
                    "children": copies,
                }
            ]
        out: dict[str, Any] = {
            "tag": node.tag,
            "kind": node.kind,
            "attrs": attrs,
            "line": node.line,
            "column": node.column,
        }
        name = attrs.get("name")
        if isinstance(name, str):
            out["name"] = name
        if node.text is not None:
            out["text"] = node.text
        if node.tag == "Repeater":
            out["expanded"] = False
        if node.kind == CONTROL and node.tag != "Relations" and isinstance(name, str):
            ctl = config.control_for(name)
            if ctl is not None:
                out["control"] = {
                    "result_type": ctl.result_type,
                    "value_key": ctl.value_key,
                    "to_name": list(attrs.get("toName", ctl.to_name)),
                    "labels": list(ctl.labels),
                    "choice": ctl.choice,
                    "dynamic": ctl.dynamic,
                    "per_region": ctl.per_region,
                    "per_item": ctl.per_item,
                }
                if ctl.dynamic and task_data is not None and isinstance(attrs.get("value"), str):
                    opts = resolve(attrs["value"], task_data)
                    out["control"]["options"] = opts if isinstance(opts, list) else []
        if task_data is not None:
            binding = attrs.get("valueList") if node.kind == OBJECT and "valueList" in attrs else attrs.get("value")
            if (
                isinstance(binding, str)
                and "$" in binding
                and (node.kind == OBJECT or node.tag in ("Header", "Markdown", "Dialog"))
            ):
                out["data"] = resolve(binding, task_data)
        out["children"] = [k for c in node.children for k in node_json(c, subs)]
        return [out]

    root = node_json(config.root, [])[0]
    return {
        "version": SCHEMA_VERSION,
        "hash": config.hash,
        "root": root,
        "controls": sorted(config.controls),
        "objects": sorted(config.objects),
        "data_types": dict(config.data_types),
        "relations": list(config.relation_labels) if config.relation_labels is not None else None,
        "warnings": [str(p) for p in config.warnings],
    }


_SAMPLES = {
    "Text": "Apple opened a new office in Berlin last Monday, said Tim Cook.",
    "HyperText": "<p>Apple opened a new office in <b>Berlin</b>.</p>",
    "Image": "https://example.com/images/sample.jpg",
    "Audio": "https://example.com/audio/sample.wav",
    "AudioPlus": "https://example.com/audio/sample.wav",
    "Video": "https://example.com/video/sample.mp4",
    "Pdf": "https://example.com/docs/sample.pdf",
    "Header": "Sample header",
    "Markdown": "**Sample** text",
}


def _sample_for(tag: str, node: Tag | None, many: bool) -> Any:
    if tag == "Image" and many:
        return [_SAMPLES["Image"], "https://example.com/images/sample2.jpg"]
    if tag in _SAMPLES:
        return _SAMPLES[tag]
    if tag == "Paragraphs":
        nk = str(node.get("nameKey", "author")) if node else "author"
        tk = str(node.get("textKey", "text")) if node else "text"
        return [{nk: "Alice", tk: "Hi, how can I help?"}, {nk: "Bob", tk: "My order has not arrived."}]
    if tag == "Chat":
        return [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi! How can I help?"}]
    if tag == "TimeSeries":
        if node is not None and node.get("valueType") == "json":
            cols = {str(c.get("column")): [0.1, 0.5, 0.3, 0.9] for c in node.walk() if c.tag == "Channel"}
            time_col = str(node.get("timeColumn") or "time")
            return {time_col: [0, 1, 2, 3], **cols}
        return "https://example.com/series/sample.csv"
    if tag == "Table":
        return {"Name": "Alice", "Age": 30}
    if tag in ("List", "Ranker"):
        return [{"id": "1", "title": "First", "body": "First item"}, {"id": "2", "title": "Second", "body": "Second"}]
    if tag == "Taxonomy":
        return [{"value": "Animals", "children": [{"value": "Cat"}, {"value": "Dog"}]}]
    if tag in ("Choices",) or tag.endswith("Labels"):
        return [{"value": "Option A"}, {"value": "Option B"}]
    return "sample"


def _set_path(data: dict[str, Any], key: str, value: Any) -> None:
    tokens = re.findall(r"[^.\[\]]+", key)
    if not tokens:
        return
    cur: Any = data
    for i, tok in enumerate(tokens):
        last = i == len(tokens) - 1
        nxt = None if last else tokens[i + 1]
        want_list = nxt is not None and (nxt.isdigit() or "{{" in nxt or nxt.startswith("{"))
        if isinstance(cur, list):
            items = cur
            if not items:
                items.extend([{}, {}] if not last else [value, value])
            if last:
                for j in range(len(items)):
                    items[j] = value
                return
            for j, it in enumerate(items):
                if not isinstance(it, (dict, list)):
                    items[j] = [] if want_list else {}
            rest = ".".join(tokens[i + 1 :])
            for it in items:
                if isinstance(it, dict):
                    _set_path(it, rest, value)
            return
        if last:
            cur.setdefault(tok, value)
            return
        if tok not in cur or not isinstance(cur[tok], (dict, list)):
            cur[tok] = [] if want_list else {}
        cur = cur[tok]


def sample_task(config: LabelConfig) -> dict[str, Any]:
    """The config comment's task (reference §1.8), else one generated from the bindings."""
    if config.comment_task is not None:
        return copy.deepcopy(dict(config.comment_task))
    by_key: dict[str, Tag] = {}
    for node in config.root.walk():
        for attr in ("value", "valueList"):
            v = node.attrs.get(attr)
            if isinstance(v, str) and v.startswith("$"):
                by_key.setdefault(v[1:], node)
    data: dict[str, Any] = {}
    for key, tag in config.data_types.items():
        node = by_key.get(key)
        many = node is not None and "valueList" in node.attrs
        _set_path(data, key, _sample_for(tag, node, many))
    for node in config.root.walk():
        if node.tag == "Repeater":
            on = str(node.attrs.get("on", ""))
            if on.startswith("$") and on[1:] not in data:
                _set_path(data, on[1:], [{}, {}])
    return {"data": data}
