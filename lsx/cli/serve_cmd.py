"""`lsx serve`: the REST API (and web UI) on aiohttp, loopback by default."""

from __future__ import annotations

import time

import typer


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8080, "--port", "-p", help="TCP port."),
    no_login_link: bool = typer.Option(False, "--no-login-link", help="Do not print a one-time login link."),
) -> None:
    """Serve the Label Studio compatible REST API; prints one line when ready."""
    started = time.perf_counter()
    from lsx.cli.common import workspace
    from lsx.web.server import serve as run

    run(host, port, ws=workspace(), login_link=not no_login_link, started=started)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
