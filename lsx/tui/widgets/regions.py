"""The region list: every span with its labels and per-region answers, plus the relations.
[ and ] select, Del deletes, a click selects."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from lsx.tui.state import AnnotationState


class RegionList(Static):
    DEFAULT_CSS = "RegionList { padding: 0 1; height: auto; }"

    class Clicked(Message):
        def __init__(self, region_id: str) -> None:
            super().__init__()
            self.region_id = region_id

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._rows: list[str | None] = []

    def show(self, state: AnnotationState, colours: dict[tuple[str, str], str], pending: str | None) -> None:
        t = Text()
        t.append("Regions", style="bold")
        t.append("  [ ] select · Del delete · Ctrl+R relate", style="dim")
        self._rows = [None]
        if not state.regions:
            t.append("\n  (none: select text, press a label key)", style="dim")
            self._rows.append(None)
        names = {}
        for n, r in enumerate(state.regions, 1):
            names[r.id] = f"#{n}"
            sel = r.id == state.selected
            t.append("\n")
            t.append("› " if sel else "  ", style="bold")
            t.append(f"#{n} ", style="bold" if sel else "")
            for lab in r.labels:
                t.append(f" {lab} ", style=f"bold black on {colours.get((r.from_name, lab), 'grey70')}")
                t.append(" ")
            text = str(r.geometry.get("text", ""))
            t.append(f"“{text[:40]}{'…' if len(text) > 40 else ''}”", style="reverse" if sel else "")
            if r.origin != "manual":
                t.append(f" ({r.origin})", style="dim")
            if r.id == pending:
                t.append(" → ?", style="bold magenta")
            self._rows.append(r.id)
            for name, value in r.answers.items():
                shown = next(iter(value.values()), "")
                t.append(f"\n      {name}: {shown}", style="italic")
                self._rows.append(r.id)
        if state.relations:
            t.append("\nRelations", style="bold")
            self._rows.append(None)
            for rel in state.relations:
                arrow = {"right": "→", "left": "←", "bi": "↔"}.get(rel.direction, "→")
                t.append(f"\n  {names.get(rel.from_id, '?')} {arrow} {names.get(rel.to_id, '?')}"
                         f" {', '.join(rel.labels)}")
                self._rows.append(None)
        self.update(t)

    def on_click(self, event: events.Click) -> None:
        if 0 <= event.y < len(self._rows) and self._rows[event.y]:
            self.post_message(self.Clicked(self._rows[event.y]))  # type: ignore[arg-type]
