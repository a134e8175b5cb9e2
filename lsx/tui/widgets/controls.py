"""Control tags as widgets. Option controls (Choices, Labels, Pairwise) are shown with their
hotkeys and picked by key from anywhere; value controls (TextArea, Rating, Number, DateTime,
Taxonomy, Ranker) take keys while they have focus (Tab moves to them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option as ListOption

from lsx.tui.hotkeys import shown
from lsx.tui.spec import ControlSpec
from lsx.tui.state import AnnotationState


class Form(Protocol):
    """What a control widget needs from the screen holding it."""

    state: AnnotationState

    def apply(self, ctl: ControlSpec, value: dict[str, Any] | None, *, coalesce: bool = False) -> bool: ...

    def say(self, message: str, *, error: bool = False) -> None: ...


def _title(ctl: ControlSpec) -> str:
    req = " *" if ctl.attrs.get("required") else ""
    per = " (selected region)" if ctl.per_region else ""
    return f"{ctl.name}{per}{req}"


class ControlWidget:
    """Mixin: a widget bound to one control; `sync` redraws it from the annotation state."""

    ctl: ControlSpec
    form: Form

    def sync(self) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """A new task in the same widgets: forget what was typed."""


def set_quietly(field: Input, value: str) -> None:
    """Change an Input's text without it telling the form (which would record an edit)."""
    with field.prevent(Input.Changed):
        field.value = value


class OptionsView(Static, ControlWidget):
    """Choices / Labels / Pairwise: each option with its key; picked ones marked."""

    DEFAULT_CSS = "OptionsView { padding: 0 1; height: auto; }"

    def __init__(self, ctl: ControlSpec, form: Form) -> None:
        super().__init__(classes="control")
        self.ctl, self.form = ctl, form

    def picked(self) -> set[tuple[str, ...]]:
        st = self.form.state
        if self.ctl.tag.endswith("Labels"):
            region = st.region(st.selected)
            if region is not None and region.from_name == self.ctl.name:
                return {(x,) for x in region.labels}
            return set()
        value = st.answer(self.ctl) or {}
        if self.ctl.tag == "Pairwise":
            return {(value["selected"],)} if value.get("selected") else set()
        out: set[tuple[str, ...]] = set()
        for c in value.get(self.ctl.value_key or "choices") or []:
            out.add(tuple(c) if isinstance(c, list) else (c,))
        return out

    def sync(self) -> None:
        picked = self.picked()
        text = Text()
        text.append(_title(self.ctl), style="bold")
        text.append(": " if self.ctl.attrs.get("showInline", True) and not self.ctl.nested else "\n")
        inline = self.ctl.attrs.get("showInline", True) and not self.ctl.nested
        for i, opt in enumerate(self.ctl.options):
            on = opt.path in picked or (not self.ctl.nested and (opt.value,) in picked)
            mark = ("●" if on else "○") if not self.ctl.multiple else ("☑" if on else "☐")
            if self.ctl.tag.endswith("Labels"):
                mark = "▶" if on else " "
            if i and inline:
                text.append("  ")
            if not inline:
                text.append("  " * (opt.depth + 1))
            text.append(f"{mark} ")
            key = shown(opt.hotkey)
            if key:
                text.append(f"[{key}]", style="bold cyan")
                text.append(" ")
            colour = opt.background if self.ctl.tag.endswith("Labels") and opt.background else None
            text.append(opt.value, style=(f"bold black on {colour}" if colour else ("bold" if on else "")))
            if not inline:
                text.append("\n")
        self.update(text)


