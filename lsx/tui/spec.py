"""What the interface tree asks the terminal to show: objects, controls with their options,
and visibility rules. One walk over the tree; widgets and the annotation state read this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lsx.engine.errors import InputError

TEXT_OBJECTS = frozenset({"Text", "HyperText", "Paragraphs"})
SHOWN_OBJECTS = TEXT_OBJECTS | {"Table", "List"}
VISUAL_ONLY = frozenset({"Image", "Audio", "AudioPlus", "Video", "TimeSeries", "Pdf"})
SPAN_CONTROLS = frozenset({"Labels", "HyperTextLabels", "ParagraphLabels"})
SUPPORTED_CONTROLS = SPAN_CONTROLS | {
    "Choices", "TextArea", "Rating", "Number", "DateTime", "Taxonomy", "Pairwise", "Ranker", "Relations",
}


@dataclass(frozen=True)
class Option:
    """One pickable option: the label string stored in results, its tree path, its hotkey."""

    value: str
    path: tuple[str, ...]
    hotkey: str | None = None
    background: str | None = None
    max_usages: int | None = None
    hint: str | None = None

    @property
    def depth(self) -> int:
        return len(self.path) - 1


@dataclass(frozen=True)
class Rule:
    """A visibleWhen rule from the control itself or an enclosing View."""

    when: str
    tag_names: tuple[str, ...] = ()
    label_values: tuple[str, ...] = ()
    choice_values: tuple[str, ...] = ()


@dataclass
class ControlSpec:
    name: str
    tag: str
    to_name: tuple[str, ...]
    result_type: str
    value_key: str | None
    choice: str
    per_region: bool
    attrs: dict[str, Any]
    options: list[Option] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

    @property
    def multiple(self) -> bool:
        return self.choice == "multiple"

    @property
    def nested(self) -> bool:
        return self.tag == "Taxonomy" or bool(self.attrs.get("allowNested"))

    @property
    def output_to_name(self) -> str:
        """Pairwise results name the Pairwise tag itself as to_name (Label Studio does)."""
        return self.name if self.tag == "Pairwise" else self.to_name[0]


@dataclass
class ObjectSpec:
    name: str
    tag: str
    attrs: dict[str, Any]
    data: Any


@dataclass
class FormSpec:
    """Objects and controls of one task's interface, in document order."""

    tree: dict[str, Any]
    objects: dict[str, ObjectSpec]
    controls: dict[str, ControlSpec]
    relations: list[str] | None

    def span_controls(self, obj: str | None = None) -> list[ControlSpec]:
        return [c for c in self.controls.values() if c.tag in SPAN_CONTROLS and (obj is None or obj in c.to_name)]


def _options_from_nodes(nodes: list[dict[str, Any]], prefix: tuple[str, ...]) -> list[Option]:
    out: list[Option] = []
    for node in nodes:
        if node.get("kind") == "option":
            attrs = node["attrs"]
            value = str(attrs.get("alias") or attrs.get("value") or node.get("text") or "")
            path = (*prefix, value)
            out.append(Option(value, path, attrs.get("hotkey"), attrs.get("background"), attrs.get("maxUsages"),
                              attrs.get("hint")))
            out.extend(_options_from_nodes(node.get("children", []), path))
        elif node.get("kind") in ("visual", "html"):  # options may sit inside layout tags
            out.extend(_options_from_nodes(node.get("children", []), prefix))
    return out


def _options_from_data(items: list[Any], prefix: tuple[str, ...]) -> list[Option]:
    out: list[Option] = []
    for item in items:
        if isinstance(item, dict):
            value = str(item.get("alias") or item.get("value") or "")
            kids = item.get("children") or []
        else:
            value, kids = str(item), []
        path = (*prefix, value)
        out.append(Option(value, path, item.get("hotkey") if isinstance(item, dict) else None))
        out.extend(_options_from_data(kids, path))
    return out


def _rule(attrs: dict[str, Any]) -> Rule | None:
    when = attrs.get("visibleWhen")
    if not when:
        return None

    def tup(key: str) -> tuple[str, ...]:
        v = attrs.get(key) or ()
        return tuple(v) if isinstance(v, (list, tuple)) else (str(v),)

    return Rule(str(when), tup("whenTagName"), tup("whenLabelValue"), tup("whenChoiceValue"))


def unsupported_objects(tree: dict[str, Any]) -> list[str]:
    """Object tags the terminal cannot show (visual media)."""
    found: list[str] = []

    def visit(node: dict[str, Any]) -> None:
        if node.get("kind") == "object" and node["tag"] in VISUAL_ONLY and node["tag"] not in found:
            found.append(node["tag"])
        for child in node.get("children", []):
            visit(child)

    visit(tree["root"])
    return found


def check_terminal_config(tree: dict[str, Any]) -> None:
    """Refuse, with a message saying what to do, configs the terminal cannot label."""
    media = unsupported_objects(tree)
    if media:
        tags = ", ".join(f"<{t}>" for t in media)
        raise InputError(
            f"this project's labeling config shows {tags}, which a terminal cannot display; "
            "label it in the browser instead: run `lsx serve` and open the project there"
        )
    spec = build_spec(tree)
    if not any(o.tag in SHOWN_OBJECTS for o in spec.objects.values()):
        raise InputError(
            "this project's labeling config has no object tag the terminal can show "
            "(Text, HyperText, Paragraphs, Table or List); add one, e.g. <Text name=\"text\" value=\"$text\"/>"
        )


def build_spec(tree: dict[str, Any]) -> FormSpec:
    objects: dict[str, ObjectSpec] = {}
    controls: dict[str, ControlSpec] = {}

    def visit(node: dict[str, Any], rules: list[Rule]) -> None:
        attrs = node.get("attrs", {})
        rule = _rule(attrs) if node.get("kind") in ("visual", "control") else None
        here = [*rules, rule] if rule else rules
        kind = node.get("kind")
        name = node.get("name")
        if kind == "object" and name:
            objects[name] = ObjectSpec(name, node["tag"], attrs, node.get("data"))
        elif kind == "control" and node["tag"] == "Relations":
            pass
        elif kind == "control" and name and "control" in node:
            c = node["control"]
            if c.get("dynamic") and "options" in c:
                options = _options_from_data(c.get("options") or [], ())
            elif node["tag"] == "Pairwise":
                options = [Option("left", ("left",), attrs.get("leftHotkey")),
                           Option("right", ("right",), attrs.get("rightHotkey"))]
            else:
                options = _options_from_nodes(node.get("children", []), ())
            controls[name] = ControlSpec(
                name=name, tag=node["tag"], to_name=tuple(c["to_name"]), result_type=c["result_type"],
                value_key=c["value_key"], choice=str(c.get("choice") or "single"), per_region=bool(c["per_region"]),
                attrs=attrs, options=options, rules=list(here),
            )
            return
        for child in node.get("children", []):
            visit(child, here)

    visit(tree["root"], [])
    return FormSpec(tree, objects, controls, tree.get("relations"))
