"""Attribute types of the tag catalog: one small spec per attribute, and the coercion that turns
the XML string into a typed value (or says why it cannot)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# How bad a wrong value is: enums and numbers change behaviour (error); a loose bool or colour
# is what Label Studio lets through (warning, an error under strict).
ERROR = "error"
WARNING = "warning"

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_COLOUR = re.compile(
    r"^(#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|[a-zA-Z]+|"
    r"(rgb|rgba|hsl|hsla)\(\s*[-\d.%\s,/deg]+\))$"
)
_VAR = re.compile(r"\$[\w\[\].{}]+")
_INT = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True, slots=True)
class AttrSpec:
    """One attribute of one tag: canonical name, type, default, enum values, required."""

    name: str
    kind: str  # str bool int float num enum colour hotkey var list names css numvar
    default: object = None
    values: tuple[str, ...] = ()
    required: bool = False

    def coerce(self, raw: str) -> tuple[object, str | None, str]:
        """Return (typed value, problem or None, severity)."""
        kind = self.kind
        if kind in ("str", "css", "var", "hotkey"):
            return raw, None, ERROR
        if kind in ("list", "names"):  # toName is the most frequent typed attribute
            if "," not in raw:  # one name, the common case
                one = raw.strip()
                return ((one,) if one else ()), None, ERROR
            return tuple(p.strip() for p in raw.split(",") if p.strip()), None, ERROR
        if kind == "bool":
            low = raw.strip().lower()
            if low in _TRUE:
                return True, None, ERROR
            if low in _FALSE:
                return False, None, ERROR
            return False, f'{self.name}="{raw}" is not a boolean (true or false)', WARNING
        if kind == "enum":
            low = raw.strip().lower()
            for v in self.values:
                if v.lower() == low:
                    return v, None, ERROR
            allowed = ", ".join(self.values)
            return raw, f'{self.name}="{raw}" is not one of: {allowed}', ERROR
        if kind in ("int", "float", "num", "numvar"):
            text = raw.strip()
            if kind == "numvar" and text.startswith("$"):
                return text, None, ERROR
            if kind == "int" and _INT.match(text):
                return int(text), None, ERROR
            try:
                number = float(text)
            except ValueError:
                what = "an integer" if kind == "int" else "a number"
                return raw, f'{self.name}="{raw}" is not {what}', ERROR
            if number != number or number in (float("inf"), float("-inf")):
                return raw, f'{self.name}="{raw}" is not a finite number', ERROR
            if kind == "int":
                if number.is_integer():
                    return int(number), None, ERROR
                return raw, f'{self.name}="{raw}" is not an integer', ERROR
            return (int(number) if number.is_integer() and kind != "float" else number), None, ERROR
        if kind == "colour":
            if _COLOUR.match(raw.strip()):
                return raw.strip(), None, ERROR
            return raw, f'{self.name}="{raw}" is not a colour', WARNING
        return raw, None, ERROR


def variables(text: str) -> list[str]:
    """`$var` tokens of an attribute value, without the `$` (dot and index paths kept)."""
    return [m.group(0)[1:] for m in _VAR.finditer(text)]


def is_whole_variable(text: str) -> bool:
    """True when the value is exactly one `$var` (the raw structure is bound, not a string)."""
    m = _VAR.fullmatch(text.strip())
    return m is not None


_DYNAMIC = re.compile(r"^\$[A-Za-z_]+$")


def is_dynamic_value(text: str | None) -> bool:
    """Label Studio's rule for dynamic options: value is exactly `$identifier`."""
    return bool(text) and _DYNAMIC.match(text) is not None  # type: ignore[arg-type]


def parse_specs(text: str) -> dict[str, AttrSpec]:
    """Read the compact catalog notation `name:kind(values)=default!` into specs keyed lower-case."""
    specs: dict[str, AttrSpec] = {}
    for token in text.split():
        required = token.endswith("!")
        if required:
            token = token[:-1]
        default: object = None
        if "=" in token:
            token, default = token.split("=", 1)
        name, _, kind = token.partition(":")
        kind = kind or "str"
        values: tuple[str, ...] = ()
        if kind.startswith("enum("):
            values = tuple(kind[5:-1].split("|"))
            kind = "enum"
        spec = AttrSpec(name=name, kind=kind, values=values, required=required)
        if default is not None:
            typed, _, _ = spec.coerce(str(default))
            spec = AttrSpec(name=name, kind=kind, default=typed, values=values, required=required)
        specs[name.lower()] = spec
    return specs
