"""Content identification: reference recordings, stored fingerprints, claims and their changes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_recordings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rights_holder_id", sa.Integer(), sa.ForeignKey("rights_holders.id"),
                  nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("isrc", sa.String(length=12), nullable=True),
        sa.Column("audio_sha256", sa.String(length=64), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("rights_holder_id", "audio_sha256",
                            name="uq_reference_recordings_content"))
    op.create_table(
        "fingerprints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("recording_key", sa.String(length=40), nullable=False),
        sa.Column("track_id", sa.Integer(), sa.ForeignKey("tracks.id"), nullable=True),
        sa.Column("reference_id", sa.Integer(), sa.ForeignKey("reference_recordings.id"),
                  nullable=True),
        sa.Column("audio_sha256", sa.String(length=64), nullable=False),
        sa.Column("frame_count", sa.Integer(), nullable=False),
        sa.Column("landmarks", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("recording_key", name="uq_fingerprints_recording"),
        sqlite_autoincrement=True)
    op.create_table(
        "content_claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("track_id", sa.Integer(), sa.ForeignKey("tracks.id"), nullable=False),
        sa.Column("rights_holder_id", sa.Integer(), sa.ForeignKey("rights_holders.id"),
                  nullable=False),
        sa.Column("recording_key", sa.String(length=40), nullable=False),
        sa.Column("audio_sha256", sa.String(length=64), nullable=False),
        sa.Column("query_start_ms", sa.BigInteger(), nullable=False),
        sa.Column("recording_start_ms", sa.BigInteger(), nullable=False),
        sa.Column("matched_ms", sa.BigInteger(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Index("ix_content_claims_track_id", "track_id"),
        sa.Index("ix_content_claims_rights_holder_id", "rights_holder_id"))
    op.create_table(
        "claim_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("content_claims.id"), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Index("ix_claim_changes_claim_id", "claim_id"))
    for table, what in (("content_claims", "claims"), ("claim_changes", "claim changes")):
        forbid_rewrites(op, table, what)


def downgrade() -> None:
    for table in ("claim_changes", "content_claims"):
        allow_rewrites(op, table)
        op.drop_table(table)
    op.drop_table("fingerprints")
    op.drop_table("reference_recordings")
