"""Indexes for reading a whole catalogue's decisions: co-owners and the ledger, covered.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only co-owned tracks have shares below the whole; their rows are the ones decisions read.
    op.create_index("ix_track_shares_partial", "track_shares", ["track_id", "artist_id"],
                    postgresql_where=sa.text("basis_points < 10000"),
                    sqlite_where=sa.text("basis_points < 10000"))
    # Every column the catalogue path reads, so the ledger table itself is never visited.
    op.drop_index("ix_consent_events_purpose_time", table_name="consent_events")
    op.create_index("ix_consent_events_purpose_covering", "consent_events",
                    ["purpose", "recorded_at", "artist_id", "track_id", "choice", "id"])


def downgrade() -> None:
    op.drop_index("ix_consent_events_purpose_covering", table_name="consent_events")
    op.create_index("ix_consent_events_purpose_time", "consent_events",
                    ["purpose", "recorded_at"])
    op.drop_index("ix_track_shares_partial", table_name="track_shares")
