"""Alembic migrations, run programmatically so every entry point starts on the current schema.

The migrations form one linear chain (see hocvuso/migrations/README.md): `upgrade_to_head` moves
a database to the single head and fails loudly if someone adds a second one.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Every module that declares tables on knowledge.db.Base; Alembic's env imports them all, and a
# test checks that no table declared anywhere in the packages is missing from this list.
MODEL_MODULES = ("knowledge.manifest", "tutor.models", "tutor.officer_models", "bot.models", "bot.zalo_models")


def load_models() -> MetaData:
    """Import every table declaration; return the metadata holding all of them."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    from knowledge.db import Base

    return Base.metadata


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the packaged migrations and the given engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration, up to the one head of the chain."""
    config = alembic_config(engine)
    _forget_superseded_heads(engine, ScriptDirectory.from_config(config))
    command.upgrade(config, "head")


def _forget_superseded_heads(engine: Engine, scripts: ScriptDirectory) -> None:
    """Databases migrated when the chain had two branches (tutor, channels) record both heads;
    now that one descends from the other, the ancestor's row must go or Alembic refuses to run."""
    with engine.begin() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        if len(current) < 2:
            return
        known = current & {script.revision for script in scripts.walk_revisions()}
        superseded = {
            older
            for rev in known
            for ancestor in scripts.iterate_revisions(rev, "base")
            if (older := ancestor.revision) != rev and older in current
        }
        for revision in superseded:
            conn.execute(text("DELETE FROM alembic_version WHERE version_num = :rev"), {"rev": revision})
