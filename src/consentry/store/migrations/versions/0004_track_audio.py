"""Track audio: the content hash of a track's recording and the facts probed from it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("audio_sha256", sa.String(length=64)),
    ("audio_format", sa.String(length=8)),
    ("audio_mime", sa.String(length=40)),
    ("audio_bytes", sa.BigInteger()),
    ("duration_ms", sa.BigInteger()),
    ("audio_uploaded_at", sa.BigInteger()),
)


def upgrade() -> None:
    # Nullable columns: a plain ALTER TABLE ADD COLUMN on both SQLite and PostgreSQL.
    for name, type_ in _COLUMNS:
        op.add_column("tracks", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # SQLite drops columns itself since 3.35; the files under data_dir/audio are left alone.
    for name, _type in reversed(_COLUMNS):
        op.drop_column("tracks", name)
