"""The transparency log: entries, stored subtree hashes, signed checkpoints, decision batches.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# INTEGER PRIMARY KEY on SQLite is the rowid itself: no second index to keep on every append.
_INDEX = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_APPEND_ONLY = {"log_entries": "log entries", "log_subtrees": "subtree hashes",
                "log_checkpoints": "checkpoints", "decision_batches": "decision batches"}


def upgrade() -> None:
    op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False))
    op.execute("INSERT INTO log_head (id, size) VALUES (1, 0)")
    op.create_table(
        "log_entries",
        sa.Column("idx", _INDEX, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("appended_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("kind", "source_id", name="uq_log_entries_source"))
    op.create_table(
        "log_subtrees",
        sa.Column("height", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False))
    op.create_table(
        "log_checkpoints",
        sa.Column("size", _INDEX, primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.BigInteger(), nullable=False))
    op.create_table(
        "decision_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consumer_id", sa.Integer(), sa.ForeignKey("consumers.id"), nullable=True),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", sa.BigInteger(), nullable=False),
        sa.Column("tracks", sa.Integer(), nullable=False),
        sa.Column("allowed", sa.Integer(), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False))
    for table, what in _APPEND_ONLY.items():
        forbid_rewrites(op, table, what)


def downgrade() -> None:
    for table in _APPEND_ONLY:
        allow_rewrites(op, table)
    for table in ("decision_batches", "log_checkpoints", "log_subtrees", "log_entries",
                  "log_head"):
        op.drop_table(table)
