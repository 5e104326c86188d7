"""Schema migrations, run from code: ``consentry init`` upgrades, the app checks on start."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from consentry.errors import DatabaseNotMigrated


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "consentry.store:migrations")
    config.set_main_option("sqlalchemy.url",
                           engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> str:
    """Bring the schema to the newest revision; returns it."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head_revision(engine)


def head_revision(engine: Engine) -> str:
    return _newest_script_revision()


@cache
def _newest_script_revision() -> str:
    """Read once a process: the scripts ship with the package and do not change while it runs,
    and scanning them cost some 60 ms on every app start and CLI command."""
    config = Config()
    config.set_main_option("script_location", "consentry.store:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_migrated(engine: Engine) -> None:
    """Refuse to work on a database whose schema is not at the newest revision."""
    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        raise DatabaseNotMigrated(
            f"the database at {engine.url.render_as_string(hide_password=True)} is at schema "
            f"revision {current or 'none'}, the code needs {head}: run 'consentry init'")
