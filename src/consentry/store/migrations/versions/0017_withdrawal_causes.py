"""A withdrawal names its cause: a consent event as before, or an agreement, a content claim, a
declined share or a terms version. Causes that take effect later (an agreement starting in the
future, a terms version after its notice) are checked once when they take effect: the
``withdrawal_checks`` rows say which have been.

``withdrawals.consent_event_id`` becomes nullable. SQLite cannot alter a column, and
rebuilding the table is refused while ``withdrawn_tracks`` and the webhook deliveries refer to
it (foreign keys are on, and cannot be turned off inside the migration's transaction); so the
NOT NULL is removed from the stored schema text, the procedure SQLite documents for removing a
NOT NULL constraint (https://www.sqlite.org/lang_altertable.html, section 7). Rows and the
append-only triggers stay as they are.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_NOT_NULL = re.compile(r"(consent_event_id\s+INTEGER)\s+NOT NULL", re.IGNORECASE)
_NULLABLE = re.compile(r"(consent_event_id\s+INTEGER)(?!\s+NOT NULL)", re.IGNORECASE)


def upgrade() -> None:
    op.add_column("withdrawals", sa.Column("cause_kind", sa.String(length=30), nullable=True))
    op.add_column("withdrawals", sa.Column("cause_ref", sa.String(length=50), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.alter_column("withdrawals", "consent_event_id", nullable=True)
    else:
        _set_schema_sqlite(bind, lambda sql: _NOT_NULL.sub(r"\1", sql, count=1))
    op.create_table(
        "withdrawal_checks",
        sa.Column("cause_kind", sa.String(length=30), primary_key=True),
        sa.Column("cause_ref", sa.String(length=50), primary_key=True),
        sa.Column("checked_at", sa.BigInteger(), nullable=False))
    forbid_rewrites(op, "withdrawal_checks", "checks of a cause")


def _set_schema_sqlite(bind: sa.Connection, change: Callable[[str], str]) -> None:
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'withdrawals'").scalar()
    changed = change(sql or "")
    if changed == sql:
        raise RuntimeError("withdrawals.consent_event_id: the stored schema is not as expected")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'withdrawals'",
        (changed,))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version or 0) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def downgrade() -> None:
    """Refused (by the NOT NULL) while withdrawals of other causes exist: they have no place
    in the older schema."""
    allow_rewrites(op, "withdrawal_checks")
    op.drop_table("withdrawal_checks")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.alter_column("withdrawals", "consent_event_id", nullable=False)
    else:
        if bind.exec_driver_sql(
                "SELECT count(*) FROM withdrawals WHERE consent_event_id IS NULL").scalar():
            raise RuntimeError("withdrawals of causes other than consent events exist")
        _set_schema_sqlite(bind, lambda sql: _NULLABLE.sub(r"\1 NOT NULL", sql, count=1))
    # plain DROP COLUMN (SQLite 3.35+): the table and its triggers stay
    op.drop_column("withdrawals", "cause_ref")
    op.drop_column("withdrawals", "cause_kind")
