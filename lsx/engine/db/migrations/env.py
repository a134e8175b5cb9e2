"""Alembic environment: the engine comes from lsx (cfg.attributes), never from an ini file."""

from alembic import context

import lsx.engine.jobs.models  # registers the jobs table for autogenerate
import lsx.engine.sampling.models  # noqa: F401  (registers sampling tables for autogenerate)
from lsx.engine.db.models import Base

config = context.config
engine = config.attributes.get("engine")

if engine is None:  # `alembic` run by hand for autogenerate: LSX_DATABASE_URL or the default
    from lsx.engine.db.session import make_engine
    from lsx.engine.settings import load_settings

    engine = make_engine(load_settings().database_url)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