class TextAreaField(Vertical, ControlWidget):
    """Free text: Enter in the field adds a line (Label Studio's submissions); Esc leaves it."""

    DEFAULT_CSS = """
    TextAreaField { height: auto; padding: 0 1; }
    TextAreaField Input { margin: 0; }
    """

    def __init__(self, ctl: ControlSpec, form: Form) -> None:
        super().__init__(classes="control")
        self.ctl, self.form = ctl, form
        self.title = Static(Text(_title(self.ctl), style="bold"))
        self.input = Input(placeholder=str(ctl.attrs.get("placeholder") or "type, Enter adds, Esc leaves"),
                           id=f"input-{ctl.name}", compact=True)
        self.lines = Static("")

    def compose(self) -> Any:
        yield self.title
        yield self.input
        yield self.lines

    def texts(self) -> list[str]:
        return list((self.form.state.answer(self.ctl) or {}).get("text") or [])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        if not line:
            return
        texts = self.texts()
        limit = self.ctl.attrs.get("maxSubmissions")
        if limit and len(texts) >= int(limit):
            texts = texts[: int(limit) - 1]
        if self.ctl.attrs.get("skipDuplicates") and line in texts:
            self.form.say(f"{self.ctl.name}: “{line}” is already there")
            return
        if self.form.apply(self.ctl, {"text": [*texts, line]}):
            self.input.value = ""

    def flush(self) -> None:
        """Text typed but not yet added counts when the task is submitted."""
        if self.input.value.strip() and self.display:
            self.on_input_submitted(Input.Submitted(self.input, self.input.value))

    def reset(self) -> None:
        set_quietly(self.input, "")

    def sync(self) -> None:
        texts = self.texts()
        self.lines.update(Text("\n".join(f"  • {t}" for t in texts), style="italic") if texts else "")


class RatingField(Static, ControlWidget, can_focus=True):
    """Stars: with focus, ←/→ or 1..maxRating; 0 clears."""

    DEFAULT_CSS = "RatingField { height: auto; padding: 0 1; } RatingField:focus { background: $boost; }"
    BINDINGS = [Binding("left", "step(-1)", show=False), Binding("right", "step(1)", show=False),
                Binding("up", "step(1)", show=False), Binding("down", "step(-1)", show=False)]

    def __init__(self, ctl: ControlSpec, form: Form) -> None:
        super().__init__(classes="control")
        self.ctl, self.form = ctl, form

    @property
    def top(self) -> int:
        return int(self.ctl.attrs.get("maxRating") or 5)

    def value(self) -> int:
        return int((self.form.state.answer(self.ctl) or {}).get("rating") or 0)

    def set(self, n: int) -> None:
        n = max(0, min(self.top, n))
        self.form.apply(self.ctl, {"rating": n} if n else None)

    def action_step(self, d: int) -> None:
        self.set(self.value() + d)

    def on_key(self, event: Any) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            event.prevent_default()
            self.set(int(event.character))

    def sync(self) -> None:
        n = self.value()
        t = Text()
        t.append(_title(self.ctl), style="bold")
        t.append(": ")
        t.append("★" * n, style="yellow")
        t.append("☆" * (self.top - n))
        t.append(f"  {n}/{self.top}", style="dim")
        if self.has_focus:
            t.append(f"  (←/→ or 1-{self.top})", style="dim")
        self.update(t)

    def on_focus(self) -> None:
        if self.form.state is not None:
            self.sync()

    def on_blur(self) -> None:
        if self.form.state is not None:
            self.sync()


