"""What every command starts from: the settings, and an engine on a migrated database.

The imports wait for the first call, so that a command which only talks to a server (or
prints its help) does not pay for the settings and database layers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from consentry.settings import Settings


def settings() -> Settings:
    from consentry.settings import get_settings

    return get_settings()


def engine(migrated: bool = True) -> Engine:
    """An engine for the configured database; refuses one that `consentry init` has not
    migrated, unless the command is the one that migrates. A SQLite file that is not there
    is reported, not created: opening it would leave an empty database behind."""
    from consentry.store.database import make_engine
    from consentry.store.migrate import require_migrated

    url = settings().effective_database_url
    if migrated:
        _require_sqlite_file(url)
    made = make_engine(url)
    if migrated:
        require_migrated(made)
    return made


def _require_sqlite_file(url: str) -> None:
    from sqlalchemy.engine import make_url

    from consentry.errors import DatabaseNotMigrated

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(str(parsed.database))
    if not path.parent.is_dir():
        raise DatabaseNotMigrated(f"no data directory at {path.parent}; run 'consentry init'")
    if not path.is_file():
        raise DatabaseNotMigrated(f"no database at {path}; run 'consentry init'")
