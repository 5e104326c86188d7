"""Edits made behind the application's back: the triggers that guard a table dropped first,
as someone with the database's owner rights could."""

from __future__ import annotations

from sqlalchemy import Connection


def drop_guards(conn: Connection, table: str) -> None:
    """Drop every trigger on ``table`` (SQLite and PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        names = conn.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %(t)s::regclass AND NOT tgisinternal",
            {"t": table}).scalars().all()
        for name in names:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}" ON {table}')
        return
    names = conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        (table,)).scalars().all()
    for name in names:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
