"""Witness cosignatures of the log's checkpoints (C2SP tlog-cosignature), append-only: the
newest one per witness is what `log verify` holds the current tree to.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_cosignatures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("witness", sa.String(length=300), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("cosigned_at", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("witness", "size", name="uq_log_cosignatures_witness_size"),
    )
    forbid_rewrites(op, "log_cosignatures", "cosignatures")


def downgrade() -> None:
    allow_rewrites(op, "log_cosignatures")
    op.drop_table("log_cosignatures")
