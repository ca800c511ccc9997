"""The migration chain: linear, complete, equal to all the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
import sys

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from hocvuso.migrate import MIGRATIONS_DIR, alembic_config, load_models, upgrade_to_head
from knowledge.db import make_engine
from tests.conftest import REPO_ROOT

PACKAGES = ("knowledge", "ingest", "tutor", "bot")


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIR))


def test_the_chain_is_linear_and_numbered_in_order() -> None:
    scripts = _scripts()
    assert len(scripts.get_heads()) == 1, f"more than one head: {scripts.get_heads()}"
    chain = list(reversed(list(scripts.walk_revisions())))  # base first
    assert chain[0].down_revision is None
    for previous, script in zip(chain, chain[1:], strict=False):
        assert script.down_revision == previous.revision, script.revision
        assert not script.branch_labels and not script.dependencies, script.revision
    numbers = [int(re.match(r"(\d{4})_", script.revision).group(1)) for script in chain]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(chain) + 1))
    files = sorted(p.stem for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))
    assert files == [script.revision for script in chain]


def _tables_declared_anywhere() -> set[str]:
    """Import every module of the packages and return every table name on the shared Base."""
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if ".lessons" in info.name:
                continue
            importlib.import_module(info.name)
    from knowledge.db import Base

    return set(Base.metadata.tables)


def test_alembic_env_knows_every_table_declared_in_the_packages() -> None:
    code = "import json; from hocvuso.migrate import load_models; print(json.dumps(sorted(load_models().tables)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    known_to_alembic = set(json.loads(done.stdout))
    assert _tables_declared_anywhere() == known_to_alembic


def _drift(engine: sa.Engine, metadata: sa.MetaData | None = None) -> list[object]:
    metadata = metadata if metadata is not None else load_models()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        return list(compare_metadata(context, metadata))


def test_migrated_schema_equals_all_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        assert _drift(engine) == []
        names = set(sa.inspect(engine).get_table_names())
        assert set(load_models().tables) <= names
        assert {"kb_chunks", "tutor_learners", "channel_inbox", "zalo_tokens"} <= names
    finally:
        engine.dispose()


def test_the_drift_check_sees_a_column_no_migration_creates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'drift.db'}")
    try:
        upgrade_to_head(engine)
        models = sa.MetaData(naming_convention=load_models().naming_convention)
        for table in load_models().sorted_tables:
            table.to_metadata(models)
        models.tables["tutor_learners"].append_column(sa.Column("nickname", sa.String(40)))
        drift = _drift(engine, models)
        assert len(drift) == 1 and drift[0][0] == "add_column", drift  # type: ignore[index]
    finally:
        engine.dispose()


def test_the_chain_downgrades_to_base_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        command.downgrade(alembic_config(engine), "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_to_head(engine)
        assert _drift(engine) == []
    finally:
        engine.dispose()


def test_a_database_migrated_with_the_old_two_heads_upgrades(database_url: str) -> None:
    """Before the chain was made linear, a database recorded 0002_tutor and 0004_zalo as heads."""
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        head = _scripts().get_current_head()
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES ('0002_tutor')"))
        upgrade_to_head(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        assert rows == [head]
    finally:
        engine.dispose()
