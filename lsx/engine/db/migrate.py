"""Apply the Alembic migrations shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return tuple(MigrationContext.configure(conn).get_current_heads())


def head_revisions(engine: Engine) -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def upgrade(engine: Engine) -> None:
    """Bring the schema to every head (feature branches of migrations share one root)."""
    command.upgrade(alembic_config(engine), "heads")


def ensure_current(engine: Engine) -> bool:
    """Migrate when behind; True when something was applied. Cheap when already current."""
    if set(current_revisions(engine)) == set(head_revisions(engine)):
        return False
    upgrade(engine)
    return True
