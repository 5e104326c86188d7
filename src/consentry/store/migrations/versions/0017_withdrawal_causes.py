"""A withdrawal names its cause: a consent event as before, or an agreement, a content claim, a
declined share or a terms version. Causes that take effect later (an agreement starting in the
future, a terms version after its notice) are checked once when they take effect: the
``withdrawal_checks`` rows say which have been.

``withdrawals.consent_event_id`` becomes nullable (see ``store/column_constraints.py`` for how,
on a table with rows, references and append-only triggers).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites
from consentry.store.column_constraints import drop_not_null, restore_not_null

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("withdrawals", sa.Column("cause_kind", sa.String(length=30), nullable=True))
    op.add_column("withdrawals", sa.Column("cause_ref", sa.String(length=50), nullable=True))
    drop_not_null(op, "withdrawals", "consent_event_id")
    op.create_table(
        "withdrawal_checks",
        sa.Column("cause_kind", sa.String(length=30), primary_key=True),
        sa.Column("cause_ref", sa.String(length=50), primary_key=True),
        sa.Column("checked_at", sa.BigInteger(), nullable=False))
    forbid_rewrites(op, "withdrawal_checks", "checks of a cause")


def downgrade() -> None:
    """Refused while withdrawals of other causes exist."""
    allow_rewrites(op, "withdrawal_checks")
    op.drop_table("withdrawal_checks")
    restore_not_null(op, "withdrawals", "consent_event_id")
    # plain DROP COLUMN (SQLite 3.35+): the table and its triggers stay
    op.drop_column("withdrawals", "cause_ref")
    op.drop_column("withdrawals", "cause_kind")
