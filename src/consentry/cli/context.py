"""What every command starts from: the settings, and an engine on a migrated database."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from consentry.settings import Settings, get_settings
from consentry.store.database import make_engine
from consentry.store.migrate import require_migrated


def settings() -> Settings:
    return get_settings()


def engine(migrated: bool = True) -> Engine:
    """An engine for the configured database; refuses one that `consentry init` has not
    migrated, unless the command is the one that migrates."""
    made = make_engine(settings().effective_database_url)
    if migrated:
        require_migrated(made)
    return made
