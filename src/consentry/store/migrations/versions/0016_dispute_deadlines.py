"""A dispute carries its deadline: the claimant answers by then, or the claim is released from
that instant on. Older changes have none (NULL), and their log records stay as they were.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN keeps the triggers that refuse rewrites (see 0013)
    op.add_column("claim_changes", sa.Column("respond_by", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    allow_rewrites(op, "claim_changes")  # SQLite drops a column by rebuilding the table
    with op.batch_alter_table("claim_changes") as batch:
        batch.drop_column("respond_by")
    forbid_rewrites(op, "claim_changes", "claim changes")
