"""What a decision reads can no longer be rewritten: agreements and track shares are
append-only, and a track's ownership (managing artist, rights holder, creation time) is fixed
once written; tracks are never deleted. The rows are vouched for by the transparency log too
(``agreement`` and ``track-ownership`` records; ``consentry init`` logs the existing ones).

A track's other columns (its recording) still change in place: decisions never read them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from consentry.store.append_only import allow_rewrites, forbid_rewrites

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_APPEND_ONLY = {"agreements": "agreements", "track_shares": "track shares"}
_FIXED = ("id", "artist_id", "rights_holder_id", "created_at")
# (no quotes inside: it is written into the triggers' SQL as a string literal)
_MESSAGE = ("tracks keep their ownership: the id, managing artist, rights holder and creation "
            "time of a track are never updated, and tracks are never deleted")


def upgrade() -> None:
    for table, what in _APPEND_ONLY.items():
        forbid_rewrites(op, table, what)
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FIXED)
        op.execute(f"""
            CREATE FUNCTION tracks_ownership_fixed() RETURNS trigger AS $$
            BEGIN
              IF TG_OP <> 'UPDATE' OR {changed} THEN RAISE EXCEPTION '{_MESSAGE}'; END IF;
              RETURN NEW;
            END; $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER tracks_ownership_fixed BEFORE UPDATE OR DELETE ON tracks
            FOR EACH ROW EXECUTE FUNCTION tracks_ownership_fixed()""")
        op.execute("""
            CREATE TRIGGER tracks_never_truncated BEFORE TRUNCATE ON tracks
            FOR EACH STATEMENT EXECUTE FUNCTION tracks_ownership_fixed()""")
        return
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FIXED)
    op.execute(f"""
        CREATE TRIGGER tracks_ownership_fixed BEFORE UPDATE ON tracks WHEN {changed}
        BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END""")
    op.execute(f"""
        CREATE TRIGGER tracks_no_delete BEFORE DELETE ON tracks
        BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tracks_never_truncated ON tracks")
        op.execute("DROP TRIGGER IF EXISTS tracks_ownership_fixed ON tracks")
        op.execute("DROP FUNCTION IF EXISTS tracks_ownership_fixed()")
    else:
        op.execute("DROP TRIGGER IF EXISTS tracks_ownership_fixed")
        op.execute("DROP TRIGGER IF EXISTS tracks_no_delete")
    for table in _APPEND_ONLY:
        allow_rewrites(op, table)
