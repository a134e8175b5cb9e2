"""Config-level rules (issue 3, Build 2): root, names, toName targets, bindings, options,
conditionals, option placement, perRegion/perItem, hotkeys. Builds the control/object views."""

from __future__ import annotations

import re
from collections import Counter
from types import MappingProxyType
from typing import Any

from lsx.engine.config.attributes import is_dynamic_value, is_whole_variable, variables
from lsx.engine.config.catalog import (
    CATALOG,
    CONTROL,
    HTML,
    OBJECT,
    OPTION,
    VISUAL,
    targets_of,
)
from lsx.engine.config.model import ControlTag, ObjectTag, Tag, new_control_tag, new_object_tag
from lsx.engine.config.problems import on_tag
from lsx.engine.errors import Problem

_VAR_TOKEN = re.compile(r"\$\w+")
_LAYOUT = frozenset({VISUAL, HTML})


class Built:
    """What validation derives from the tree."""

    def __init__(self) -> None:
        self.controls: dict[str, ControlTag] = {}
        self.objects: dict[str, ObjectTag] = {}
        self.data_types: dict[str, str] = {}
        self.relation_labels: tuple[str, ...] | None = None
        self.buckets: dict[str, tuple[str, ...]] = {}
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []


# Per catalog tag, computed once: required attribute names, and object tags a control can label.
_REQUIRED: dict[str, tuple[str, ...]] = {
    name: tuple(a.name for a in spec.attrs.values() if a.required) for name, spec in CATALOG.items()
}
_TARGETS: dict[str, frozenset[str]] = {name: targets_of(spec) for name, spec in CATALOG.items()}
# Catalog defaults by tag and canonical attribute name (what Tag.get falls back to).
_DEFAULTS: dict[str, dict[str, Any]] = {
    name: {a.name: a.default for a in spec.attrs.values() if a.default is not None} for name, spec in CATALOG.items()
}
_NO_PATHS: frozenset[tuple[str, ...]] = frozenset()
# Per control tag: its option tags that may sit directly inside it (the option check passes them).
_PLACED: dict[str, frozenset[str]] = {
    name: frozenset(o for o in spec.options if o in CATALOG and name in CATALOG[o].parents)
    for name, spec in CATALOG.items()
}
_UNSET: Any = object()
# Attributes read by the conditional pass; a tag without any of them has nothing to check there.
_CONDITIONAL = frozenset({"whenTagName", "whenLabelValue", "whenChoiceValue", "visibleWhen"})


def option_text(node: Tag) -> str | None:
    """The label string of an option: alias, else value, else its text."""
    attrs = node.attrs
    v = attrs.get("alias")
    if isinstance(v, str) and v != "":
        return v
    v = attrs.get("value")
    if isinstance(v, str) and v != "":
        return v
    return node.text.strip() if node.text else None


def _repeat_pattern(name: str, flags: list[str]) -> re.Pattern[str] | None:
    """Regex matching a Repeater-expanded name (`q_{{idx}}` matches `q_0`)."""
    if not flags or not any(f in name for f in flags):
        return None
    pattern = re.escape(name)
    for f in flags:
        pattern = pattern.replace(re.escape(f), ".*")
    return re.compile(pattern)


