"""A text object you can select spans in, by keyboard (char / word / sentence, Shift extends)
or by mouse drag, showing the regions already labeled. Wraps lines itself so that every
screen cell maps back to a document offset (which mouse selection needs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from lsx.tui.textdoc import TextDoc


@dataclass
class Mark:
    """A region to paint: offsets, colour, caption shown after it, whether it is selected."""

    start: int
    end: int
    colour: str
    caption: str
    selected: bool = False


class SpanText(Widget, can_focus=True):
    """Keyboard: arrows by the object's granularity, Ctrl+arrows by word, Up/Down by sentence."""

    DEFAULT_CSS = """
    SpanText { height: auto; padding: 0 1; }
    SpanText:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("left", "move(-1, 'unit', False)", show=False),
        Binding("right", "move(1, 'unit', False)", show=False),
        Binding("shift+left", "move(-1, 'unit', True)", show=False),
        Binding("shift+right", "move(1, 'unit', True)", show=False),
        Binding("ctrl+left", "move(-1, 'word', False)", show=False),
        Binding("ctrl+right", "move(1, 'word', False)", show=False),
        Binding("ctrl+shift+left", "move(-1, 'word', True)", show=False),
        Binding("ctrl+shift+right", "move(1, 'word', True)", show=False),
        Binding("up", "move(-1, 'sentence', False)", show=False),
        Binding("down", "move(1, 'sentence', False)", show=False),
        Binding("shift+up", "move(-1, 'sentence', True)", show=False),
        Binding("shift+down", "move(1, 'sentence', True)", show=False),
        Binding("home", "edge(False, False)", show=False),
        Binding("end", "edge(True, False)", show=False),
        Binding("shift+home", "edge(False, True)", show=False),
        Binding("shift+end", "edge(True, True)", show=False),
    ]

    class Moved(Message):
        """The cursor moved: the annotator is back in the text, not on a region."""

        def __init__(self, widget: SpanText) -> None:
            super().__init__()
            self.widget = widget

    class Picked(Message):
        """The mouse clicked inside a region (select it)."""

        def __init__(self, widget: SpanText, offset: int) -> None:
            super().__init__()
            self.widget = widget
            self.offset = offset

    def __init__(self, doc: TextDoc, granularity: str = "symbol", *, marks: Callable[[], list[Mark]] | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.doc = doc
        self.unit = {"symbol": "char", "word": "word", "sentence": "sentence", "paragraph": "paragraph"}.get(
            granularity, "char")
        self.granularity = self.unit
        self.anchor = 0
        self.cursor = 0
        self._marks = marks or (lambda: [])
        self._rows: list[list[int | None]] = []
        self._dragging = False
        self._captions: dict[int, list[tuple[str, int]]] = {}

    def set_doc(self, doc: TextDoc) -> None:
        """Show another task's text in this widget (same config: the widgets are reused)."""
        self.doc = doc
        self.anchor = self.cursor = 0
        self.refresh(layout=True)

    # --- selection ------------------------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected offsets snapped to the object's granularity; None when nothing is selected."""
        s, e = sorted((self.anchor, self.cursor))
        if s == e:
            return None
        return self.doc.snap(s, e, self.granularity)

    def clear_selection(self) -> None:
        self.anchor = self.cursor
        self.refresh(layout=True)

    def select_range(self, start: int, end: int) -> None:
        self.anchor, self.cursor = start, end
        self.refresh(layout=True)

    def action_move(self, step: int, unit: str, extend: bool) -> None:
        unit = self.unit if unit == "unit" else unit
        forward = step > 0
        pos = self.doc.next_boundary(self.cursor, unit, forward, ends=extend and unit != "char")
        if extend and unit != "char" and forward:
            ends = [e for _, e in self.doc.units(unit) if e > self.cursor]
            pos = ends[0] if ends else len(self.doc.text)
        self.cursor = max(0, min(len(self.doc.text), pos))
        if not extend:
            self.anchor = self.cursor
        self.post_message(self.Moved(self))
        self.refresh(layout=True)

    def action_edge(self, end: bool, extend: bool) -> None:
        self.cursor = len(self.doc.text) if end else 0
        if not extend:
            self.anchor = self.cursor
        self.post_message(self.Moved(self))
        self.refresh(layout=True)

    # --- layout ---------------------------------------------------------------------------------

    def _cells(self) -> list[tuple[str, int | None, str]]:
        """Every character to draw: (char, document offset or None for decorations, style)."""
        out: list[tuple[str, int | None, str]] = []
        decorations = self.doc.decorations
        text = self.doc.text
        for i in range(len(text) + 1):
            for piece, style in decorations.get(i, ()):
                out.extend((ch, None, style) for ch in piece)
            for caption, at in self._captions.get(i, ()):
                out.extend((ch, None, f"caption:{at}") for ch in caption)
            if i < len(text):
                out.append((text[i], i, ""))
        return out

    def _layout(self, width: int) -> list[list[tuple[str, int | None, str]]]:
        width = max(8, width)
        rows: list[list[tuple[str, int | None, str]]] = [[]]
        cells = self._cells()
        i = 0
        while i < len(cells):
            ch = cells[i][0]
            if ch == "\n":
                rows[-1].append((" ", cells[i][1], cells[i][2]))
                rows.append([])
                i += 1
                continue
            if len(rows[-1]) >= width:
                # break at the last space of the row when there is one
                row = rows[-1]
                cut = next((j for j in range(len(row) - 1, 0, -1) if row[j][0] == " "), None)
                if cut is not None and cut > width // 2:
                    rows[-1], rest = row[: cut + 1], row[cut + 1 :]
                    rows.append(rest)
                else:
                    rows.append([])
            rows[-1].append(cells[i])
            i += 1
        return rows

    def _prepare(self) -> list[Mark]:
        marks = self._marks()
        self._captions: dict[int, list[tuple[str, int]]] = {}
        for n, m in enumerate(marks):
            if m.caption:
                self._captions.setdefault(m.end, []).append((f"[{m.caption}]", n))
        return marks

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._prepare()
        return max(1, len(self._layout(width)))

    def render(self) -> Text:
        marks = self._prepare()
        width = self.content_region.width or self.size.width or 80
        rows = self._layout(width)
        self._rows = [[off for _, off, _ in row] for row in rows]
        sel = sorted((self.anchor, self.cursor))
        out = Text(no_wrap=True, overflow="crop")
        for r, row in enumerate(rows):
            if r:
                out.append("\n")
            for ch, off, style in row:
                out.append(ch, self._style(off, style, marks, sel))
        return out

    def _style(self, off: int | None, style: str, marks: list[Mark], sel: list[int]) -> Style:
        if off is None:
            if style.startswith("caption:"):
                m = marks[int(style.split(":", 1)[1])]
                return Style(color=m.colour, bold=m.selected, dim=not m.selected)
            return Style.parse(style) if style else Style()
        st = Style()
        covering = [m for m in marks if m.start <= off < m.end]
        if covering:
            top = next((m for m in reversed(covering) if m.selected), covering[-1])
            st += Style(bgcolor=top.colour, color="black", bold=top.selected, underline=len(covering) > 1)
        if sel[0] <= off < sel[1]:
            st += Style(reverse=True)
        if off == self.cursor and self.has_focus:
            st += Style(underline=True, bold=True, reverse=not (sel[0] <= off < sel[1]))
        return st

    # --- mouse ----------------------------------------------------------------------------------

    def _offset_at(self, x: int, y: int) -> int | None:
        x -= 1  # padding
        if not self._rows or y < 0:
            return None
        row = self._rows[min(y, len(self._rows) - 1)]
        offs = [o for o in row[: max(0, x) + 1] if o is not None]
        if offs:
            return offs[-1] + (1 if x >= len(row) else 0)
        later = [o for o in row if o is not None]
        return later[0] if later else None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        off = self._offset_at(event.x, event.y)
        if off is None:
            return
        self.focus()
        self.anchor = self.cursor = off
        self._dragging = True
        self.capture_mouse()
        self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        off = self._offset_at(event.x, event.y)
        if off is not None:
            self.cursor = min(len(self.doc.text), off + (1 if off >= self.anchor else 0))
            self.refresh()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.release_mouse()
        if self.anchor == self.cursor:
            self.post_message(self.Picked(self, self.cursor))
        self.refresh(layout=True)
