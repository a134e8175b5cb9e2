"""Text objects as one selectable document: the characters a span's offsets count, plus
decorations (speakers, line breaks, link targets) shown but never selected or counted.

Text counts the string as is; Paragraphs concatenate the utterances (offsets map back to
paragraph index + offset); HyperText counts the HTML's text content as Label Studio does and
knows each text node's XPath for hypertextlabels results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)|\n", re.UNICODE)
_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
                     "blockquote", "pre", "section", "article", "header", "footer", "hr"})


@dataclass
class TextDoc:
    """`text` is what offsets count; `decorations[i]` is shown before character i (or at the end)."""

    object_name: str
    kind: str  # Text | HyperText | Paragraphs
    text: str
    decorations: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # (start, end) per utterance
    text_nodes: list[tuple[int, int, str]] = field(default_factory=list)  # HyperText: (start, end, xpath)

    def decorate(self, at: int, text: str, style: str = "") -> None:
        self.decorations.setdefault(at, []).append((text, style))

    # --- moving -------------------------------------------------------------------------------

    def words(self) -> list[tuple[int, int]]:
        return [m.span() for m in _WORD.finditer(self.text)]

    def sentences(self) -> list[tuple[int, int]]:
        """Sentences; in a dialogue they never cross from one utterance to the next."""
        out = []
        blocks = self.paragraphs or [(0, len(self.text))]
        for base, stop in blocks:
            out.extend(self._sentences_in(base, stop))
        return out

    def _sentences_in(self, base: int, stop: int) -> list[tuple[int, int]]:
        out = []
        for m in _SENTENCE.finditer(self.text, base, stop):
            s, e = m.span()
            chunk = self.text[s:e]
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            if e - trail > s + lead:
                out.append((s + lead, e - trail))
        return out

    def units(self, unit: str) -> list[tuple[int, int]]:
        if unit == "word":
            return self.words()
        if unit == "sentence":
            return self.sentences()
        if unit == "paragraph" and self.paragraphs:
            return list(self.paragraphs)
        return [(i, i + 1) for i in range(len(self.text))]

    def next_boundary(self, pos: int, unit: str, forward: bool, *, ends: bool) -> int:
        """Next unit start (or end when extending forward) after/before `pos`."""
        if unit == "char":
            return min(len(self.text), pos + 1) if forward else max(0, pos - 1)
        spans = self.units(unit)
        if forward:
            points = [e if ends else s for s, e in spans]
            if not ends:
                points = [s for s, _ in spans]
            nxt = [p for p in points if p > pos]
            return nxt[0] if nxt else (spans[-1][1] if spans else pos)
        prev = [s for s, _ in spans if s < pos]
        return prev[-1] if prev else 0

    def unit_at(self, pos: int, unit: str) -> tuple[int, int]:
        for s, e in self.units("word" if unit == "char" else unit):
            if s <= pos < e:
                return s, e
        return pos, pos

    def snap(self, start: int, end: int, unit: str) -> tuple[int, int]:
        """Granularity: a selection grows to whole words / sentences (Label Studio's granularity)."""
        if unit in ("char", "symbol") or start >= end:
            return start, end
        spans = [(s, e) for s, e in self.units(unit) if s < end and e > start]
        if not spans:
            return start, end
        return min(start, spans[0][0]), max(end, spans[-1][1])

    # --- results -------------------------------------------------------------------------------

    def span_value(self, start: int, end: int) -> dict[str, Any]:
        """The geometry part of a span result in Label Studio's shape for this object kind."""
        text = self.text[start:end]
        if self.kind == "Paragraphs":
            (ps, po), (pe, eo) = self.to_paragraph(start, False), self.to_paragraph(end, True)
            return {"start": str(ps), "end": str(pe), "startOffset": po, "endOffset": eo, "text": text}
        if self.kind == "HyperText":
            (sx, so), (ex, eo) = self.to_xpath(start, False), self.to_xpath(end, True)
            return {"start": sx, "end": ex, "startOffset": so, "endOffset": eo,
                    "globalOffsets": {"start": start, "end": end}, "text": text}
        return {"start": start, "end": end, "text": text}

    def offsets_of(self, value: dict[str, Any]) -> tuple[int, int] | None:
        """Back from a stored value to document offsets (to show predictions, drafts, history)."""
        try:
            if self.kind == "Paragraphs":
                ps, pe = int(value["start"]), int(value["end"])
                return (self.paragraphs[ps][0] + int(value.get("startOffset", 0)),
                        self.paragraphs[pe][0] + int(value.get("endOffset", self.paragraphs[pe][1]
                                                              - self.paragraphs[pe][0])))
            if self.kind == "HyperText":
                g = value.get("globalOffsets")
                if isinstance(g, dict):
                    return int(g["start"]), int(g["end"])
                s = next(a for a, _, x in self.text_nodes if x == value["start"]) + int(value["startOffset"])
                e = next(a for a, _, x in self.text_nodes if x == value["end"]) + int(value["endOffset"])
                return s, e
            return int(value["start"]), int(value["end"])
        except (KeyError, ValueError, TypeError, IndexError, StopIteration):
            return None

    def to_paragraph(self, pos: int, is_end: bool) -> tuple[int, int]:
        for i, (s, e) in enumerate(self.paragraphs):
            if (s <= pos < e) or (is_end and s < pos <= e) or (not is_end and pos == e == s):
                return i, pos - s
        last = len(self.paragraphs) - 1
        return last, pos - self.paragraphs[last][0] if self.paragraphs else 0

    def to_xpath(self, pos: int, is_end: bool) -> tuple[str, int]:
        for s, e, xpath in self.text_nodes:
            if (s <= pos < e) or (is_end and s < pos <= e):
                return xpath, pos - s
        if self.text_nodes:
            s, e, xpath = self.text_nodes[-1]
            return xpath, e - s
        return "/", pos


def text_doc(name: str, value: Any) -> TextDoc:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return TextDoc(name, "Text", text)


def paragraphs_doc(name: str, value: Any, name_key: str = "author", text_key: str = "text") -> TextDoc:
    doc = TextDoc(name, "Paragraphs", "")
    items = value if isinstance(value, list) else []
    parts: list[str] = []
    pos = 0
    for i, item in enumerate(items):
        author = str(item.get(name_key, "")) if isinstance(item, dict) else ""
        body = str(item.get(text_key, "")) if isinstance(item, dict) else str(item)
        if i:
            doc.decorate(pos, "\n")
        if author:
            doc.decorate(pos, f"{author}: ", "bold")
        doc.paragraphs.append((pos, pos + len(body)))
        parts.append(body)
        pos += len(body)
    doc.text = "".join(parts)
    return doc


def hypertext_doc(name: str, value: Any) -> TextDoc:
    """HTML to readable text: block tags break lines, links show their target."""
    import lxml.html

    doc = TextDoc(name, "HyperText", "")
    html = value if isinstance(value, str) else ""
    if not html.strip():
        return doc
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # unparsable HTML: show it as plain text
        doc.text = html
        doc.text_nodes.append((0, len(html), "/text()[1]"))
        return doc
    parts: list[str] = []
    pos = 0

    def xpath_of(el: Any) -> str:
        names: list[str] = []
        while el is not None and el is not root:
            parent = el.getparent()
            same = [c for c in parent if c.tag == el.tag] if parent is not None else [el]
            names.append(f"{el.tag}[{same.index(el) + 1}]")
            el = parent
        return "/" + "/".join(reversed(names))

    def add(text: str | None, owner: Any, index: int) -> None:
        nonlocal pos
        if not text:
            return
        base = xpath_of(owner)
        doc.text_nodes.append((pos, pos + len(text), f"{base if base != '/' else ''}/text()[{index}]"))
        parts.append(text)
        pos += len(text)

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style"):
            return
        if tag in _BLOCKS and pos:
            doc.decorate(pos, "\n")
        n = 1
        if el.text:
            add(el.text, el, n)
            n += 1
        for child in el:
            walk(child)
            if child.tail:
                add(child.tail, el, n)
                n += 1
        if tag == "a" and el.get("href"):
            doc.decorate(pos, f" <{el.get('href')}>", "underline")

    walk(root)
    doc.text = "".join(parts)
    return doc
