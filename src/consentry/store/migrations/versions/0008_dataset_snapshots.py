"""Dataset snapshots: each snapshot's signed statement and manifest, and the tracks it holds.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consumer_id", sa.Integer(), sa.ForeignKey("consumers.id"), nullable=True),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("tracks", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False))
    op.create_table(
        "dataset_tracks",
        sa.Column("snapshot_id", sa.Integer(), sa.ForeignKey("dataset_snapshots.id"),
                  primary_key=True),
        sa.Column("track_id", sa.Integer(), primary_key=True),
        sa.Index("ix_dataset_tracks_track", "track_id"))
    for table, what in (("dataset_snapshots", "snapshots"), ("dataset_tracks", "snapshot rows")):
        forbid_rewrites(op, table, what)


def downgrade() -> None:
    for table in ("dataset_tracks", "dataset_snapshots"):
        allow_rewrites(op, table)
        op.drop_table(table)
