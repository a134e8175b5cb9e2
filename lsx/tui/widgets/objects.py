"""Object and visual tags that only show data: Header, Table, List, Markdown."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widgets import Static


def header(node: dict[str, Any]) -> Static:
    value = node.get("data", node["attrs"].get("value") or node.get("text") or "")
    return Static(Text(str(value), style="bold underline" if node["attrs"].get("underline") else "bold"),
                  classes="header")


def table(node: dict[str, Any]) -> Static:
    data = node.get("data")
    t = Table(box=None, show_header=True, header_style="bold", padding=(0, 1))
    if isinstance(data, dict):
        t.add_column("key")
        t.add_column("value")
        for k, v in data.items():
            t.add_row(str(k), str(v))
    elif isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        cols = list(dict.fromkeys(k for r in data for k in r))
        for c in cols:
            t.add_column(str(c))
        for r in data:
            t.add_row(*(str(r.get(c, "")) for c in cols))
    else:
        return Static(str(data if data is not None else ""), classes="object")
    return Static(t, classes="object")


def list_items(node: dict[str, Any]) -> Static:
    data = node.get("data")
    t = Text()
    for i, item in enumerate(data if isinstance(data, list) else [], 1):
        if i > 1:
            t.append("\n")
        if isinstance(item, dict):
            t.append(f"{i}. {item.get('title') or item.get('id')}", style="bold")
            if item.get("body"):
                t.append(f" — {item['body']}")
        else:
            t.append(f"{i}. {item}")
    return Static(t, classes="object")


def markdown(node: dict[str, Any]) -> Static:
    from rich.markdown import Markdown  # only configs with <Markdown> pay for it

    value = node.get("data", node["attrs"].get("value") or node.get("text") or "")
    return Static(Markdown(str(value)), classes="object")
