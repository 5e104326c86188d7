"""Shares by invitation: ``share_answers`` holds, append-only, the invitation of every owner
named by someone else and each answer to it. A share with no row counts (the artist
registered the track, or it was recorded before invitations existed, so no decision about
the past changes); one whose latest row is not an acceptance does not.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "share_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("track_id", sa.Integer(), sa.ForeignKey("tracks.id"), nullable=False),
        sa.Column("artist_id", sa.Integer(), sa.ForeignKey("artists.id"), nullable=False,
                  index=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Index("ix_share_answers_share", "track_id", "artist_id"),
    )
    forbid_rewrites(op, "share_answers", "answers")


def downgrade() -> None:
    allow_rewrites(op, "share_answers")
    op.drop_table("share_answers")
