"""`lsx label PROJECT`: the terminal labeling UI (lsx.tui), locally or against `lsx serve`."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer


def register(app: typer.Typer) -> None:
    app.command("label")(label)


def label(
    project: str = typer.Argument(..., help="Project id or title."),
    accept_reject: bool = typer.Option(False, "--accept-reject", help="One prediction at a time: a accept, "
                                       "x reject, Space ignore, u undo."),
    server: str | None = typer.Option(None, "--server", help="Label against a remote `lsx serve` at this URL."),
    token: str | None = typer.Option(None, "--token", help="API token for --server (or LSX_TOKEN)."),
    no_prefetch: bool = typer.Option(False, "--no-prefetch", help="Do not lock the next task in advance."),
) -> None:
    """Label a project's text tasks in the terminal (keyboard first; ? lists every key)."""
    from lsx.cli.common import fail
    from lsx.engine.errors import LsxError
    from lsx.tui.startup import hold_gc, release_gc

    hold_gc()  # until the first task is drawn: start-up only builds objects that live on
    try:
        try:
            backend, app = open_app(project, server=server, token=token or os.environ.get("LSX_TOKEN"),
                                    accept_reject=accept_reject, prefetch=not no_prefetch)
        except LsxError as exc:
            fail(str(exc))
            return
        app.run()
    finally:
        release_gc()
    backend.close()
    if app.exit_message:
        typer.echo(f"error: {app.exit_message}", err=True)
    elif app.finished:
        typer.echo(f"no more tasks to label in {backend.project_title!r}", err=True)
    if app.return_code:
        sys.exit(app.return_code)


def open_app(project: str, *, server: str | None = None, token: str | None = None, accept_reject: bool = False,
             prefetch: bool = True) -> tuple[Any, Any]:
    """The backend (local workspace or remote server) and the app, ready to run (bench/tui.py too)."""
    backend = _backend(project, server, token)
    from lsx.tui.app import LabelApp
    from lsx.tui.spec import check_terminal_config

    check_terminal_config(_probe_tree(backend))
    return backend, LabelApp(backend, accept_reject=accept_reject, prefetch=prefetch)


def _probe_tree(backend: object) -> dict:
    """The interface without task data: enough to refuse configs the terminal cannot show."""
    from lsx.engine.config import parse_config

    return parse_config(backend.label_config(), source="label_config").interface_tree(None)  # type: ignore[attr-defined]


def _backend(project: str, server: str | None, token: str | None) -> object:
    if server:
        from lsx.tui.remote import RemoteBackend

        if not token:
            raise _input_error("--server needs --token (or LSX_TOKEN): create one with `lsx token create`")
        return RemoteBackend(server, token, project)
    from lsx.cli.common import actor, workspace
    from lsx.tui.local import LocalBackend

    return LocalBackend(workspace(), actor(), project)


def _input_error(message: str) -> Exception:
    from lsx.engine.errors import InputError

    return InputError(message)
