"""What every command starts from: the settings, and an engine on a migrated database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from consentry.errors import DatabaseNotMigrated
from consentry.settings import Settings, get_settings
from consentry.store.database import make_engine
from consentry.store.migrate import require_migrated


def settings() -> Settings:
    return get_settings()


def engine(migrated: bool = True) -> Engine:
    """An engine for the configured database; refuses one that `consentry init` has not
    migrated, unless the command is the one that migrates. A SQLite file that is not there
    is reported, not created: opening it would leave an empty database behind."""
    url = settings().effective_database_url
    if migrated:
        _require_sqlite_file(url)
    made = make_engine(url)
    if migrated:
        require_migrated(made)
    return made


def _require_sqlite_file(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(str(parsed.database))
    if not path.parent.is_dir():
        raise DatabaseNotMigrated(f"no data directory at {path.parent}; run 'consentry init'")
    if not path.is_file():
        raise DatabaseNotMigrated(f"no database at {path}; run 'consentry init'")
