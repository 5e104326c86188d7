"""Content identification for everyone: a claim's claimant is a rights holder (as before) or an
independent artist whose track was found in another party's upload. ``content_claims`` gains
``claimant_artist_id``, and ``rights_holder_id`` becomes nullable (see
``store/column_constraints.py`` for how, on a table with rows, references and append-only
triggers). Exactly one of the two is set: the code that opens claims sees to it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.column_constraints import drop_not_null, restore_not_null

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN keeps the triggers that refuse rewrites (see 0013); SQLite takes its
    # reference only in its own words (Alembic would ask for a table rebuild)
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("content_claims", sa.Column(
            "claimant_artist_id", sa.Integer(), sa.ForeignKey("artists.id"), nullable=True))
    else:
        op.execute("ALTER TABLE content_claims ADD COLUMN claimant_artist_id INTEGER "
                   "REFERENCES artists (id)")
    op.create_index("ix_content_claims_claimant_artist_id", "content_claims",
                    ["claimant_artist_id"])
    drop_not_null(op, "content_claims", "rights_holder_id")


def downgrade() -> None:
    """Refused while artists' claims exist."""
    restore_not_null(op, "content_claims", "rights_holder_id")
    op.drop_index("ix_content_claims_claimant_artist_id", "content_claims")
    op.drop_column("content_claims", "claimant_artist_id")
