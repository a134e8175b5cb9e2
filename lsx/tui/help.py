"""The `?` overlay: every key of the screen, fixed ones and the config's option keys."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from lsx.tui.hotkeys import ACCEPT_REJECT_KEYS, FIXED_KEYS, shown
from lsx.tui.spec import ControlSpec, Option


def key_table(options: dict[str, tuple[ControlSpec, Option]], accept_reject: bool) -> Table:
    t = Table(box=None, show_header=False, padding=(0, 2))
    t.add_column(style="bold cyan", no_wrap=True)
    t.add_column()
    t.add_row(Text("Keys", style="bold"), "")
    for k in FIXED_KEYS:
        t.add_row(k.shown, k.what)
    if accept_reject:
        t.add_row(Text("Accept / reject", style="bold"), "")
        for k in ACCEPT_REJECT_KEYS:
            t.add_row(k.shown, k.what)
    if options:
        t.add_row(Text("Options of this config", style="bold"), "")
        for key, (ctl, opt) in options.items():
            t.add_row(shown(key), f"{ctl.name}: {' / '.join(opt.path)}")
    t.add_row(Text("Fields", style="bold"), "")
    t.add_row("Rating (focused)", "←/→ or digits")
    t.add_row("Taxonomy", "type to search, Enter picks the first match, ↓ then Enter in the list")
    t.add_row("Ranker (focused)", "↑/↓ cursor, Shift+↑/↓ move, digits to a bucket")
    return t


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; height: 90%; border: round $accent; background: $surface; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close")]

    def __init__(self, table: Table) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> Any:
        with VerticalScroll():
            yield Static(self.table)
            yield Static(Text("Esc, ? or q closes this help", style="dim"))
