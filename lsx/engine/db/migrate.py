"""Apply the Alembic migrations shipped inside the package."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revisions(engine: Engine) -> tuple[str, ...]:
    from sqlalchemy import text

    with engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except Exception:  # no table yet: an empty database
            conn.rollback()
            return ()
        conn.rollback()
        return tuple(sorted(rows))


def head_revisions(engine: Engine | None = None) -> tuple[str, ...]:
    """Heads read from the migration files' `revision`/`down_revision` lines.

    Importing Alembic costs a few hundred milliseconds; reading a handful of small files does
    not, so every command start checks the schema this way and imports Alembic only to migrate.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            target = node.target if isinstance(node, ast.AnnAssign) else (
                node.targets[0] if isinstance(node, ast.Assign) else None
            )
            if not isinstance(target, ast.Name) or node.value is None:
                continue
            if target.id == "revision":
                revisions.add(ast.literal_eval(node.value))
            elif target.id == "down_revision":
                down = ast.literal_eval(node.value)
                parents.update([down] if isinstance(down, str) else (down or ()))
    return tuple(sorted(revisions - parents))


def upgrade(engine: Engine) -> None:
    """Bring the schema to every head (feature branches of migrations share one root)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "heads")


def ensure_current(engine: Engine) -> bool:
    """Migrate when behind; True when something was applied. Cheap when already current."""
    if set(current_revisions(engine)) == set(head_revisions()):
        return False
    upgrade(engine)
    return True
