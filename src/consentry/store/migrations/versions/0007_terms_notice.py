"""Terms with notice: published text and hash, per-user answers, the mail outbox, the watcher.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Nullable: the versions published before this revision have no text; new ones always do.
_TERMS_COLUMNS = (
    ("title", sa.String(length=200)),
    ("markdown", sa.Text()),
    ("text_hash", sa.String(length=64)),
    ("material", sa.Boolean()),
    ("notice_ends_at", sa.BigInteger()),
    ("introduced_purposes", sa.Text()),
    ("published_by", sa.String(length=200)),
    ("refusal_note", sa.Text()),
)
# Published versions, answers and snapshots are evidence: the database refuses rewrites.
_APPEND_ONLY = ("terms_versions", "terms_responses", "watch_snapshots")


def upgrade() -> None:
    for name, type_ in _TERMS_COLUMNS:
        op.add_column("terms_versions", sa.Column(name, type_, nullable=True))
    op.create_table(
        "terms_responses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False,
                  index=True),
        sa.Column("version", sa.String(length=50), sa.ForeignKey("terms_versions.version"),
                  nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text()),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.BigInteger()),
        sa.Column("last_error", sa.Text()),
        sa.Index("ix_outbox_due", "sent_at", "next_attempt_at"),
    )
    op.create_table(
        "watched_pages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_checked_at", sa.BigInteger()),
        sa.Column("last_status", sa.String(length=20)),
        sa.Column("last_error", sa.Text()),
        sa.UniqueConstraint("url", name="uq_watched_pages_url"),
    )
    op.create_table(
        "watch_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("page_id", sa.Integer(), sa.ForeignKey("watched_pages.id"), nullable=False,
                  index=True),
        sa.Column("fetched_at", sa.BigInteger(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("ai_related", sa.Boolean(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
    )
    op.create_table(
        "watch_subscribers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("page_id", sa.Integer(), sa.ForeignKey("watched_pages.id"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=100)),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    for table in _APPEND_ONLY:
        forbid_rewrites(op, table, "rows")


def downgrade() -> None:
    for table in _APPEND_ONLY:
        allow_rewrites(op, table)
    for table in ("watch_subscribers", "watch_snapshots", "watched_pages", "outbox",
                  "terms_responses"):
        op.drop_table(table)
    for name, _type in reversed(_TERMS_COLUMNS):
        op.drop_column("terms_versions", name)