def validate_tree(root: Tag, source: str) -> Built:
    """Check every rule over the tree; return controls, objects, data types and problems.

    Pass 1 walks every tag once and sorts out, in document order, the few tags each later pass
    looks at, so those passes do not visit the (mostly option and layout) rest.
    """
    b = Built()
    err = b.errors
    warn = b.warnings

    if root.tag != "View":
        err.append(on_tag(source, root, "the root tag must be <View>"))

    # Pass 1: collect named tags, parents, repeater flags.
    named: dict[str, Tag] = {}
    parents: dict[int, Tag | None] = {id(root): None}
    flags_of: dict[int, list[str]] = {}  # only tags inside a Repeater (others have no flags)
    objects: list[Tag] = []  # pass 2
    checked: list[Tag] = []  # pass 3: options, controls, hotkeys, Filter, Repeater
    conditional: list[Tag] = []  # pass 4
    bound: list[Tag] = []  # data types: named tags with a value or valueList
    stack: list[Tag] = [root]
    while stack:
        node = stack.pop()
        tag = node.tag
        kind = node.kind
        attrs = node.attrs
        children = node.children
        if children:
            child_flags = flags_of.get(id(node))
            if tag == "Repeater":
                child_flags = [*(child_flags or ()), str(node.get("indexFlag", "{{idx}}"))]
            for child in reversed(children):
                parents[id(child)] = node
                if child_flags:
                    flags_of[id(child)] = child_flags
                stack.append(child)
        if kind == OBJECT:
            objects.append(node)
        if kind in (OPTION, CONTROL) or "hotkey" in attrs or tag == "Filter" or tag == "Repeater":
            checked.append(node)
        if kind in (CONTROL, VISUAL) and not _CONDITIONAL.isdisjoint(attrs):
            conditional.append(node)
        name = attrs.get("name")
        if not isinstance(name, str):
            name = None
        elif "value" in attrs or "valueList" in attrs:
            bound.append(node)
        required = _REQUIRED.get(tag)
        if required is None:  # not a catalog tag
            continue
        for a in required:
            if a not in attrs:
                err.append(on_tag(source, node, f'missing required attribute "{a}"', field=a))
        if name is not None and tag != "Bucket":
            if name in named:
                first = named[name]
                err.append(
                    on_tag(
                        source,
                        node,
                        f'name "{name}" is already used by {first.label} at line {first.line}',
                        field="name",
                    )
                )
            else:
                named[name] = node

    parent_of = parents.get

    def ancestor_control(node: Tag) -> Tag | None:
        p = parent_of(id(node))
        while p is not None and (p.kind in _LAYOUT or p.tag == "Choice"):
            p = parent_of(id(p))
        return p

    # Pass 2: objects.
    for node in objects:
        name = node.name
        value = node.attrs.get("value")
        value_list = node.attrs.get("valueList")
        if value is not None and value_list is not None:
            err.append(on_tag(source, node, 'use either "value" or "valueList", not both', field="valueList"))
        if value is None and value_list is None:
            err.append(on_tag(source, node, 'needs "value" (a $variable of the task data)', field="value"))
        if value_list is not None and not is_whole_variable(str(value_list)):
            err.append(on_tag(source, node, f'valueList="{value_list}" must be one $variable', field="valueList"))
        if node.tag in ("Audio", "AudioPlus", "Video", "TimeSeries", "Paragraphs", "List", "Table", "Chat") and (
            isinstance(value, str)
            and "$" not in value
            and node.get("valueType") != "url"
            and node.tag in ("Paragraphs", "List", "Table", "Chat", "TimeSeries")
        ):
            warn.append(on_tag(source, node, f'value="{value}" is not bound to task data ($variable)', field="value"))
        if name is None:
            continue
        pattern = _repeat_pattern(name, flags_of.get(id(node), []))
        b.objects[name] = new_object_tag(
            name=name,
            tag=node.tag,
            value=value if isinstance(value, str) else None,
            value_list=value_list if isinstance(value_list, str) else None,
            value_type=node.attrs.get("valueType"),
            node=node,
            pattern=pattern,
        )

    # Pass 3: controls.
    all_labels: dict[str, set[str]] = {}  # control name -> labels (for conditionals)
    choice_values: set[str] = set()
    label_values: set[str] = set()
    hotkeys: dict[str, Tag] = {}
    texts: dict[int, str | None] = {}  # option_text of each option tag, by id
    # Options their control found directly inside it, in place, with a text and no hotkey: the
    # option check below would find nothing, so it skips them.
    settled: set[int] = set()
    for node in checked:
        if id(node) in settled:
            continue
        hk = node.attrs.get("hotkey")
        if isinstance(hk, str) and hk.strip():
            key = hk.strip().lower()
            if key in hotkeys:
                warn.append(
                    on_tag(
                        source,
                        node,
                        f'hotkey "{hk}" is also used by {hotkeys[key].label} at line {hotkeys[key].line}',
                        field="hotkey",
                    )
                )
            else:
                hotkeys[key] = node
        if node.kind == OPTION:
            spec = CATALOG[node.tag]
            parent = direct = parent_of(id(node))
            holder = direct
            if holder is not None and (holder.kind in _LAYOUT or holder.tag == "Choice"):
                holder = ancestor_control(holder)
            ok = holder is not None and holder.tag in spec.parents
            up = direct
            while not ok and up is not None:
                if up.tag in spec.parents:
                    ok = True
                elif up.kind in _LAYOUT:
                    up = parent_of(id(up))
                    continue
                break
            if node.tag == "Choice" and direct is not None and direct.tag == "Choice":
                top = holder
                if top is not None and top.tag == "Choices" and not top.get("allowNested", False):
                    err.append(
                        on_tag(source, node, f'<Choice> nested in <Choice> needs allowNested="true" on {top.label}')
                    )
            if node.tag == "Channel" and holder is not None and holder.tag == "MultiChannel":
                ok = True
            if not ok:
                where = holder.label if holder is not None else (parent.label if parent else "the root")
                err.append(
                    on_tag(
                        source,
                        node,
                        f"<{node.tag}> must be inside {' or '.join('<' + p + '>' for p in spec.parents)}, not {where}",
                    )
                )
            if node.tag in ("Label", "Choice"):
                text = texts.get(id(node), _UNSET)  # set by the control that holds it
                if text is _UNSET:
                    text = option_text(node)
            else:
                text = ""
            if text is None:
                err.append(on_tag(source, node, f'<{node.tag}> needs a "value"', field="value"))
            continue
        if node.kind != CONTROL:
            if node.tag == "Filter" and "toName" in node.attrs:
                for t in node.attrs["toName"]:
                    if t not in named:
                        err.append(on_tag(source, node, f'toName "{t}" is not a tag', field="toName"))
            if node.tag == "Repeater":
                on = str(node.attrs.get("on", ""))
                if on and not is_whole_variable(on):
                    err.append(
                        on_tag(source, node, f'on="{on}" must be one $variable (a list in the task)', field="on")
                    )
                if not node.children:
                    warn.append(on_tag(source, node, "<Repeater> has nothing to repeat"))
            continue
        spec = CATALOG[node.tag]
        tag = node.tag
        attrs = node.attrs
        name = attrs.get("name")
        if not isinstance(name, str):
            name = None
        if tag == "Relations":
            labels = tuple(t for t in (option_text(o) for o in node.walk() if o.tag == "Relation") if t)
            b.relation_labels = (b.relation_labels or ()) + labels
            continue
        to_names: tuple[str, ...] = node.attrs.get("toName", ())
        allowed = _TARGETS[node.tag]
        for t in to_names:
            target = named.get(t)
            if target is None:
                err.append(on_tag(source, node, f'toName "{t}" is not a tag', field="toName"))
            elif target.kind != OBJECT:
                err.append(on_tag(source, node, f'toName "{t}" is {target.label}, not an object tag', field="toName"))
            elif target.tag not in allowed:
                kinds = ", ".join(sorted(x for x in allowed if x != "AudioPlus"))
                err.append(
                    on_tag(
                        source, node, f'toName "{t}" is <{target.tag}>; <{node.tag}> can label {kinds}', field="toName"
                    )
                )
        if node.tag == "Pairwise" and len(to_names) != 2:
            err.append(on_tag(source, node, f"toName must name two objects (got {len(to_names)})", field="toName"))
        defaults = _DEFAULTS[tag]  # node.get without the per-call catalog lookups
        per_region = bool(attrs["perRegion"] if "perRegion" in attrs else defaults.get("perRegion", False))
        per_item = bool(attrs["perItem"] if "perItem" in attrs else defaults.get("perItem", False))
        if per_region and per_item:
            err.append(on_tag(source, node, 'perRegion and perItem cannot both be "true"', field="perItem"))
        if node.tag == "Rating" and isinstance(node.attrs.get("maxRating"), int) and node.attrs["maxRating"] < 1:
            err.append(on_tag(source, node, "maxRating must be at least 1", field="maxRating"))
        if node.tag == "Number":
            lo, hi = node.attrs.get("min"), node.attrs.get("max")
            if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
                err.append(on_tag(source, node, f"min {lo} is greater than max {hi}", field="min"))
        if node.tag == "DateTime":
            bad = [x for x in node.attrs.get("only", ()) if x not in ("date", "time", "month", "year")]
            if bad:
                err.append(
                    on_tag(source, node, f'only="{",".join(bad)}": allowed are date, time, month, year', field="only")
                )
        value_attr = attrs.get("value") if tag != "TextArea" else None
        dynamic = (isinstance(value_attr, str) and is_dynamic_value(value_attr)) or bool(attrs.get("apiUrl"))
        if isinstance(value_attr, str) and "$" in value_attr and not dynamic:
            err.append(
                on_tag(source, node, f'value="{value_attr}" must be one $variable holding the options', field="value")
            )
        options = _options_of(node, spec.options, parent_of) if node.children else []
        labels: list[str] = []
        label_map: dict[str, str] = {}
        label_attrs: dict[str, Any] = {}
        max_usages: dict[str, int] = {}
        default_max = node.attrs.get("maxUsages")
        placed = _PLACED[tag]
        for o in options:
            o_attrs = o.attrs
            v = o_attrs.get("value")
            alias = o_attrs.get("alias")  # option_text, inlined
            if isinstance(alias, str) and alias != "":
                text = alias
            elif isinstance(v, str) and v != "":
                text = v
            else:
                text = o.text.strip() if o.text else None
            texts[id(o)] = text
            if (
                o.tag in placed
                and (text is not None or o.tag not in ("Label", "Choice"))
                and "hotkey" not in o_attrs
                and parent_of(id(o)) is node
            ):
                settled.add(id(o))
            if text is None or o.tag in ("Shortcut", "Bucket"):
                continue
            if text in label_map and label_map[text] == text:
                warn.append(on_tag(source, o, f'option "{text}" is listed twice in {node.label}', field="value"))
            labels.append(text)
            label_map[text] = text
            if isinstance(v, str) and v:
                label_map.setdefault(v, text)
            raw = o.raw  # parsed tags hold a read-only view of a dict nobody else has
            label_attrs[text] = raw if type(raw) is MappingProxyType else MappingProxyType(dict(raw))
            mu = o_attrs.get("maxUsages", default_max)
            if isinstance(mu, int) and mu > 0:
                max_usages[text] = mu
        if spec.needs_options and not labels and not dynamic:
            err.append(
                on_tag(
                    source, node, f'<{node.tag}> has no options: add <{spec.options[0]}> tags or a dynamic value="$var"'
                )
            )
        paths: set[tuple[str, ...]] = set()
        leaves: set[tuple[str, ...]] = set()
        if tag in ("Taxonomy", "Choices"):
            _collect_paths(node, (), paths, leaves, texts)
        if node.tag == "Ranker":
            buckets = tuple(str(o.attrs.get("name")) for o in options if o.tag == "Bucket" and o.attrs.get("name"))
            if name:
                b.buckets[name] = buckets
        if node.tag == "VideoRectangle":
            has_labels = any(o.tag == "Labels" and set(o.attrs.get("toName", ())) & set(to_names) for o in root.walk())
            if not has_labels:
                warn.append(
                    on_tag(
                        source,
                        node,
                        "<VideoRectangle> takes its labels from a <Labels> with the same toName; none found",
                    )
                )
        if name is None:
            continue
        all_labels[name] = set(labels)
        if node.tag in ("Choices", "Taxonomy"):
            choice_values.update(label_map)
        else:
            label_values.update(label_map)
        choice = attrs["choice"] if "choice" in attrs else defaults.get("choice", "single")
        flags = flags_of.get(id(node))
        b.controls[name] = new_control_tag(
            name=name,
            tag=node.tag,
            to_name=tuple(to_names),
            node=node,
            result_type=spec.result_type or node.tag.lower(),
            value_key=spec.value_key,
            labels=tuple(labels),
            label_values=MappingProxyType(label_map),
            label_attrs=MappingProxyType(label_attrs),
            dynamic=dynamic,
            choice="multiple" if node.tag == "Taxonomy" else str(choice),
            per_region=per_region,
            per_item=per_item,
            max_usages=MappingProxyType(max_usages),
            paths=frozenset(paths) if paths else _NO_PATHS,
            leaves=frozenset(leaves) if leaves else _NO_PATHS,
            pattern=_repeat_pattern(name, flags) if flags else None,
        )

    # Pass 4: conditionals point at real tags and labels.
    for node in conditional:
        when_tag = node.attrs.get("whenTagName") if node.kind in (CONTROL, VISUAL) else None
        if when_tag:
            for t in when_tag:
                if t not in named:
                    err.append(on_tag(source, node, f'whenTagName "{t}" is not a tag', field="whenTagName"))
        scope: set[str] | None = None
        if when_tag:
            scope = set().union(*(all_labels.get(t, set()) for t in when_tag))
            dyn = any(b.controls[t].dynamic for t in when_tag if t in b.controls)
            if dyn:
                scope = None
        for attr, pool in (("whenLabelValue", label_values), ("whenChoiceValue", choice_values)):
            vals = node.attrs.get(attr) if node.kind in (CONTROL, VISUAL) else None
            if not vals:
                continue
            if any(c.dynamic for c in b.controls.values()):
                continue
            for v in vals:
                if v not in (scope if scope is not None else pool) and v not in pool:
                    err.append(
                        on_tag(
                            source,
                            node,
                            f'{attr} "{v}" is not an option of any '
                            f"{'label' if attr == 'whenLabelValue' else 'choice'} tag",
                            field=attr,
                        )
                    )
        vw = node.attrs.get("visibleWhen") if node.kind in (CONTROL, VISUAL) else None
        if vw in ("choice-selected", "choice-unselected") and not (
            node.attrs.get("whenTagName") or node.attrs.get("whenChoiceValue")
        ):
            warn.append(
                on_tag(source, node, f'visibleWhen="{vw}" without whenTagName or whenChoiceValue', field="visibleWhen")
            )

    # Data types (extract_data_types semantics): tags with a name and a $-bound value.
    for node in bound:
        for key in ("value", "valueList"):
            v = node.attrs.get(key)
            if not isinstance(v, str) or len(v) < 2:
                continue
            if v.startswith("$"):
                var = v[1:]
            else:
                m = _VAR_TOKEN.search(v)
                if m is None:
                    continue
                var = m.group(0)[1:]
            if not var:
                continue
            if b.data_types.get(var) != "Video":
                b.data_types[var] = node.tag
            break
    _check_bindings(b, source)
    return b