class InputField(Vertical, ControlWidget):
    """Number and DateTime: typed values; the answer follows the text when it parses."""

    DEFAULT_CSS = "InputField { height: auto; padding: 0 1; }"

    def __init__(self, ctl: ControlSpec, form: Form) -> None:
        super().__init__(classes="control")
        self.ctl, self.form = ctl, form
        self.title = Static(Text(_title(ctl), style="bold"))
        self.input = Input(placeholder=self._hint(), id=f"input-{ctl.name}", compact=True)
        self._syncing = False

    def compose(self) -> Any:
        yield self.title
        yield self.input

    def _hint(self) -> str:
        if self.ctl.tag == "Number":
            lo, hi = self.ctl.attrs.get("min"), self.ctl.attrs.get("max")
            rng = f" {lo}..{hi}" if lo is not None or hi is not None else ""
            return f"number{rng}"
        return {"date": "YYYY-MM-DD", "time": "HH:MM", "month": "MM", "year": "YYYY"}.get(
            self._only(), "YYYY-MM-DDTHH:MM")

    def _only(self) -> str:
        only = self.ctl.attrs.get("only") or []
        only = only if isinstance(only, list) else [only]
        if "date" in only and "time" in only:
            return "datetime"
        return str(only[0]) if only else "datetime"

    def parse(self, raw: str) -> dict[str, Any] | str | None:
        """The answer for `raw`, None for empty, or a message saying what is wrong."""
        raw = raw.strip()
        if not raw:
            return None
        if self.ctl.tag == "Number":
            try:
                n = float(raw)
            except ValueError:
                return f"{self.ctl.name}: {raw!r} is not a number"
            return {"number": int(n) if n.is_integer() and "." not in raw else n}
        fmt = {"date": "%Y-%m-%d", "time": "%H:%M", "month": "%m", "year": "%Y"}.get(self._only(), "%Y-%m-%dT%H:%M")
        try:
            parsed = datetime.strptime(raw, fmt)
        except ValueError:
            return f"{self.ctl.name}: {raw!r} does not match {self._hint()}"
        out_fmt = str(self.ctl.attrs.get("format") or "") or fmt
        return {"datetime": parsed.strftime(out_fmt)}

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._syncing:
            return
        got = self.parse(event.value)
        if isinstance(got, str):
            self.title.update(Text.assemble((_title(self.ctl), "bold"), ("  " + got, "red")))
            return
        self.title.update(Text(_title(self.ctl), style="bold"))
        self.form.apply(self.ctl, got, coalesce=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    def sync(self) -> None:
        if self.input.has_focus:  # never rewrite what the annotator is typing
            return
        value = self.form.state.answer(self.ctl) or {}
        current = value.get("number" if self.ctl.tag == "Number" else "datetime")
        got = self.parse(self.input.value)
        mine = got.get("number" if self.ctl.tag == "Number" else "datetime") if isinstance(got, dict) else None
        if current != mine and not (current is None and isinstance(got, str)):
            set_quietly(self.input, "" if current is None else str(current))

    def reset(self) -> None:
        set_quietly(self.input, "")
        self.title.update(Text(_title(self.ctl), style="bold"))


class TaxonomyField(Vertical, ControlWidget):
    """A searchable tree: type to filter, Enter (in the search) toggles the first match,
    ↓ goes to the list where Enter toggles the highlighted path."""

    DEFAULT_CSS = """
    TaxonomyField { height: auto; padding: 0 1; }
    TaxonomyField OptionList { height: auto; max-height: 8; }
    """

    def __init__(self, ctl: ControlSpec, form: Form) -> None:
        super().__init__(classes="control")
        self.ctl, self.form = ctl, form
        self.title = Static(Text(_title(ctl), style="bold"))
        self.search = Input(placeholder="search the taxonomy, Enter picks the first match",
                            id=f"input-{ctl.name}", compact=True)
        self.list = OptionList(id=f"list-{ctl.name}")
        self.chosen = Static("")
        self._paths: list[tuple[str, ...]] = []

    def compose(self) -> Any:
        yield self.title
        yield self.search
        yield self.list
        yield self.chosen

    def on_mount(self) -> None:
        self._filter("")

    def selected(self) -> list[list[str]]:
        return [list(p) for p in (self.form.state.answer(self.ctl) or {}).get("taxonomy") or []]

    def _filter(self, query: str) -> None:
        q = query.strip().lower()
        leafs_only = bool(self.ctl.attrs.get("leafsOnly"))
        parents = {o.path[:-1] for o in self.ctl.options}
        paths = [o.path for o in self.ctl.options
                 if (not q or q in " / ".join(o.path).lower()) and not (leafs_only and o.path in parents)]
        self._paths = paths
        self.list.clear_options()
        sep = str(self.ctl.attrs.get("pathSeparator") or " / ")
        chosen = {tuple(p) for p in self.selected()}
        self.list.add_options([ListOption(("☑ " if p in chosen else "☐ ") + ("  " * (len(p) - 1) if not q else "")
                                          + (sep.join(p) if q else p[-1])) for p in paths])

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._paths:
            self.toggle(self._paths[0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._paths):
            self.toggle(self._paths[event.option_index])

    def reset(self) -> None:
        set_quietly(self.search, "")

    def toggle(self, path: tuple[str, ...]) -> None:
        chosen = self.selected()
        if list(path) in chosen:
            chosen.remove(list(path))
        elif self.ctl.attrs.get("choice") == "single" and self.ctl.attrs.get("maxUsages") == 1:
            chosen = [list(path)]
        else:
            chosen.append(list(path))
        self.form.apply(self.ctl, {"taxonomy": chosen} if chosen else None)

    def sync(self) -> None:
        chosen = self.selected()
        self.chosen.update(Text("\n".join("  ✓ " + " / ".join(p) for p in chosen), style="green") if chosen else "")
        highlighted = self.list.highlighted
        self._filter(self.search.value)
        if highlighted is not None and highlighted < self.list.option_count:
            self.list.highlighted = highlighted


class RankerField(Static, ControlWidget, can_focus=True):
    """Rank the items of a List: with focus ↑/↓ move the cursor, Shift+↑/↓ move the item,
    1-9 send it to that bucket (when the Ranker has buckets)."""

    DEFAULT_CSS = "RankerField { height: auto; padding: 0 1; } RankerField:focus { background: $boost; }"
    BINDINGS = [Binding("up", "cursor(-1)", show=False), Binding("down", "cursor(1)", show=False),
                Binding("shift+up", "move(-1)", show=False), Binding("shift+down", "move(1)", show=False)]

    def __init__(self, ctl: ControlSpec, form: Form, items: list[dict[str, Any]], buckets: list[str]) -> None:
        super().__init__(classes="control")
        self.ctl, self.form = ctl, form
        self.items = {str(it.get("id")): it for it in items if isinstance(it, dict)}
        self.buckets = buckets or [ctl.to_name[0]]
        self.cursor = 0

    def ranking(self) -> dict[str, list[str]]:
        value = (self.form.state.answer(self.ctl) or {}).get("ranker")
        if isinstance(value, dict):
            return {k: [str(x) for x in v] for k, v in value.items()}
        return {self.buckets[0]: list(self.items)}

    def _flat(self) -> list[tuple[str, str]]:
        r = self.ranking()
        return [(b, i) for b in self.buckets for i in r.get(b, [])]

    def action_cursor(self, d: int) -> None:
        self.cursor = max(0, min(len(self._flat()) - 1, self.cursor + d))
        self.sync()

    def action_move(self, d: int) -> None:
        flat = self._flat()
        if not flat:
            return
        bucket, item = flat[self.cursor]
        r = self.ranking()
        order = r[bucket]
        i = order.index(item)
        j = max(0, min(len(order) - 1, i + d))
        order.insert(j, order.pop(i))
        self.cursor += j - i
        self.form.apply(self.ctl, {"ranker": r})

    def on_key(self, event: Any) -> None:
        if event.character and event.character.isdigit() and len(self.buckets) > 1:
            event.stop()
            event.prevent_default()
            n = int(event.character) - 1
            flat = self._flat()
            if 0 <= n < len(self.buckets) and flat:
                bucket, item = flat[self.cursor]
                r = self.ranking()
                r[bucket].remove(item)
                r.setdefault(self.buckets[n], []).append(item)
                self.form.apply(self.ctl, {"ranker": r})

    def sync(self) -> None:
        t = Text()
        t.append(_title(self.ctl), style="bold")
        if self.has_focus:
            t.append("  (↑/↓ move cursor, Shift+↑/↓ move item" + (", 1-9 bucket)" if len(self.buckets) > 1 else ")"),
                     style="dim")
        n = 0
        r = self.ranking()
        for bi, b in enumerate(self.buckets):
            if len(self.buckets) > 1:
                t.append(f"\n [{bi + 1}] {b}", style="bold underline")
            for rank, item in enumerate(r.get(b, []), 1):
                it = self.items.get(item, {})
                cur = n == self.cursor and self.has_focus
                t.append(f"\n  {'›' if cur else ' '} {rank}. ", style="bold" if cur else "")
                t.append(str(it.get("title") or item), style="bold reverse" if cur else "bold")
                if it.get("body"):
                    t.append(f" — {it['body']}", style="dim")
                n += 1
        self.update(t)

    def on_focus(self) -> None:
        if self.form.state is not None:
            self.sync()

    def on_blur(self) -> None:
        if self.form.state is not None:
            self.sync()
