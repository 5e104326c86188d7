"""E-mail verification: ``users.email_verified_at``, set when the owner opens the link mailed
at sign-up. Accounts that exist already count as verified from their creation: they were
created by an operator, or signed up before verification existed, and locking them out of
their choices now would help nobody.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.BigInteger(), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade() -> None:
    op.drop_column("users", "email_verified_at")
