"""`lsx db upgrade` and `lsx db current`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


def _engine():  # type: ignore[no-untyped-def]
    import os

    from lsx.engine.db.session import make_engine
    from lsx.engine.settings import load_settings

    settings = load_settings(config_file=os.environ.get("LSX_CONFIG_FILE") or None)
    return make_engine(settings.database_url)


@app.command()
def upgrade() -> None:
    """Apply every migration not yet applied."""
    from lsx.engine.db.migrate import current_revisions
    from lsx.engine.db.migrate import upgrade as run

    engine = _engine()
    before = set(current_revisions(engine))
    run(engine)
    after = set(current_revisions(engine))
    typer.echo("database is up to date" if before == after else f"upgraded to {', '.join(sorted(after))}")


@app.command()
def current() -> None:
    """Print the applied revisions and whether the schema is current."""
    from lsx.engine.db.migrate import current_revisions, head_revisions

    engine = _engine()
    cur, heads = set(current_revisions(engine)), set(head_revisions(engine))
    typer.echo(", ".join(sorted(cur)) or "(empty database)")
    typer.echo("up to date" if cur == heads else f"behind: run `lsx db upgrade` (heads: {', '.join(sorted(heads))})")
