"""Hardened XML parsing of a labeling config into the typed tag tree.

Security: any DOCTYPE is refused before lxml sees the text (so no DTD, no internal or external
entity, no billion laughs); lxml runs with entity resolution, DTD loading and network off; the
size is capped before parsing and the depth while building the tree.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from types import MappingProxyType
from typing import Any

from lxml import etree

from lsx.engine.config.attributes import WARNING, AttrSpec
from lsx.engine.config.catalog import CATALOG, HTML, HTML_TAGS
from lsx.engine.config.model import Tag, new_tag
from lsx.engine.config.problems import at
from lsx.engine.errors import Problem

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 100
DOCUMENT = "<document>"

# Start tags, comments, CDATA, PIs and declarations, in source order. `<` cannot appear raw
# inside attribute values or text, so every element's start tag is found exactly once.
_SCAN = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)|<!([A-Za-z]+)|<([A-Za-z_][\w.:-]*)", re.S
)
_START = re.compile(r"<[A-Za-z_]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_LOWER_CATALOG = {name.lower(): name for name in CATALOG}


_local = threading.local()


def _parser() -> etree.XMLParser:
    """The hardened parser of this thread (lxml parsers may be reused, not shared across threads;
    making one per parse cost as much as parsing a small config)."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


class Positions:
    """Line/column of each element start tag, by document order; offsets to line:column."""

    def __init__(self, text: str, starts: list[int]) -> None:
        self.text = text
        self.starts = starts
        self._lines: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = [m.end() for m in re.finditer("\n", self.text)]
        i = bisect.bisect_right(self._lines, offset)
        line_start = self._lines[i - 1] if i else 0
        return i + 1, offset - line_start + 1

    def all_line_cols(self) -> list[tuple[int, int]]:
        """`line_col` of every start, in one forward sweep (the builder needs them all)."""
        text = self.text
        count = text.count
        rfind = text.rfind
        out: list[tuple[int, int]] = []
        line, last_nl, prev = 1, -1, 0
        for start in self.starts:
            k = count("\n", prev, start)
            if k:
                line += k
                last_nl = rfind("\n", prev, start)
            out.append((line, start - last_nl))
            prev = start
        return out


def scan(text: str, source: str) -> tuple[Positions, list[Problem]]:
    """Find element positions and refuse declarations (DOCTYPE, ENTITY) before parsing."""
    if "<!" not in text and "<?" not in text:
        # No comment, CDATA, PI or declaration: every `<` + name char is a start tag.
        return Positions(text, [m.start() for m in _START.finditer(text)]), []
    starts: list[int] = []
    pos = Positions(text, starts)
    for m in _SCAN.finditer(text):
        if m.group(2) is not None:
            starts.append(m.start())
        elif m.group(1) is not None:
            decl = m.group(1).upper()
            line, col = pos.line_col(m.start())
            what = "a DOCTYPE" if decl == "DOCTYPE" else f"a <!{m.group(1)}> declaration"
            return pos, [at(source, line, col, DOCUMENT, f"{what} is not allowed (no DTDs or entities in configs)")]
    return pos, []


def canonical_tag(name: str) -> tuple[str, str | None]:
    """Catalog name and family of a written tag name; (name, None) when unknown."""
    spec = CATALOG.get(name)
    if spec is not None:
        return name, spec.kind
    if name in HTML_TAGS:
        return name, HTML
    canon = _LOWER_CATALOG.get(name.lower())
    if canon is not None:
        return canon, CATALOG[canon].kind
    if name.lower() in HTML_TAGS:
        return name.lower(), HTML
    return name, None


