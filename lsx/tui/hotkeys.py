"""Keys: the fixed ones (same in every project) and the option hotkeys a config gets.

Options take the config's `hotkey` first, then 1-9, then free letters; a fixed key is never
handed out, so a config can never shadow submit, skip or quit.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace

from lsx.tui.spec import ControlSpec, FormSpec, Option


@dataclass(frozen=True)
class FixedKey:
    key: str
    shown: str
    what: str


FIXED_KEYS: tuple[FixedKey, ...] = (
    FixedKey("enter", "Enter", "submit (when no text field has focus)"),
    FixedKey("ctrl+s", "Ctrl+S", "submit, always"),
    FixedKey("ctrl+k", "Ctrl+K", "skip the task"),
    FixedKey("ctrl+o", "Ctrl+O", "postpone the task"),
    FixedKey("ctrl+z", "Ctrl+Z", "undo"),
    FixedKey("ctrl+y", "Ctrl+Y", "redo"),
    FixedKey("pageup", "PgUp", "previous task in history"),
    FixedKey("pagedown", "PgDn", "next task in history"),
    FixedKey("escape", "Esc", "leave a text field / clear selection / cancel"),
    FixedKey("tab", "Tab / Shift+Tab", "move focus between text, fields and lists"),
    FixedKey("question_mark", "?", "this help"),
    FixedKey("q", "q", "quit (your work is saved as a draft)"),
    FixedKey("left", "← / →", "move the cursor in the text (by the text's granularity)"),
    FixedKey("ctrl+left", "Ctrl+← / Ctrl+→", "move by word"),
    FixedKey("up", "↑ / ↓", "move by sentence (in the text); change value (in a field)"),
    FixedKey("shift+left", "Shift+ any move", "extend the selection"),
    FixedKey("left_square_bracket", "[ / ]", "select the previous / next region"),
    FixedKey("delete", "Del / Backspace", "delete the selected region (or relation)"),
    FixedKey("ctrl+r", "Ctrl+R", "relation: from the selected region, then again on the target"),
    FixedKey("ctrl+x", "Ctrl+X", "clear all pre-annotations (predictions)"),
)
ACCEPT_REJECT_KEYS: tuple[FixedKey, ...] = (
    FixedKey("a", "a", "accept the prediction (stores it as your annotation)"),
    FixedKey("x", "x", "reject the prediction (a skipped annotation naming it)"),
    FixedKey("space", "Space", "ignore: give the task back, not offered again this session"),
    FixedKey("u", "u", "undo the last decision"),
)
RESERVED: frozenset[str] = frozenset(
    {"q", "question_mark", "?", "enter", "escape", "tab", "space", " ", "[", "]", "a", "x", "u"}
)
_FREE_LETTERS = [c for c in string.ascii_lowercase if c not in RESERVED]


def normalize(key: str) -> str:
    """Label Studio hotkeys look like `ctrl+1`, `shift+a`, `1`; Textual wants lower-case names."""
    k = key.strip().lower()
    return {"?": "question_mark", "[": "left_square_bracket", "]": "right_square_bracket"}.get(k, k)


def assign_hotkeys(spec: FormSpec) -> dict[str, tuple[ControlSpec, Option]]:
    """Give every pickable option a key; rewrite the specs' options with it; return key -> option."""
    pickable = [c for c in spec.controls.values() if c.tag in ("Choices", "Pairwise") or c.tag.endswith("Labels")]
    taken: dict[str, tuple[ControlSpec, Option]] = {}
    chosen: dict[tuple[str, int], str] = {}
    for ctl in pickable:
        for i, opt in enumerate(ctl.options):
            if opt.hotkey:
                k = normalize(opt.hotkey)
                if k not in RESERVED and k not in taken:
                    taken[k] = (ctl, opt)
                    chosen[(ctl.name, i)] = k
    pool = [str(d) for d in range(1, 10)] + ["0"] + _FREE_LETTERS
    pool = [k for k in pool if k not in taken]
    for ctl in pickable:
        for i, opt in enumerate(ctl.options):
            if (ctl.name, i) in chosen or not pool:
                continue
            k = pool.pop(0)
            chosen[(ctl.name, i)] = k
            taken[k] = (ctl, opt)
    for ctl in pickable:
        ctl.options = [replace(o, hotkey=chosen.get((ctl.name, i))) for i, o in enumerate(ctl.options)]
    out: dict[str, tuple[ControlSpec, Option]] = {}
    for (name, i), k in chosen.items():
        ctl = spec.controls[name]
        out[k] = (ctl, ctl.options[i])
    return out


def shown(key: str | None) -> str:
    if not key:
        return ""
    return {"question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]"}.get(key, key)
