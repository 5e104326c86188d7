"""Refusal counts: AI crawlers refused and unidentified clients throttled, per day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refusal_counts",
        sa.Column("day", sa.String(length=10), primary_key=True),
        sa.Column("agent", sa.String(length=64), primary_key=True),
        sa.Column("kind", sa.String(length=16), primary_key=True),
        sa.Column("purpose", sa.String(length=80), primary_key=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("refusal_counts")