def parse_xml(xml: str, source: str) -> tuple[Tag | None, dict[str, Any] | None, list[Problem], list[Problem]]:
    """Parse text into the tag tree; returns (root, comment task, errors, warnings).

    Raises nothing: fatal problems come back as errors with no root.
    """
    placeholder = None  # fatal problems: no tree to validate further
    if not isinstance(xml, str):
        return placeholder, None, [at(source, 1, 1, DOCUMENT, "config must be text")], []
    if len(xml) > MAX_BYTES or (len(xml) > MAX_BYTES // 4 and len(xml.encode("utf-8", "surrogatepass")) > MAX_BYTES):
        return (
            placeholder,
            None,
            [at(source, 1, 1, DOCUMENT, f"config is larger than the {MAX_BYTES // (1024 * 1024)} MB limit")],
            [],
        )
    decl = _XML_DECL.match(xml)
    text = xml if decl is None else " " * decl.end() + xml[decl.end() :]
    if "\x00" in text:
        return placeholder, None, [at(source, 1, 1, DOCUMENT, "config contains a NUL character")], []
    positions, problems = scan(text, source)
    if problems:
        return placeholder, None, problems, []
    if not text.strip():
        return placeholder, None, [at(source, 1, 1, DOCUMENT, "config is empty")], []
    try:
        root_el = etree.fromstring(text, _parser())
    except etree.XMLSyntaxError as exc:
        return placeholder, None, [_syntax_problem(exc, positions, source)], []
    except (ValueError, TypeError) as exc:
        return placeholder, None, [at(source, 1, 1, DOCUMENT, f"XML error: {exc}")], []
    root, errors, warnings = _build(root_el, positions, source)
    task = _comment_task(root_el, positions, source, warnings)
    return root, task, errors, warnings


def _syntax_problem(exc: etree.XMLSyntaxError, positions: Positions, source: str) -> Problem:
    line, col = exc.position if exc.position else (1, 1)
    line, col = max(line or 1, 1), max(col or 1, 1)
    msg = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
    msg = re.sub(r",? line \d+, column \d+.*$", "", msg).strip()
    if "Excessive depth" in msg or ("depth" in msg.lower() and "exceed" in msg.lower()):
        msg = f"nesting is deeper than the limit of {MAX_DEPTH} levels"
    elif "Entity" in msg or "entity" in msg:
        msg = f"XML error: {msg} (entities are not allowed in configs)"
    else:
        msg = f"XML syntax error: {msg}"
    # Name the innermost tag opened before the error.
    tag = DOCUMENT
    lines = positions.text.split("\n", line)[:line]
    offset = sum(len(x) + 1 for x in lines[:-1]) + col - 1
    prev = [s for s in positions.starts if s < offset][-1:] if positions.starts else []
    if prev:
        m = re.match(r"<([A-Za-z_][\w.:-]*)", positions.text[prev[0] :])
        if m:
            tag = f"<{m.group(1)}>"
    return at(source, line, col, tag, msg)


_PLAIN_KINDS = frozenset({"str", "css", "var", "hotkey"})  # coerce returns these unchanged
# Coercions remembered per attribute spec, for the kinds whose values come from a small shared
# vocabulary ("true", "single", "#FF0000"); names, lists and numbers are coerced each time.
_MEMO_KINDS = frozenset({"bool", "enum", "colour"})
_MEMO_MAX = 256
_Coerced = tuple[Any, str | None, str]
_NO_MEMO: dict[str, _Coerced] = {}  # never filled: coerce every time


class _TagInfo:
    """What the builder needs per catalog tag: its name and family, and attribute specs by key."""

    __slots__ = ("attrs", "kind", "plain", "spec", "tag")

    def __init__(self, tag: str, kind: str | None) -> None:
        self.tag = tag
        self.kind = kind
        self.spec = CATALOG.get(tag)
        # Exact spellings (canonical and lower-case) first; other casings fall back to .lower().
        self.attrs: dict[str, tuple[AttrSpec, dict[str, _Coerced] | None]] = {}
        # Canonical spellings of attributes kept as written: a tag with only these has typed
        # attributes equal to its raw ones (no unknown, duplicate or coerced attribute).
        self.plain: frozenset[str] = frozenset()
        if self.spec is not None:
            for low, a in self.spec.attrs.items():
                entry = (a, _memo_for(a))
                self.attrs[a.name] = entry
                self.attrs[low] = entry
            self.plain = frozenset(a.name for a in self.spec.attrs.values() if a.kind in _PLAIN_KINDS)


_MEMOS: dict[AttrSpec, dict[str, _Coerced] | None] = {}


def _memo_for(a: AttrSpec) -> dict[str, _Coerced] | None:
    """Coercion memo of one attribute spec: None when the value is kept as written, _NO_MEMO
    when it is coerced every time, else a dict shared by every tag with this spec."""
    if a not in _MEMOS:
        if a.kind in _PLAIN_KINDS:
            _MEMOS[a] = None
        else:
            _MEMOS[a] = {} if a.kind in _MEMO_KINDS else _NO_MEMO
    return _MEMOS[a]


_INFO: dict[str, _TagInfo] = {}


def _tag_info(written: str) -> _TagInfo:
    """Per-tag builder data, kept by canonical catalog or HTML name (so bounded); the builder
    looks the written name up first, which hits for canonical spellings."""
    tag, kind = canonical_tag(written)
    if kind is None:  # unknown tag: nothing worth keeping
        return _TagInfo(tag, None)
    info = _INFO.get(tag)
    if info is None:
        info = _INFO[tag] = _TagInfo(tag, kind)
    return info


def _label(tag: str, raw: dict[str, str]) -> str:
    """How a problem names the tag; built only when there is a problem."""
    name = raw.get("name")
    if name is None and raw:
        name = next((v for k, v in raw.items() if k.lower() == "name"), None)
    return f'<{tag} name="{name}">' if name else f"<{tag}>"


def _build(root_el: Any, positions: Positions, source: str) -> tuple[Tag, list[Problem], list[Problem]]:
    """Turn lxml elements into Tag nodes, typing attributes; returns (root, errors, warnings).

    A closure rather than methods: this runs once per element, and locals are cheaper than
    attribute lookups on a builder object.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    # Line/column of each start tag in document order; (1, 1) once they run out (only after a
    # nesting overflow, whose subtree is skipped, or when scanner and lxml disagree).
    place = iter(positions.all_line_cols())
    nowhere = (1, 1)
    infos = _INFO
    element = etree.Element

    def node(el: Any, depth: int) -> Tag:
        nonlocal place
        line, col = next(place, nowhere)
        written = el.tag
        if not isinstance(written, str):
            written = str(written)
        if "}" in written:  # namespaced
            written = written.split("}", 1)[1]
        info = infos.get(written) or _tag_info(written)
        tag = info.tag
        kind = info.kind
        raw = dict(el.items())  # lxml gives str keys and values
        if kind is None:
            errors.append(at(source, line, col, f"<{written}>", f"unknown tag <{written}>"))
            kind = "unknown"
        spec = info.spec
        raw_view = MappingProxyType(raw)
        if spec is None or info.plain.issuperset(raw):
            attrs_view = raw_view
        else:
            attrs_view = MappingProxyType(_typed_attrs(raw, info, spec, tag, line, col, source, errors, warnings))
        if len(el):
            if depth >= MAX_DEPTH:
                errors.append(
                    at(source, line, col, _label(tag, raw), f"nesting is deeper than the limit of {MAX_DEPTH} levels")
                )
                # Skip the subtree; positions of later elements would drift, so stop using them.
                place = iter(())
                children: tuple[Tag, ...] = ()
            else:
                built = []
                below = depth + 1
                for child in el.iterchildren(tag=element):  # elements only: no comments or PIs
                    built.append(node(child, below))
                children = tuple(built)
        else:
            children = ()
        text = el.text
        if text is not None and not text.strip():
            text = None
        return new_tag(tag, kind, attrs_view, raw_view, text, children, line, col)

    return node(root_el, 1), errors, warnings


def _typed_attrs(
    raw: dict[str, str],
    info: _TagInfo,
    spec: Any,
    tag: str,
    line: int,
    col: int,
    source: str,
    errors: list[Problem],
    warnings: list[Problem],
) -> dict[str, Any]:
    """Attributes of a catalog tag by canonical name, typed; unknown, repeated and badly typed
    attributes are reported."""
    attrs: dict[str, Any] = {}
    table = info.attrs
    seen: set[str] = set()
    for key, value in raw.items():
        entry = table.get(key)
        if entry is None:
            aspec = spec.attrs.get(key.lower())
            if aspec is None:
                warnings.append(
                    at(source, line, col, _label(tag, raw), f'unknown attribute "{key}" on <{tag}>', field=key)
                )
                attrs[key] = value
                continue
            entry = table[aspec.name]
        aspec, memo = entry
        aname = aspec.name  # one canonical name per lower-case key
        if aname in seen:
            warnings.append(
                at(
                    source,
                    line,
                    col,
                    _label(tag, raw),
                    f'attribute "{key}" given twice (names are case-insensitive)',
                    field=key,
                )
            )
        seen.add(aname)
        if memo is None:
            attrs[aname] = value
            continue
        coerced = memo.get(value)
        if coerced is None:
            coerced = aspec.coerce(value)
            if memo is not _NO_MEMO and len(memo) < _MEMO_MAX:
                memo[value] = coerced
        typed, problem, severity = coerced
        if problem is not None:
            target = warnings if severity == WARNING else errors
            target.append(at(source, line, col, _label(tag, raw), problem, field=aname))
        attrs[aname] = typed
    return attrs


def _comment_task(root_el: Any, positions: Positions, source: str, warnings: list[Problem]) -> dict[str, Any] | None:
    """The sample task of a `<!-- {...} -->` comment anywhere in the config (reference §1.8)."""
    if "<!--" not in positions.text:  # no comment at all
        return None
    comments = list(root_el.itersiblings(preceding=True)) + list(root_el.iter(etree.Comment))
    comments += list(root_el.itersiblings())
    for c in comments:
        if not isinstance(c, etree._Comment):
            continue
        body = (c.text or "").strip()
        if not body.startswith("{"):
            continue
        try:
            obj = json.loads(body)
        except ValueError as exc:
            line = getattr(c, "sourceline", 1) or 1
            warnings.append(at(source, line, 1, "<!-- -->", f"sample-task comment is not valid JSON: {exc}"))
            continue
        if not isinstance(obj, dict):
            continue
        if "data" in obj or "annotations" in obj or "predictions" in obj:
            return obj
        return {"data": obj}
    return None
