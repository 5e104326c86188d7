"""Dropping and restoring a column's NOT NULL in a migration, on a table that has rows, is
referred to by other tables and is guarded by append-only triggers.

PostgreSQL alters the column. SQLite cannot, and rebuilding the table is refused while other
tables refer to it (foreign keys are on, and cannot be turned off inside the migration's
transaction); so the constraint is edited in the stored schema text, the procedure SQLite
documents for removing a NOT NULL constraint (https://www.sqlite.org/lang_altertable.html,
section 7). The rows and the triggers stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from consentry.store.migration_operations import MigrationOperations


def drop_not_null(op: MigrationOperations, table: str, column: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(table, column, nullable=True)
        return
    pattern = re.compile(rf"(\b{column}\s+INTEGER)\s+NOT NULL", re.IGNORECASE)
    _edit_sqlite_schema(op, table, lambda sql: pattern.sub(r"\1", sql, count=1))


def restore_not_null(op: MigrationOperations, table: str, column: str) -> None:
    """Refused while the column holds a NULL."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.alter_column(table, column, nullable=False)
        return
    if bind.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE {column} IS NULL").scalar():
        raise RuntimeError(f"{table}.{column} holds NULLs: they have no place in the older "
                           "schema")
    pattern = re.compile(rf"(\b{column}\s+INTEGER)(?!\s+NOT NULL)", re.IGNORECASE)
    _edit_sqlite_schema(op, table, lambda sql: pattern.sub(r"\1 NOT NULL", sql, count=1))


def _edit_sqlite_schema(op: MigrationOperations, table: str, change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    changed = change(sql or "")
    if changed == sql:
        raise RuntimeError(f"{table}: the stored schema is not as expected")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (changed, table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version or 0) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
