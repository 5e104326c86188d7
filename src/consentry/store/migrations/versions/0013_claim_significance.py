"""Claims keep how far above chance their match lay, not only the share of peaks landed.

Claims opened before this revision have none (NULL): their log records, already published,
were made without it and must stay byte for byte what they were.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: SQLite and PostgreSQL both do it in place, so the table keeps the
    # triggers that refuse rewrites (a batch rebuild would drop them)
    op.add_column("content_claims", sa.Column("significance", sa.Float(), nullable=True))


def downgrade() -> None:
    allow_rewrites(op, "content_claims")  # SQLite drops a column by rebuilding the table
    with op.batch_alter_table("content_claims") as batch:
        batch.drop_column("significance")
    forbid_rewrites(op, "content_claims", "claims")
