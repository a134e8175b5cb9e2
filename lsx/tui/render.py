"""Interface tree -> widgets, in document order: the one renderer of a config in the terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from lsx.tui.spec import FormSpec, Rule, _rule
from lsx.tui.textdoc import TextDoc, hypertext_doc, paragraphs_doc, text_doc
from lsx.tui.widgets import objects
from lsx.tui.widgets.controls import (
    ControlWidget,
    Form,
    InputField,
    OptionsView,
    RankerField,
    RatingField,
    TaxonomyField,
    TextAreaField,
)
from lsx.tui.widgets.spantext import Mark, SpanText

_SKIP = frozenset({"Style", "Filter", "Relations", "Relation", "Collapse", "Dialog", "Shortcut"})


@dataclass
class Rendered:
    widgets: list[Widget] = field(default_factory=list)
    texts: dict[str, SpanText] = field(default_factory=dict)  # object name -> text widget
    docs: dict[str, TextDoc] = field(default_factory=dict)
    controls: dict[str, ControlWidget] = field(default_factory=dict)
    ruled: list[tuple[Widget, list[Rule]]] = field(default_factory=list)  # Views with visibleWhen


def doc_for(node: dict[str, Any]) -> TextDoc:
    name, tag, data = node["name"], node["tag"], node.get("data")
    if tag == "Paragraphs":
        a = node["attrs"]
        return paragraphs_doc(name, data, str(a.get("nameKey") or "author"), str(a.get("textKey") or "text"))
    if tag == "HyperText":
        return hypertext_doc(name, data)
    return text_doc(name, data)


_TEXT_TAGS = frozenset({"Text", "HyperText", "Paragraphs"})


def shape(tree: dict[str, Any]) -> tuple[Any, ...] | None:
    """What the widgets depend on besides the text objects' data; None when other tags carry
    task data (tables, lists, dynamic options, repeaters), which always rebuild."""
    out: list[Any] = [tree.get("hash")]
    stack = [tree["root"]]
    while stack:
        node = stack.pop()
        if node["tag"] == "Repeater" or ("data" in node and node["tag"] not in _TEXT_TAGS):
            return None
        if "options" in node.get("control", {}):
            return None
        out.append((node["tag"], node.get("name")))
        stack.extend(node.get("children", ()))
    return tuple(out)


def object_node(spec: FormSpec, name: str) -> dict[str, Any]:
    o = spec.objects[name]
    return {"name": o.name, "tag": o.tag, "attrs": o.attrs, "data": o.data}


def render_form(spec: FormSpec, form: Form, marks: Callable[[str], Callable[[], list[Mark]]]) -> Rendered:
    out = Rendered()
    ranker_lists = {c.to_name[0] for c in spec.controls.values() if c.tag == "Ranker"}

    def node_widgets(node: dict[str, Any]) -> list[Widget]:
        tag, kind = node["tag"], node.get("kind")
        if tag in _SKIP:
            return []
        if kind == "object":
            name = node.get("name", "")
            if tag in ("Text", "HyperText", "Paragraphs"):
                doc = doc_for(node)
                w = SpanText(doc, str(node["attrs"].get("granularity") or "symbol"), marks=marks(name),
                             id=f"obj-{name}")
                out.texts[name], out.docs[name] = w, doc
                return [w]
            if tag == "Table":
                return [objects.table(node)]
            if tag == "List":
                return [] if name in ranker_lists else [objects.list_items(node)]
            return [Static(f"<{tag}> is not shown in the terminal")]
        if kind == "control":
            ctl = spec.controls.get(node.get("name", ""))
            if ctl is None:
                return []
            cw: ControlWidget
            if ctl.tag in ("Choices", "Pairwise") or ctl.tag.endswith("Labels"):
                cw = OptionsView(ctl, form)
            elif ctl.tag == "TextArea":
                cw = TextAreaField(ctl, form)
            elif ctl.tag == "Rating":
                cw = RatingField(ctl, form)
            elif ctl.tag in ("Number", "DateTime"):
                cw = InputField(ctl, form)
            elif ctl.tag == "Taxonomy":
                cw = TaxonomyField(ctl, form)
            elif ctl.tag == "Ranker":
                items = spec.objects[ctl.to_name[0]].data if ctl.to_name[0] in spec.objects else []
                buckets = [str(b.get("attrs", {}).get("name") or "") for b in node.get("children", [])
                           if b.get("tag") == "Bucket"]
                cw = RankerField(ctl, form, items if isinstance(items, list) else [], [b for b in buckets if b])
            else:
                return [Static(f"<{ctl.tag} name=\"{ctl.name}\"> is not available in the terminal")]
            out.controls[ctl.name] = cw
            return [cw]  # type: ignore[list-item]
        if tag == "Header":
            return [objects.header(node)]
        if tag == "Markdown":
            return [objects.markdown(node)]
        kids = [w for c in node.get("children", []) for w in node_widgets(c)]
        if kind == "html" and node.get("text", "").strip():
            kids.insert(0, Static(node["text"].strip()))
        rule = _rule(node.get("attrs", {})) if tag == "View" else None
        if rule is not None:
            box = Vertical(*kids, classes="ruled")
            out.ruled.append((box, [rule]))
            return [box]
        return kids

    out.widgets = node_widgets(spec.tree["root"])
    return out