def _options_of(node: Tag, tags: tuple[str, ...], parent_of: Any) -> list[Tag]:
    """Option tags (of `tags`) below `node` whose nearest control-like ancestor is `node`.

    That ancestor skips layout tags and Choice (nested choices belong to the outer control).
    """
    out: list[Tag] = []
    for child in node.children:  # direct children: `node` is their parent, no climb needed
        if child.tag in tags:
            out.append(child)
        if child.children:
            _options_below(node, child, tags, parent_of, out)
    return out


def _options_below(node: Tag, top: Tag, tags: tuple[str, ...], parent_of: Any, out: list[Tag]) -> None:
    """`_options_of` for the subtree below `top` (document order)."""
    stack = list(reversed(top.children))
    while stack:
        o = stack.pop()
        if o.tag in tags:
            p = parent_of(id(o))
            while p is not None and p is not node and (p.kind in _LAYOUT or p.tag == "Choice"):
                p = parent_of(id(p))
            if p is node:
                out.append(o)
        if o.children:
            stack.extend(reversed(o.children))


def _collect_paths(
    node: Tag,
    prefix: tuple[str, ...],
    paths: set[tuple[str, ...]],
    leaves: set[tuple[str, ...]],
    texts: dict[int, str | None] | None = None,
) -> None:
    """All paths of a nested Choice tree (layout tags in between are transparent).

    `texts`: option texts already computed, by id of the tag.
    """
    for child in node.children:
        if child.tag == "Choice":
            text = texts.get(id(child), _UNSET) if texts is not None else _UNSET
            if text is _UNSET:
                text = option_text(child)
            if text is None:
                continue
            path = (*prefix, text)
            v = child.attrs.get("value")
            alt = (*prefix, v) if isinstance(v, str) and v != text else None  # the value, when an alias names it
            paths.add(path)
            if alt is not None:
                paths.add(alt)
            if child.children:
                before = len(paths)
                _collect_paths(child, path, paths, leaves, texts)
                if len(paths) != before:
                    continue
            leaves.add(path)
            if alt is not None:
                leaves.add(alt)
        elif child.kind in _LAYOUT:
            _collect_paths(child, prefix, paths, leaves, texts)


_BIND_SYNTAX = re.compile(r"^[A-Za-z_][\w]*(\.[\w{}]+|\[[\w{}]+\])*$")


def _check_bindings(b: Built, source: str) -> None:
    """`$var` paths must be well formed (dots, [index], {{idx}})."""
    for obj in b.objects.values():
        for key in ("value", "valueList"):
            raw = getattr(obj, "value" if key == "value" else "value_list")
            if not raw or "$" not in raw:
                continue
            for var in variables(raw):
                var = var.rstrip(".")
                if not _BIND_SYNTAX.match(var):
                    b.errors.append(on_tag(source, obj.node, f'"${var}" is not a valid data path', field=key))


def count_names(root: Tag) -> Counter[str]:
    """How often each tag name occurs (used by describe/show)."""
    return Counter(n.tag for n in root.walk())
