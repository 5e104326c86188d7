"""The migrations build exactly the schema the code declares, and can be walked both ways."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

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


def test_withdrawals_keep_their_rows_and_guards_when_causes_arrive(engine: Engine) -> None:
    """Revision 0017 makes withdrawals.consent_event_id nullable on a table that has rows and
    is referred to (SQLite edits the stored schema): the rows and triggers stay."""
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0016")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO artists (id, name, created_at) VALUES (1, 'Ada', 0)"))
        conn.execute(text(
            "INSERT INTO consent_events (id, artist_id, purpose, choice, recorded_at, "
            "recorded_by, source, terms_version) VALUES (1, 1, 'train-ai', 'deny', 0, 't', "
            "'t', '1')"))
        conn.execute(text("INSERT INTO dataset_snapshots (id, purpose, at, created_at, "
                          "tracks, manifest_sha256, statement, requested_by) "
                          "VALUES (1, 'train-ai', 0, 0, 1, 'x', '', 't')"))
        conn.execute(text("INSERT INTO withdrawals (id, snapshot_id, consent_event_id, "
                          "recorded_at) VALUES (1, 1, 1, 5)"))
        conn.execute(text("INSERT INTO withdrawn_tracks VALUES (1, 7, 1)"))
    assert upgrade(engine) == head_revision(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT consent_event_id, cause_kind FROM withdrawals")).all() \
            == [(1, None)]
        conn.execute(text("INSERT INTO withdrawals (id, snapshot_id, recorded_at, cause_kind, "
                          "cause_ref) VALUES (2, 1, 6, 'agreement', '3')"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE withdrawals SET recorded_at = 0"))
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
