"""The migrations build exactly the schema the code declares, and can be walked both ways."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from consentry.store.migrate import alembic_config, current_revision, head_revision, upgrade
from consentry.store.schema import metadata


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_downgrade_to_nothing_and_back(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision(engine)
