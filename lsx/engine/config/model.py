"""The parsed config: an immutable tree of typed tags, and the object/control views of it that
every other part of lsx reads."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from lsx.engine.config.catalog import CATALOG
from lsx.engine.errors import Problem

EMPTY: Mapping[str, Any] = MappingProxyType({})
_T = TypeVar("_T")


def fast_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A constructor of the frozen dataclass `cls` (every field as argument) that skips __init__.

    A frozen dataclass sets each field through object.__setattr__, which made building the Tag and
    ControlTag objects of a large config a third of the parse. For a slots class this fills the
    slots of a plain class with the same layout and relabels the instance as `cls` (CPython allows
    that between classes with identical slots); for a dict-based class it installs the instance
    dict in one step. Either way the result is an ordinary, still frozen, `cls` instance.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_set": object.__setattr__}
    if "__slots__" in cls.__dict__:
        if tuple(cls.__slots__) != names:  # type: ignore[attr-defined]
            raise TypeError(f"{cls.__name__} must be a slots dataclass without extra slots")
        scope["_twin"] = type(f"_{cls.__name__}Slots", (), {"__slots__": names})
        # Generated like dataclasses generates __init__: one frame, one slot store per field.
        body = "".join(f"    obj.{n} = {n}\n" for n in names) + "    obj.__class__ = _cls\n"
        first = "    obj = _new(_twin)\n"
    else:
        if any("__slots__" in k.__dict__ for k in cls.__mro__[1:-1]):
            raise TypeError(f"{cls.__name__} must be a plain dataclass or a slots one")
        body = "    _set(obj, '__dict__', {" + ", ".join(f"{n!r}: {n}" for n in names) + "})\n"
        first = "    obj = _new(_cls)\n"
    src = f"def new({', '.join(names)}):\n{first}{body}    return obj\n"
    exec(src, scope)  # the source is built from the dataclass field names only
    new: Callable[..., _T] = scope["new"]
    new.__qualname__ = new.__name__ = f"new_{cls.__name__}"
    new.__doc__ = f"Build a {cls.__name__} (fast path of the frozen dataclass constructor)."
    return new


@dataclass(frozen=True, slots=True)
class Tag:
    """One element of the config: catalog name, family, typed attributes, children, position."""

    tag: str
    kind: str
    attrs: Mapping[str, Any]  # canonical attribute name -> typed value (only those written)
    raw: Mapping[str, str]  # attributes exactly as written
    text: str | None
    children: tuple[Tag, ...]
    line: int
    column: int

    def get(self, name: str, default: Any = None) -> Any:
        """Typed attribute, else the catalog default, else `default`."""
        if name in self.attrs:
            return self.attrs[name]
        spec = CATALOG.get(self.tag)
        if spec is not None:
            a = spec.attrs.get(name.lower())
            if a is not None and a.default is not None:
                return a.default
        return default

    @property
    def name(self) -> str | None:
        v = self.attrs.get("name")
        return v if isinstance(v, str) else None

    @property
    def label(self) -> str:
        """`<Choices name="x">` - how messages name this tag."""
        n = self.name
        return f'<{self.tag} name="{n}">' if n else f"<{self.tag}>"

    def walk(self) -> Any:
        """This tag and all below it, document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass(frozen=True, slots=True)
class ObjectTag:
    """A tag that shows task data (Text, Image, Audio, ...)."""

    name: str
    tag: str  # as written in the catalog (AudioPlus stays AudioPlus)
    value: str | None
    value_list: str | None
    value_type: str | None
    node: Tag
    pattern: re.Pattern[str] | None = None  # names inside a Repeater

    @property
    def base_tag(self) -> str:
        return "Audio" if self.tag == "AudioPlus" else self.tag


@dataclass(frozen=True, slots=True)
class ControlTag:
    """A tag that produces results: what it labels, what it emits, which options it offers."""

    name: str
    tag: str
    to_name: tuple[str, ...]
    node: Tag
    result_type: str
    value_key: str | None
    labels: tuple[str, ...]  # option strings (alias, else value)
    label_values: Mapping[str, str]  # any accepted spelling (value or alias) -> label string
    label_attrs: Mapping[str, Mapping[str, str]]
    dynamic: bool
    choice: str
    per_region: bool
    per_item: bool
    max_usages: Mapping[str, int]  # label -> max uses per result
    paths: frozenset[tuple[str, ...]] = frozenset()  # nested Choice paths (Taxonomy / allowNested)
    leaves: frozenset[tuple[str, ...]] = frozenset()
    pattern: re.Pattern[str] | None = None

    @property
    def nested(self) -> bool:
        return self.tag == "Taxonomy" or bool(self.node.get("allowNested", False))


@dataclass(frozen=True, eq=False)
class LabelConfig:
    """A parsed, validated labeling config. Immutable; cached by hash."""

    xml: str
    root: Tag
    controls: Mapping[str, ControlTag]
    objects: Mapping[str, ObjectTag]
    data_types: Mapping[str, str]
    first_data_key: str | None
    warnings: tuple[Problem, ...]
    hash: str
    source: str = "config.xml"
    strict: bool = False
    comment_task: Mapping[str, Any] | None = None
    relation_labels: tuple[str, ...] | None = None  # None: no <Relations> tag
    buckets: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: EMPTY)  # Ranker name -> bucket names
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def parsed_label_config(self) -> dict[str, Any]:
        """Label Studio's `parsed_label_config` shape (controls keyed by name)."""
        from lsx.engine.config.describe import parsed_label_config

        return parsed_label_config(self)

    def interface_tree(self, task_data: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON tree the TUI and web UI render (Repeater expanded for `task_data`)."""
        from lsx.engine.config.describe import interface_tree

        return interface_tree(self, task_data)

    def export_formats(self) -> list[dict[str, Any]]:
        """Export formats, with `disabled` set where the config does not fit."""
        from lsx.engine.config.formats import export_formats

        return export_formats(self)

    def sample_task(self) -> dict[str, Any]:
        """Example task: the config comment's task, else one generated from the bindings."""
        from lsx.engine.config.describe import sample_task

        return sample_task(self)

    def control_for(self, from_name: str) -> ControlTag | None:
        """Control by name, including names expanded by a Repeater."""
        ctl = self.controls.get(from_name)
        if ctl is not None:
            return ctl
        for c in self.controls.values():
            if c.pattern is not None and c.pattern.fullmatch(from_name):
                return c
        return None

    def object_for(self, name: str) -> ObjectTag | None:
        obj = self.objects.get(name)
        if obj is not None:
            return obj
        for o in self.objects.values():
            if o.pattern is not None and o.pattern.fullmatch(name):
                return o
        return None


# Fast constructors for the parser and validation (see fast_constructor).
new_tag = fast_constructor(Tag)
new_object_tag = fast_constructor(ObjectTag)
new_control_tag = fast_constructor(ControlTag)
new_label_config = fast_constructor(LabelConfig)
