"""Alembic environment: the metadata of every package's tables, on the engine we are given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from hocvuso.migrate import load_models

config = context.config
target_metadata = load_models()


def run_migrations_online() -> None:
    """Run the migrations on the engine handed over by hocvuso.migrate (or one built from the URL)."""
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
