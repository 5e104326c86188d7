"""Withdrawals: which consent event took which tracks out of which snapshot, the consumers'
acknowledgements, snapshot revisions, and the signed webhooks that tell consumers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Evidence: the database refuses rewrites. Deliveries and endpoints change state, so they don't.
_APPEND_ONLY = (("withdrawals", "withdrawals"), ("withdrawn_tracks", "withdrawn tracks"),
                ("withdrawal_acknowledgements", "acknowledgements"),
                ("webhook_attempts", "delivery attempts"))


def upgrade() -> None:
    op.add_column("dataset_snapshots", sa.Column("revision_of", sa.Integer(), nullable=True))
    op.create_table(
        "withdrawals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("snapshot_id", sa.Integer(), sa.ForeignKey("dataset_snapshots.id"),
                  nullable=False, index=True),
        sa.Column("consent_event_id", sa.Integer(), sa.ForeignKey("consent_events.id"),
                  nullable=False, index=True),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False))
    op.create_table(
        "withdrawn_tracks",
        sa.Column("snapshot_id", sa.Integer(), sa.ForeignKey("dataset_snapshots.id"),
                  primary_key=True),
        sa.Column("track_id", sa.Integer(), primary_key=True),
        sa.Column("withdrawal_id", sa.Integer(), sa.ForeignKey("withdrawals.id"),
                  nullable=False, index=True))
    op.create_table(
        "withdrawal_acknowledgements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("withdrawal_id", sa.Integer(), sa.ForeignKey("withdrawals.id"),
                  nullable=False),
        sa.Column("consumer_id", sa.Integer(), sa.ForeignKey("consumers.id"), nullable=False),
        sa.Column("acknowledged_at", sa.BigInteger(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=False),
        sa.UniqueConstraint("withdrawal_id", name="uq_withdrawal_acknowledgements_withdrawal"))
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consumer_id", sa.Integer(), sa.ForeignKey("consumers.id"), nullable=False,
                  index=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("disabled_at", sa.BigInteger(), nullable=True))
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("endpoint_id", sa.Integer(), sa.ForeignKey("webhook_endpoints.id"),
                  nullable=False),
        sa.Column("withdrawal_id", sa.Integer(), sa.ForeignKey("withdrawals.id"),
                  nullable=False, index=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("delivered_at", sa.BigInteger(), nullable=True),
        sa.Column("gave_up_at", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("endpoint_id", "withdrawal_id", name="uq_webhook_deliveries_pair"),
        sa.Index("ix_webhook_deliveries_due", "delivered_at", "next_attempt_at"))
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("webhook_deliveries.id"),
                  nullable=False, index=True),
        sa.Column("attempted_at", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True))
    for table, what in _APPEND_ONLY:
        forbid_rewrites(op, table, what)


def downgrade() -> None:
    for table, _what in _APPEND_ONLY:
        allow_rewrites(op, table)
    for table in ("webhook_attempts", "webhook_deliveries", "webhook_endpoints",
                  "withdrawal_acknowledgements", "withdrawn_tracks", "withdrawals"):
        op.drop_table(table)
    op.drop_column("dataset_snapshots", "revision_of")
