"""The tutor's tables: the 0002_tutor migration creates exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import tutor.models  # noqa: F401
import tutor.officer_models  # noqa: F401
from knowledge.db import Base


def test_migration_matches_the_models(container) -> None:  # type: ignore[no-untyped-def]
    engine = container.engine  # upgraded to every head
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    def table_of(diff) -> str:  # type: ignore[no-untyped-def]
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:]:
            name = getattr(part, "table", None)
            name = getattr(name, "name", None) or getattr(part, "name", None)
            if isinstance(name, str):
                return name
            if isinstance(part, str):
                return part
        return ""

    ours = [d for d in diffs if table_of(d).startswith("tutor_")]
    assert ours == []
    names = set(Base.metadata.tables)
    assert {"tutor_learners", "tutor_events", "tutor_states", "tutor_review_cards"} <= names


def test_every_learner_table_cascades_on_learner_delete() -> None:
    from tutor.models import LEARNER_TABLES

    for table in LEARNER_TABLES:
        fks = [fk for fk in table.__table__.foreign_keys if fk.column.table.name == "tutor_learners"]
        assert fks and all(fk.ondelete == "CASCADE" for fk in fks), table.__tablename__
