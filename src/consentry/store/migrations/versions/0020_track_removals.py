"""Track removal: ``track_removals`` records, append-only, that an artist or admin took a track
out of the catalogue; the track's row, consent events and log entries stay.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "track_removals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("track_id", sa.Integer(), sa.ForeignKey("tracks.id"), nullable=False),
        sa.Column("removed_at", sa.BigInteger(), nullable=False),
        sa.Column("removed_by", sa.String(length=200), nullable=False),
        sa.UniqueConstraint("track_id", name="uq_track_removals_track"),
    )
    forbid_rewrites(op, "track_removals", "removals")


def downgrade() -> None:
    allow_rewrites(op, "track_removals")
    op.drop_table("track_removals")
