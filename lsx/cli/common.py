"""What every command shares: the workspace and actor, error printing, JSON output, progress."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from lsx.engine.access.actor import Actor
    from lsx.engine.workspace import Workspace


def run_app(app: typer.Typer, args: list[str]) -> None:
    """Run Typer; user errors print one line on stderr and exit 1, never a traceback."""
    from lsx.engine.errors import LsxError

    try:
        app(args=args, prog_name="lsx", standalone_mode=True)
    except LsxError as exc:
        fail(str(exc))


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise SystemExit(code)


_workspace: Workspace | None = None


def workspace() -> Workspace:
    """Open the workspace once per process (migrating on first use)."""
    global _workspace
    if _workspace is None:
        from lsx.engine.settings import load_settings
        from lsx.engine.workspace import open_workspace

        _workspace = open_workspace(load_settings(config_file=os.environ.get("LSX_CONFIG_FILE") or None))
    return _workspace


def reset_workspace() -> None:
    """Tests run many commands in one process with different LSX_HOME values."""
    global _workspace
    if _workspace is not None:
        _workspace.close()
    _workspace = None


def actor() -> Actor:
    from lsx.engine.access.users import actor_for

    ws = workspace()
    with ws.read() as s:
        return actor_for(s, ws.settings.user)


def dumps(obj: Any) -> str:
    import orjson

    return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str).decode()


def print_json(obj: Any) -> None:
    typer.echo(dumps(obj))


def print_json_array(rows: Iterable[Any]) -> None:
    """A JSON array written as it streams, so a million rows never sit in memory."""
    import orjson

    out = sys.stdout
    out.write("[")
    for i, row in enumerate(rows):
        out.write(",\n" if i else "\n")
        out.write(orjson.dumps(row, default=str).decode())
    out.write("\n]\n")


def print_jsonl(rows: Iterable[Any]) -> None:
    import orjson

    out = sys.stdout
    for row in rows:
        out.write(orjson.dumps(row, default=str).decode())
        out.write("\n")


def print_table(headers: list[str], rows: Iterable[Iterable[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers, box=None, header_style="bold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console().print(table)


@contextmanager
def progress_bar(label: str) -> Iterator[Any]:
    """A progress callback for engine work: a bar on a terminal, nothing when piped."""
    if not sys.stderr.isatty():
        yield lambda done, total=None, message="": None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None = None, message: str = "") -> None:
            bar.update(task, completed=done, total=total)

        yield update
