"""`lsx settings`: every setting's effective value and where it came from."""

from __future__ import annotations

import typer

from lsx.cli.common import print_json, print_table


def register(app: typer.Typer) -> None:
    app.command("settings")(settings)


def settings(as_json: bool = typer.Option(False, "--json")) -> None:
    """Show the effective settings (secrets masked) and their sources."""
    import os

    from lsx.engine.settings import load_settings, mask

    s = load_settings(config_file=os.environ.get("LSX_CONFIG_FILE") or None)
    rows = [
        {"name": spec.name, "value": mask(value) if spec.secret else value, "source": source, "help": spec.help}
        for spec, value, source in s.items()
    ]
    if as_json:
        print_json(rows)
    else:
        print_table(["setting", "value", "source"], [(r["name"], r["value"], r["source"]) for r in rows])
